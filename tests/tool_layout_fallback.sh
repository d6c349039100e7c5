#!/bin/sh
# tests/tool_layout_fallback.sh — `hvbench run` against the fake VMM where
# this process may not turn off address-space randomization for its
# children (tests/fakes/no_persona.cpp preloaded, as under a container's
# seccomp filter): the run goes on with the VMM's layout randomized, says so
# on stderr and in the results' notes, and the context's vmm_layout says
# "randomized"; without the shim the same run's vmm_layout is "fixed".
#
#   tool_layout_fallback.sh HVBENCH FAKE_VMM SHIM WORKDIR
set -u
tool=$1 fake=$2 shim=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2
: > kernel.elf
export HVB_FAKE_VMM="$fake" HVB_FAKE_ARGS="--benchmarks a,b"

run() {
  rm -f out.json
  "$@" "$tool" run --qemu "$here/golden/run/fake_qemu.sh" --kernel kernel.elf --firmware default --accel tcg \
    --smp 2 --json out.json > out.stdout 2> out.stderr
}
fail() { echo "FAIL: $*"; echo "--- stderr:"; cat out.stderr; exit 1; }

# A sanitized tool loads its ASan runtime dynamically: let the shim come first.
run env LD_PRELOAD="$shim" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
rc=$?
[ $rc -eq 0 ] || fail "exit status $rc with the persona refused, expected 0"
note="the VMM runs with a randomized address-space layout: cannot turn off address-space randomization for it"
grep -q "hvbench: note: $note" out.stderr || fail "no note on stderr"
grep -q "$note" out.json || fail "no note in the results' notes"
grep -q '"vmm_layout": "randomized"' out.json || fail "context.vmm_layout is not randomized"
grep -q '"status": "ok"' out.json || fail "no result"

run env
rc=$?
[ $rc -eq 0 ] || fail "exit status $rc, expected 0"
grep -q '"vmm_layout": "fixed"' out.json || fail "context.vmm_layout is not fixed"
grep -q "randomized address-space layout" out.stderr && fail "a note without the shim"
echo "tool_layout_fallback: ok"
