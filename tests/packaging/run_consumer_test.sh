#!/usr/bin/env bash
# Installs the build tree into a temp prefix, checks the installed files, then builds and runs the
# C consumer with find_package(syncagent CONFIG) and with pkg-config, and the C++ consumer (only
# the installed include/ and nlohmann_json on its include path) with find_package.
# Usage: run_consumer_test.sh BUILD_DIR CONSUMER_DIR VERSION CMAKE CC CXX
set -euo pipefail
build_dir=$1 consumer=$2 version=$3 cmake=$4 cc=$5 cxx=$6

if [ -z "$(find "$build_dir" -maxdepth 3 -name "libsyncagent.so*" -print -quit)" ]; then
  echo "SKIP: libsyncagent.so is not built in $build_dir"
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/syncagent-packaging.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

echo "== cmake --install $build_dir --prefix $prefix"
"$cmake" --install "$build_dir" --prefix "$prefix" >"$work/install.log"

libdir=$(dirname "$(find "$prefix" -name 'libsyncagent.so' | head -n 1)")
for f in include/syncagent/syncagent.h include/syncagent/status.h include/syncagent/agent.h \
         bin/syncagent \
         share/syncagent/syncagent.schema.json; do
  [ -e "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
for f in libsyncagent.so "cmake/syncagent/syncagentConfig.cmake" \
         "cmake/syncagent/syncagentConfigVersion.cmake" pkgconfig/syncagent.pc; do
  [ -e "$libdir/$f" ] || { echo "FAIL: $libdir/$f not installed"; exit 1; }
done
ls -R "$prefix" | sed 's/^/   /'

echo "== the installed CLI"
"$prefix/bin/syncagent" --version | grep -qx "$version" || { echo "FAIL: syncagent --version"; exit 1; }

echo "== find_package(syncagent CONFIG)"
"$cmake" -S "$consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" >"$work/configure.log" || { cat "$work/configure.log"; exit 1; }
"$cmake" --build "$work/cmake-build" >"$work/build.log" || { cat "$work/build.log"; exit 1; }
"$work/cmake-build/consumer" "$version" "$work"
"$work/cmake-build/consumer_cxx" "$work"

echo "== pkg-config"
export PKG_CONFIG_PATH=$libdir/pkgconfig
pkg-config --exact-version="$version" syncagent || { echo "FAIL: pkg-config version"; exit 1; }
# shellcheck disable=SC2046
"$cc" -std=c99 -Wall -Werror "$consumer/main.c" -o "$work/pc-consumer" $(pkg-config --cflags --libs syncagent)
LD_LIBRARY_PATH=$libdir "$work/pc-consumer" "$version" "$work"
echo "packaging_consumer_test: ok"
