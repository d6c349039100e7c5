#!/usr/bin/env bash
# scripts/toolbench.sh — how the host tool's cost grows with its input: the
# wall time and peak memory of `hvbench import` on a log of N result records
# and of `hvbench run` on a (fake) VMM that streams M results, at two sizes
# each, so a reader sees whether the cost is linear (10x the input should
# cost about 10x, not 100x). A benchmark of hvbench itself, not a test: the
# figures depend on the machine and its load.
#
#   scripts/toolbench.sh [--tool build-release/hvbench] [--records 20000,200000] [--results 50,500,4000]
#
# The import log is made of VMs of 500 results each (a VM may claim at most
# 512, docs/running.md), each a header, its results and an end record, taken
# from a real record of the kind the kernel writes. The streaming VMM stands
# in for QEMU (`run --qemu`): it ignores QEMU's arguments and writes one VM's
# header, M results and its end record as fast as it can; past the 512 a VM
# may claim, the run stops with an error, which is part of what is measured.
set -euo pipefail
cd "$(dirname "$0")/.."

tool=build-release/hvbench
records=20000,200000
results=50,500,4000
while [[ $# -gt 0 ]]; do
    case $1 in
        --tool) tool=$2; shift 2 ;;
        --records) records=$2; shift 2 ;;
        --results) results=$2; shift 2 ;;
        *) echo "toolbench: unknown argument '$1'" >&2; exit 64 ;;
    esac
done
[[ -x $tool ]] || { echo "toolbench: no tool at $tool (./run.sh builds build-release/hvbench)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

header='@hvb {"type":"header","version":1,"cpu_vendor":"AuthenticAMD","cpu_model":"QEMU TCG CPU","cpu_family":15,"cpu_model_id":107,"cpu_stepping":1,"hypervisor":"TCGTCGTCGTCG","tsc_hz":2600000000,"tsc_source":"pit","invariant_tsc":false,"cpus":2,"apic":"xapic","memory_bytes":268435456,"boot":"pvh","loader":"","cmdline":"","timer":"rdtsc","timing":"internal","reps":0,"benchmarks":500}'
result_tail='","category":"privileged","status":"ok","reason":"","iterations":24527,"repetitions":40,"cycles":{"min":18.273,"median":19.909,"mean":22.251,"mad":1.635,"ci_low":19.801,"ci_high":20.017},"control":{"median":2.110},"iterations_mode":"adaptive","noisy":false,"outliers":0,"interrupts":0,"elapsed_us":58000,"t_us":96000}'
end='@hvb {"type":"end","counts":{"ok":500,"unsupported":0,"faulted":0,"skipped":0,"timeout":0},"errors":0,"exit_code":0}'

make_log() {  # N records, in VMs of $2 (500)
    awk -v n="$1" -v per="${2:-500}" -v h="$header" -v t="$result_tail" -v e="$end" 'BEGIN {
        for (i = 0; i < n; ++i) {
            if (i % per == 0) print h
            printf "@hvb {\"type\":\"result\",\"name\":\"b%07d%s\n", i, t
            if (i % per == per - 1 || i == n - 1) print e
        }
    }'
}

measure() {  # label, command...: wall seconds and peak RSS
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true
    read -r secs kib < <(tail -n 1 "$work/time")
    printf '%-34s %8.2f s %8d MiB  %s\n' "$label" "$secs" $((kib / 1024)) "$(grep -o 'hvbench: .*' "$work/err" | tail -n 1 | cut -c1-90)"
}

echo "tool: $tool"
IFS=, read -ra sizes <<<"$records"
for n in "${sizes[@]}"; do
    make_log "$n" >"$work/log"
    size=$(du -m "$work/log" | cut -f1)
    measure "import, $n records ($size MB)" "$tool" import "$work/log" --json "$work/r.json" --csv "$work/r.csv"
done
IFS=, read -ra sizes <<<"$results"
for m in "${sizes[@]}"; do
    make_log "$m" "$m" >"$work/stream-$m.log"
    printf '#!/bin/sh\nexec cat %q\n' "$work/stream-$m.log" >"$work/vmm-$m"
    chmod +x "$work/vmm-$m"
    measure "run, a VMM streaming $m results" "$tool" run --qemu "$work/vmm-$m" --accel tcg --timeout 600 \
        --json "$work/s.json" --csv "$work/s.csv"
done
