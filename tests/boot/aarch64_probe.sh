#!/bin/sh
# tests/boot/aarch64_probe.sh IMAGE SMP MACHINE-OPTIONS EXPECT-EL GIC
# Boots build/hvbench-aarch64.img on qemu-system-aarch64 -M virt (TCG) and
# checks what the platform bring-up reports: the EL it was entered at, the
# GIC version set up, the fault guard catching an undefined instruction and
# a data abort, every CPU online and taking an SGI (and the boot CPU one from
# itself), and PSCI SYSTEM_OFF ending QEMU (status 0
# within the timeout: a hang or a crash fails).
set -u
img=$1 smp=$2 machine=$3 el=$4 gic=$5
out=$(timeout 60 qemu-system-aarch64 -M "virt,$machine" -cpu max -smp "$smp" -m 256 -display none \
      -serial stdio -monitor none -no-reboot -kernel "$img" 2>&1)
status=$?
printf '%s\n' "$out"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ $status -eq 0 ] || fail "QEMU ended with status $status (124: timed out)"
printf '%s\n' "$out" | grep -q "entered at EL$el, running at EL1" || fail "not entered at EL$el"
printf '%s\n' "$out" | grep -q "gic v$gic .*(up)" || fail "GICv$gic not set up"
printf '%s\n' "$out" | grep -q "guarded udf: caught, undefined instruction" || fail "UDF not caught"
printf '%s\n' "$out" | grep -q "guarded unmapped load: caught, data abort" || fail "data abort not caught"
printf '%s\n' "$out" | grep -q "^$smp CPUs online" || fail "not all $smp CPUs online"
printf '%s\n' "$out" | grep -q "^self SGI: taken" || fail "a self-SGI was not taken"
i=1
while [ $i -lt "$smp" ]; do
    printf '%s\n' "$out" | grep -q "^SGI to cpu $i: taken" || fail "CPU $i did not take its SGI"
    i=$((i + 1))
done
exit 0
