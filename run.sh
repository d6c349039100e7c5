#!/usr/bin/env bash
# run.sh — installs what is missing, builds hvbench and runs the default suite
# with the host tool (build-release/hvbench run, built without sanitizers) on the best accelerator here: KVM
# when /dev/kvm is usable, TCG otherwise. It picks a CPU model QEMU accepts,
# survives benchmarks that crash the VM, and prints the result table.
#
# Arguments go to `hvbench run` (see docs/running.md), e.g.
#   ./run.sh --json kvm.json --csv kvm.csv
#   ./run.sh --only cpuid --reps 21
# Bare kernel options (key=value) are passed through to the kernel as well:
#   ./run.sh only=cpuid reps=21
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
# The tool users run is built without AddressSanitizer/UBSan (those are for
# the unit tests, which scripts/build.sh and test.sh build into build/), in a
# build tree of its own: build-release/.
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHVB_SANITIZE=OFF -DHVB_BUILD_TESTS=OFF >/dev/null
cmake --build build-release -j"$(nproc)" >/dev/null

args=()
for a in "$@"; do
    if [[ $a =~ ^(only|skip|iters|reps|timer)=(.*)$ ]]; then
        args+=("--${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")
    elif [[ $a != -* && $a == *=* ]]; then
        args+=(--kernel-arg "$a")
    else
        args+=("$a")
    fi
done
# `--vmm libvirt` with libvirt's default URI where no libvirt daemon answers
# (no systemd here to start libvirt-daemon-system's): a libvirtd of our own
# for this run (scripts/libvirtd.sh), stopped when the run ends.
wants_libvirt=0 has_connect=0 prev=
for a in "${args[@]}"; do
    [[ $prev == --vmm && $a == libvirt || $a == --vmm=libvirt ]] && wants_libvirt=1
    [[ $a == --connect || $a == --connect=* ]] && has_connect=1
    prev=$a
done
if ((wants_libvirt && !has_connect)) && ! virsh -c qemu:///system version >/dev/null 2>&1; then
    lv_dir=$(mktemp -d /tmp/hvbench-libvirtd.XXXXXX)
    trap 'scripts/libvirtd.sh stop "$lv_dir"; rm -rf "$lv_dir"' EXIT
    scripts/libvirtd.sh start "$lv_dir" >&2
    [[ -f $lv_dir/unavailable ]] && exit 1
    status=0
    build-release/hvbench run "${args[@]}" --connect "qemu:///system?socket=$lv_dir/sock/libvirt-sock" || status=$?
    exit $status
fi
exec build-release/hvbench run "${args[@]}"
