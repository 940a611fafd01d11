#!/usr/bin/env bash
# Symbol check: libsyncagent.so carries no simulator, fake or mock-server code.
#   1. No symbol in the library's full symbol table (nm -C: exported and hidden ones alike) is
#      named like tool code: Sim<Upper>..., Simulated..., FakeDeviceState, MockServer,
#      syncagent::mock::, syncagent::faults:: (the fault engine and the fault proxy).
#   2. No global function or object that a tool library defines (nm --defined-only, types T/D/B/R
#      of each archive given after the library) is defined in the library too. Inline and template
#      code that the tools share with the product (weak symbols) does not count.
# The symbol table must name syncagent:: code (a stripped library would pass vacuously: it fails).
# Prints the offending symbols and exits 1, or a one-line summary and exits 0.
#
# Usage: check_library_symbols.sh LIBSYNCAGENT_SO [TOOL_ARCHIVE.a ...]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 LIBSYNCAGENT_SO [TOOL_ARCHIVE.a ...]" >&2; exit 2; }
lib=$1
shift
command -v nm >/dev/null || { echo "symbols: nm not found (binutils)" >&2; exit 2; }
[ -f "$lib" ] || { echo "symbols: $lib does not exist" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/syncagent-symbols.XXXXXX")
trap 'rm -rf "$work"' EXIT

# "TYPE NAME" per defined symbol, demangled, without addresses.
nm -C --defined-only "$lib" | awk '{ $1 = ""; sub(/^ /, ""); print }' >"$work/lib.txt"
if ! grep -q 'syncagent::' "$work/lib.txt"; then
  echo "symbols: $lib has no syncagent:: symbols in its symbol table (stripped?); nothing to check" >&2
  exit 1
fi

failed=0
pattern='Sim[A-Z]|Simulated|FakeDeviceState|MockServer|FaultProxy|syncagent::mock::|syncagent::faults::'
if grep -E "$pattern" "$work/lib.txt" >"$work/named.txt"; then
  echo "symbols: $lib defines tool code (names matching $pattern):"
  sed 's/^/  /' "$work/named.txt" | head -50
  failed=1
fi

for archive in "$@"; do
  nm -C --defined-only "$archive" 2>/dev/null |
    awk '$2 ~ /^[TDBR]$/ { $1 = ""; $2 = ""; sub(/^  /, ""); print }' | sort -u >"$work/tool.txt"
  awk '{ $1 = ""; sub(/^ /, ""); print }' "$work/lib.txt" | sort -u >"$work/lib_names.txt"
  if comm -12 "$work/tool.txt" "$work/lib_names.txt" >"$work/shared.txt" && [ -s "$work/shared.txt" ]; then
    echo "symbols: $lib defines what $(basename "$archive") defines:"
    sed 's/^/  /' "$work/shared.txt" | head -50
    failed=1
  fi
done

if [ "$failed" -ne 0 ]; then
  echo "symbols: FAILED: libsyncagent.so must not link the tools (tools/CMakeLists.txt)" >&2
  exit 1
fi
echo "symbols: ok: $(wc -l <"$work/lib.txt") symbols in $(basename "$lib"), none from the tools" \
  "($# tool libraries compared)"
