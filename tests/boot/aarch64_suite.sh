#!/bin/sh
# tests/boot/aarch64_suite.sh IMAGE SMP GIC-VERSION MIN-BENCHMARKS MAX-SECONDS [MACHINE-OPTIONS]
# Boots the aarch64 kernel on qemu-system-aarch64 -M virt (TCG) with the
# default suite and checks its record stream: a header naming the GIC, an
# end record with exit_code 0, at least MIN-BENCHMARKS results each ok or
# unsupported with a reason, none faulted or timed out, every CPU online,
# and the whole run (QEMU's start included) within MAX-SECONDS. QEMU ends
# through PSCI SYSTEM_OFF with status 0; the code is the end record's.
set -u
img=$1 smp=$2 gic=$3 min=$4 max_s=$5 extra=${6:-}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s%N)
timeout 120 qemu-system-aarch64 -M "virt,gic-version=$gic${extra:+,$extra}" -cpu max -smp "$smp" -m 256 \
    -display none -serial stdio -monitor none -no-reboot -kernel "$img" >"$log" 2>&1
status=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
fail() { grep -v '^@hvb {"type":"\(pass\|begin\|yardstick\)' "$log"; echo "FAIL: $*" >&2; exit 1; }
[ $status -eq 0 ] || fail "QEMU ended with status $status (124: timed out)"
grep -q "^@hvb {\"type\":\"header\".*\"cpus\":$smp,\"intc\":\"gicv$gic\"" "$log" || fail "no header with $smp CPUs and gicv$gic"
grep -q '^@hvb {"type":"end".*"exit_code":0}' "$log" || fail "no end record with exit_code 0"
results=$(grep -c '^@hvb {"type":"result"' "$log")
good=$(grep '^@hvb {"type":"result"' "$log" | grep -c '"status":"\(ok\|unsupported\)"')
[ "$results" -ge "$min" ] || fail "$results results, want at least $min"
[ "$good" -eq "$results" ] || fail "$((results - good)) results neither ok nor unsupported"
if grep '^@hvb {"type":"result"' "$log" | grep '"status":"unsupported"' | grep -q '"reason":""'; then
    fail "an unsupported result without a reason"
fi
if [ "$ms" -gt $((max_s * 1000)) ]; then
    # Wall time means nothing on a machine others load beyond its CPUs:
    # skipped (77), never passed, when the 1-minute load is over twice them.
    load=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > 2 * n) }'; then
        echo "SKIPPED: took ${ms} ms (over ${max_s} s) at load $load on $(nproc) CPUs: wall time not measurable" >&2
        exit 77
    fi
    fail "took ${ms} ms, more than ${max_s} s"
fi
echo "ok: $results benchmarks ($good ok or unsupported), ${ms} ms, smp $smp, GICv$gic"
