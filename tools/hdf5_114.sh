#!/usr/bin/env bash
# Builds HDF5 from a source folder into a prefix, then builds KerasPort against it and runs the Swift tests.
# Proves that KerasPort compiles and passes on HDF5 1.12/1.14 (Debian 12 ships 1.10; CI keeps that one).
#
#   tools/hdf5_114.sh SOURCE_DIR [PREFIX]
#
# SOURCE_DIR: an HDF5 source tree, e.g. Debian 13's source package (1.14.5), fetched on Debian 12 with a temporary
# trixie `deb-src` entry: `apt-get source --download-only hdf5`, then `tar xzf hdf5_1.14.5+repack.orig.tar.gz`.
# PREFIX defaults to /tmp/hdf5-<version>. Builds the C library only (no tools, tests, Fortran, C++ or HL),
# thread-safe like Debian's. KerasPort is built in .build-hdf5 (a separate build folder) with PKG_CONFIG_PATH
# pointing at PREFIX; libhdf5 is found at run time through LD_LIBRARY_PATH.
set -euo pipefail
src="${1:?usage: tools/hdf5_114.sh SOURCE_DIR [PREFIX]}"
src="$(cd "$src" && pwd)"
version=$(grep -oE 'H5_VERS_INFO +"HDF5 library version: [0-9.]+' "$src/src/H5public.h" | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' || echo unknown)
prefix="${2:-/tmp/hdf5-$version}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

if [ ! -f "$prefix/lib/libhdf5.so" ]; then
    echo "=== building HDF5 $version into $prefix"
    build=$(mktemp -d)
    (cd "$build" && "$src/configure" --prefix="$prefix" --disable-fortran --disable-cxx --disable-hl --disable-tests \
        --disable-tools --enable-threadsafe --disable-static >"$build/configure.log" 2>&1 \
        || { tail -30 "$build/configure.log"; exit 1; })
    (cd "$build" && make -j"$(nproc)" >"$build/make.log" 2>&1 && make install >>"$build/make.log" 2>&1) \
        || { tail -30 "$build/make.log"; exit 1; }
    rm -rf "$build"
fi
pc="$prefix/lib/pkgconfig"
if [ ! -f "$pc/hdf5.pc" ]; then
    # HDF5's autotools install writes no pkg-config file (its CMake install does): write the one SwiftPM reads.
    mkdir -p "$pc"
    cat >"$pc/hdf5.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: hdf5
Description: HDF5 $version built by tools/hdf5_114.sh
Version: $version
Libs: -L\${libdir} -lhdf5
Cflags: -I\${includedir}
PC
fi
echo "=== KerasPort against $(PKG_CONFIG_PATH=$pc pkg-config --modversion hdf5) ($prefix)"
export PKG_CONFIG_PATH="$pc"
export LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
swift build --scratch-path .build-hdf5 --build-tests 2>&1 | grep -E "error:|warning: .*(Sources|Tests)/|Compiling|Build complete" | grep -v Compiling || true
swift test --scratch-path .build-hdf5 --skip-build 2>&1 | tee /tmp/keras-port-hdf5-test.log | grep -E "^✘|Test run with" | tail -n 40
grep -q "libhdf5.so" <(ldd .build-hdf5/debug/keras-port) && ldd .build-hdf5/debug/keras-port | grep libhdf5
