#!/usr/bin/env bash
# Installs the Debian packages KerasPort builds against, when they are missing. Idempotent.
set -euo pipefail
need=()
pkg-config --exists hdf5 2>/dev/null || need+=(libhdf5-dev)
pkg-config --exists openblas 2>/dev/null || need+=(libopenblas-dev)
command -v h5dump >/dev/null 2>&1 || need+=(hdf5-tools)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
if [ ${#need[@]} -gt 0 ]; then
    echo "keras-port: installing ${need[*]} (apt-get)" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
