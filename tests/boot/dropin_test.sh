#!/usr/bin/env bash
# tests/boot/dropin_test.sh — proves that adding a benchmark is dropping one
# file in: copies a descriptor file into an empty extra-benchmarks directory,
# configures and builds a fresh kernel with HVB_EXTRA_BENCHMARKS_DIR pointing
# there (no other file edited), boots it under TCG and checks its result.
#
#   dropin_test.sh SOURCE_DIR BOOT_TEST_BINARY BENCHMARK_FILE BENCHMARK_NAME
set -euo pipefail
src=$1 boot_test=$2 file=$3 name=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/extra"
cp "$file" "$work/extra/"
cmake -S "$src" -B "$work/build" -DHVB_EXTRA_BENCHMARKS_DIR="$work/extra" -DHVB_BUILD_TESTS=OFF >/dev/null
cmake --build "$work/build" -j2 --target hvbench.elf >/dev/null
"$boot_test" --timeout 60 --expect-status "$name=ok" --expect-all-ran --expect-exit 1 -- \
    qemu-system-x86_64 -display none -serial stdio -monitor none -no-reboot -m 256M \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -accel tcg -cpu max \
    -kernel "$work/build/hvbench.elf" -append "only=$name selfcheck=none"
