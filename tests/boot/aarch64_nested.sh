#!/bin/bash
# tests/boot/aarch64_nested.sh MODE TOOL IMAGE MIN-BENCHMARKS [ONLY]
# Runs the aarch64 kernel under an arm64 hypervisor nested in QEMU TCG
# through the tool, `TOOL run --arch aarch64 --vmm MODE` (docs/nested-arm64.md),
# and checks what it did: MODE xen (Xen/arm64, the kernel as dom0: the header
# names Xen 4.17, dom0, the console xen-consoleio) or kvm-nested (Debian's
# arm64 Linux as KVM host, the kernel its KVM guest: the header names kvm,
# the KVM host's /init says it ran QEMU with -accel kvm). Then the tool's exit
# status 0 (every benchmark ok, unsupported or skipped), an end record, at
# least MIN-BENCHMARKS results, each ok or unsupported with a reason, none
# faulted, and the results file's context naming the nesting. ONLY: --only
# (default: the suite).
# The tool fetches the Debian arm64 packages into its cache (tools/xen.h
# default_xen_cache); when they cannot be fetched it says the hypervisor is
# unavailable and the test exits 77: skipped, never passed.
# With HVB_NESTED_LOG set, the console log is kept there.
set -u
mode=$1 tool=$2 img=$3 min=$4 only=${5:-}
work=$(mktemp -d)
trap '[ -n "${HVB_NESTED_LOG:-}" ] && cp "$log" "$HVB_NESTED_LOG"; rm -rf "$work"' EXIT
log=$work/log json=$work/results.json err=$work/stderr
fail() {
    grep -av '^@hvb {"type":"\(pass\|begin\|yardstick\)' "$log" | tail -60
    tail -30 "$err"
    echo "FAIL: $*" >&2
    exit 1
}
skip() { echo "SKIP: $*" >&2; exit 77; }
case $mode in
xen | kvm-nested) ;;
*) echo "usage: aarch64_nested.sh xen|kvm-nested TOOL IMAGE MIN [ONLY]" >&2; exit 64 ;;
esac

start=$(date +%s)
"$tool" run --arch aarch64 --vmm "$mode" --kernel "$img" ${only:+--only "$only"} --log "$log" --json "$json" 2>"$err"
status=$?
wall=$(( $(date +%s) - start ))
if [ $status -eq 64 ] && grep -q '^hvbench: \(Xen unavailable\|the KVM/arm64 host is unavailable\): ' "$err"; then
    cat "$err" >&2
    skip "the Debian arm64 packages cannot be fetched or built into the cache"
fi
[ -s "$log" ] || fail "no console log (tool exit status $status)"
[ $status -eq 0 ] || fail "hvbench run ended with status $status"
grep -aq '^@hvb {"type":"header"' "$log" || fail "no header record"
if [ "$mode" = xen ]; then
    grep -aq '^@hvb {"type":"header".*"hypervisor":"xen,xen-4.17","hypervisor_version":"4.17","domain":"dom0".*"console":"xen-consoleio"' "$log" ||
        fail "the header does not name Xen 4.17, dom0 and its console"
    grep -q '"Xen/arm64 (.*) with the kernel as its dom0, nested in QEMU TCG' "$json" ||
        fail "the results do not say Xen/arm64 is nested in QEMU TCG"
else
    grep -aq '^@hvb {"type":"header".*"hypervisor":"kvm"' "$log" || fail "the header does not name kvm"
    grep -aq '^hvbench-kvm-host: .*running: qemu-system-[a-z0-9_]* .*-accel kvm' "$log" || fail "the KVM host did not start its QEMU with -accel kvm"
    grep -q '"KVM/arm64: .* nested in QEMU TCG' "$json" ||
        fail "the results do not say the KVM host is nested in QEMU TCG"
fi
grep -aq '^@hvb {"type":"end"' "$log" || fail "no end record"
grep -aq '"type":"error"' "$log" && fail "an error record"
results=$(grep -ac '^@hvb {"type":"result"' "$log")
ok=$(grep -a '^@hvb {"type":"result"' "$log" | grep -c '"status":"ok"')
good=$(grep -a '^@hvb {"type":"result"' "$log" | grep -c '"status":"\(ok\|unsupported\)"')
[ "$results" -ge "$min" ] || fail "$results results, want at least $min"
[ "$good" -eq "$results" ] || fail "$((results - good)) results neither ok nor unsupported"
if grep -a '^@hvb {"type":"result"' "$log" | grep '"status":"unsupported"' | grep -q '"reason":""'; then
    fail "an unsupported result without a reason"
fi
echo "ok: $mode, $results benchmarks ($ok ok, $((good - ok)) unsupported), ${wall} s wall"
grep -a '^@hvb {"type":"result"' "$log" |
    sed 's/.*"name":"\([^"]*\)".*"status":"\([^"]*\)".*"reason":"\([^"]*\)".*/  \1 \2 \3/'
