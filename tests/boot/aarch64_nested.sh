#!/bin/bash
# tests/boot/aarch64_nested.sh MODE IMAGE SCRIPTS-DIR CACHE|default MIN-BENCHMARKS [ONLY]
# Boots the aarch64 kernel under an arm64 hypervisor nested in QEMU TCG
# (docs/nested-arm64.md) and checks its record stream: MODE xen (Xen/arm64,
# the kernel as dom0: the header names Xen 4.17, dom0, the console
# xen-consoleio) or kvm (Debian's arm64 Linux as KVM host, the kernel its
# KVM guest: the KVM host's /init says it ran QEMU with -accel kvm). Then an
# end record, at least MIN-BENCHMARKS results, each ok or unsupported with a
# reason, none faulted. ONLY: the kernel's only= list (default: the suite).
# The Debian arm64 packages are fetched into CACHE by SCRIPTS-DIR's
# debian-foreign.sh (and kvm-arm64-host-image.sh); when they cannot be
# fetched the test exits 77: skipped, never passed.
# With HVB_NESTED_LOG set, the console log is kept there.
# Until `hvbench run --arch aarch64 --vmm xen|kvm-nested` exists, this script
# holds the QEMU arguments of tools/arm64_hosts.h; that command replaces it.
set -u
mode=$1 img=$2 scripts=$3 cache=$4 min=$5 only=${6:-}
# "default": the tool's cache (tools/xen.h default_xen_cache).
[ "$cache" = default ] && cache=${HVB_XEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hvbench/xen}
work=$(mktemp -d)
trap '[ -n "${HVB_NESTED_LOG:-}" ] && cp "$log" "$HVB_NESTED_LOG"; rm -rf "$work"' EXIT
log=$work/log
cmdline=${only:+only=$only}
fail() { grep -av '^@hvb {"type":"\(pass\|begin\|yardstick\)' "$log" | tail -60; echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

machine=(qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -accel tcg -cpu max -smp 2
         -display none -serial stdio -monitor none -no-reboot)
case $mode in
xen)
    tree=$cache/arm64/xen
    if ! ls "$tree"/boot/xen-*-arm64 >/dev/null 2>&1; then
        bash "$scripts/debian-foreign.sh" arm64 "$cache" "$tree" xen-hypervisor-4.17-arm64 >/dev/null ||
            skip "xen-hypervisor-4.17-arm64 cannot be fetched"
    fi
    xen=$(ls "$tree"/boot/xen-*-arm64 | head -1)
    # Commas doubled (QEMU's syntax); a space for none (Xen would pass its own).
    bootargs=${cmdline//,/,,}
    [ -n "$bootargs" ] || bootargs=" "
    timeout 600 "${machine[@]}" -m 1024M -kernel "$xen" \
        -append "console=dtuart loglvl=all guest_loglvl=all dom0_mem=256M,max:256M dom0_max_vcpus=2" \
        -device "guest-loader,addr=0x49000000,kernel=$img,bootargs=$bootargs" >"$log" 2>&1
    status=$?
    ;;
kvm)
    host=$(bash "$scripts/kvm-arm64-host-image.sh" "$cache" 2>"$work/build.err") ||
        { cat "$work/build.err" >&2; skip "the KVM/arm64 host image cannot be built (Debian arm64 packages)"; }
    mkdir -p "$work/vm/hvbench"
    cp "$img" "$work/vm/hvbench/hvbench.img"
    echo "$cmdline" > "$work/vm/hvbench/cmdline"
    echo 2 > "$work/vm/hvbench/vcpus"; echo 256 > "$work/vm/hvbench/memory"; echo 3 > "$work/vm/hvbench/gic"
    n=$(stat -c %s "$host/initrd.img")
    { cat "$host/initrd.img"; head -c $(( (4 - n % 4) % 4 )) /dev/zero
      (cd "$work/vm" && find hvbench | cpio -o -H newc --quiet); } > "$work/initrd"
    timeout 1200 "${machine[@]}" -m 2048M -kernel "$host/vmlinuz" -initrd "$work/initrd" \
        -append "console=ttyAMA0 quiet" >"$log" 2>&1
    status=$?
    ;;
*) echo "usage: aarch64_nested.sh xen|kvm IMAGE SCRIPTS-DIR CACHE MIN [ONLY]" >&2; exit 64 ;;
esac

[ $status -eq 0 ] || fail "QEMU ended with status $status (124: timed out)"
grep -aq '^@hvb {"type":"header"' "$log" || fail "no header record"
if [ "$mode" = xen ]; then
    grep -aq '^@hvb {"type":"header".*"hypervisor":"xen,xen-4.17","hypervisor_version":"4.17","domain":"dom0".*"console":"xen-consoleio"' "$log" ||
        fail "the header does not name Xen 4.17, dom0 and its console"
else
    grep -aq '^hvbench-kvm-host: .*qemu -accel kvm' "$log" || fail "the KVM host did not start its QEMU with -accel kvm"
fi
grep -aq '^@hvb {"type":"end"' "$log" || fail "no end record"
grep -aq '"type":"error"' "$log" && fail "an error record"
results=$(grep -ac '^@hvb {"type":"result"' "$log")
good=$(grep -a '^@hvb {"type":"result"' "$log" | grep -c '"status":"\(ok\|unsupported\)"')
[ "$results" -ge "$min" ] || fail "$results results, want at least $min"
[ "$good" -eq "$results" ] || fail "$((results - good)) results neither ok nor unsupported"
if grep -a '^@hvb {"type":"result"' "$log" | grep '"status":"unsupported"' | grep -q '"reason":""'; then
    fail "an unsupported result without a reason"
fi
echo "ok: $mode, $results benchmarks ($good ok or unsupported)"
grep -a '^@hvb {"type":"result"' "$log" | sed 's/.*"name":"\([^"]*\)".*"status":"\([^"]*\)".*"cycles":{[^}]*"median":\([-0-9.]*\).*/  \1 \2 \3/'
