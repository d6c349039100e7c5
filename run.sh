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
exec build-release/hvbench run "${args[@]}"
