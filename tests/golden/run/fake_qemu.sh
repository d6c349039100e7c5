#!/bin/sh
# tests/golden/run/fake_qemu.sh — QEMU's command line in, the fake VMM
# (tests/fakes/fake_vmm.cpp) out: `hvbench run --qemu fake_qemu.sh` then
# runs the whole tool against the scripted suite. The kernel command line
# (-append) and -cpu are passed on; $HVB_FAKE_ARGS holds the scenario
# (--benchmarks, --crash NAME, --hang NAME, ...).
cmdline="" cpu=""
while [ $# -gt 0 ]; do
  case "$1" in
    -append) cmdline="$2"; shift ;;
    -cpu) cpu="$2"; shift ;;
  esac
  shift
done
# shellcheck disable=SC2086 # the scenario is a list of words
exec "$HVB_FAKE_VMM" $HVB_FAKE_ARGS --cpu "$cpu" --cmdline "$cmdline"
