// placeholder until NPY.swift lands
