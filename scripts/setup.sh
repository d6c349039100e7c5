#!/usr/bin/env bash
# scripts/setup.sh — installs the Debian packages hvbench needs to build,
# boot and test, if any are missing. Needs root (or sudo) only when it has
# something to install.
set -euo pipefail

packages=(build-essential cmake nasm libgtest-dev qemu-system-x86 grub-pc-bin grub-efi-amd64-bin
          grub-common xorriso mtools ovmf
          clang libclang-rt-14-dev)  # clang, libclang-rt: the fuzz targets (tests/fuzz)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "hvbench: installing ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "hvbench: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
