#!/usr/bin/env bash
# test.sh — installs what is missing, builds, and runs every test: host unit
# tests (sanitizers on), build checks and QEMU boot tests. KVM boot tests are
# reported as skipped where /dev/kvm is not usable.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
scripts/build.sh
cd build
ctest --output-on-failure -j2 "$@"
