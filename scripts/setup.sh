#!/usr/bin/env bash
# scripts/setup.sh — installs the Debian packages hvbench needs to build,
# boot and test, if any are missing. Needs root (or sudo) only when it has
# something to install.
set -euo pipefail

packages=(build-essential cmake nasm libgtest-dev qemu-system-x86 grub-pc-bin grub-efi-amd64-bin
          grub-common xorriso mtools ovmf cpio
          clang libclang-rt-14-dev  # clang, libclang-rt: the fuzz targets (tests/fuzz)
          qemu-system-arm lld llvm  # the aarch64 image (clang, ld.lld, llvm-objcopy) and its boot tests
          device-tree-compiler      # dtc: the DTB reader's test inputs (tests/unit/aarch64/dtb)
          pkg-config libvirt-dev libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
          libbenchmark-tools python3-scipy)  # Google Benchmark's compare.py on our JSON (tests/tool_gate.sh)  # --vmm libvirt and its tests
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# The Xen boot tests: build/hvbench fetches xen-hypervisor-4.17-amd64 into
# its cache with `apt-get download` (never installing it); that needs package
# lists that know it. Without them those tests report skipped.
xen_lists=0
apt-cache show xen-hypervisor-4.17-amd64 >/dev/null 2>&1 || xen_lists=1

[[ ${#missing[@]} -eq 0 && $xen_lists -eq 0 ]] && exit 0

[[ ${#missing[@]} -gt 0 ]] && echo "hvbench: installing ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null; then
        [[ ${#missing[@]} -eq 0 ]] && { echo "hvbench: no package lists for Xen and no sudo: the Xen boot tests will be skipped" >&2; exit 0; }
        echo "hvbench: need root or sudo to install ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
if [[ ${#missing[@]} -eq 0 ]]; then
    "${sudo[@]}" apt-get update -q || echo "hvbench: apt-get update failed: the Xen boot tests will be skipped" >&2
    exit 0
fi
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
