#!/usr/bin/env bash
# run.sh — installs what is missing, builds hvbench and runs the default suite
# on the best accelerator here: KVM when /dev/kvm is usable, TCG otherwise.
# Arguments are passed to the kernel command line (e.g. ./run.sh only=cpuid reps=21).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
scripts/build.sh >/dev/null

qemu=(qemu-system-x86_64 -display none -serial stdio -monitor none -no-reboot -m 256M
      -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel build/hvbench.elf -append "$*")

# Some hosts refuse -cpu host (a nested KVM here needs arch-capabilities
# off): try the models in order, keeping the first whose guest prints a header.
attempts=()
if [[ -r /dev/kvm && -w /dev/kvm ]]; then
    attempts+=("kvm host" "kvm host,-arch-capabilities")
else
    echo "hvbench: /dev/kvm not usable, running under TCG (software emulation)" >&2
fi
attempts+=("tcg max")

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for attempt in "${attempts[@]}"; do
    read -r accel cpu <<<"$attempt"
    echo "hvbench: booting with -accel $accel -cpu $cpu" >&2
    set +e
    "${qemu[@]}" -accel "$accel" -cpu "$cpu" 2>&1 | tee "$log" | grep -v '^@hvb '
    status=${PIPESTATUS[0]}
    set -e
    if grep -q '^@hvb {"type":"header"' "$log"; then
        # isa-debug-exit: QEMU exits with (code << 1) | 1; code 0 = suite ran.
        code=$(( status >> 1 ))
        [[ $status -eq 1 ]] && exit 0
        echo "hvbench: kernel exit code $code (1 faulted, 2 timeout, 4 bad input, 8 fatal)" >&2
        exit 1
    fi
    echo "hvbench: QEMU did not start the kernel with -accel $accel -cpu $cpu (status $status)" >&2
done
exit 1
