// KerasInference
