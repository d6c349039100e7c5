#!/usr/bin/env bash
# scripts/kvm-arm64-host-image.sh — builds the arm64 Linux KVM host that
# `hvbench run --arch aarch64 --vmm kvm-nested` boots in QEMU (TCG,
# -M virt,virtualization=on) to run hvbench as a KVM guest where the host has
# no arm64 KVM of its own: Debian's arm64 kernel (KVM built in, VHE), and an
# initramfs of Debian's arm64 qemu-system-aarch64 with its libraries and
# busybox, all from arm64 packages fetched by scripts/debian-foreign.sh (a
# private apt state in the cache; nothing is installed on the host and
# nothing arm64 runs on it: the packages are only unpacked), into
#   <cache>/arm64/kvm-host/vmlinuz and <cache>/arm64/kvm-host/initrd.img
# <cache> is $1, else $HVB_XEN_CACHE, else ~/.cache/hvbench/xen (tools/xen.h:
# the cache of everything hvbench fetches). The image is cached, never
# committed. hvbench and its options arrive per VM as a second cpio archive
# the tool appends to initrd.img (/hvbench/hvbench.img, cmdline, vcpus,
# memory, gic); /init runs it with `-accel kvm -cpu host`, its serial port on
# the host's console, then powers the host off.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-${HVB_XEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hvbench/xen}}
out=$cache/arm64/kvm-host
[[ -s $out/vmlinuz && -s $out/initrd.img ]] && { echo "$out"; exit 0; }
work=$out/work
rm -rf "$work"
mkdir -p "$work/pkg" "$work/initrd"
fetch() { bash "$here/debian-foreign.sh" "$@" >/dev/null; }

kernel_pkg=$(bash "$here/debian-foreign.sh" --query arm64 "$cache" depends linux-image-arm64 |
             awk '/Depends: linux-image-/ {print $2; exit}')
[[ -n $kernel_pkg ]] || { echo "kvm-arm64-host-image: no linux-image-arm64 in the arm64 package lists" >&2; exit 1; }
fetch arm64 "$cache" "$work/kernel" "$kernel_pkg"
fetch --deps arm64 "$cache" "$work/pkg" qemu-system-arm busybox-static

pkg=$work/pkg
root=$work/initrd
mkdir -p "$root"/{bin,usr/bin,dev,proc,sys,tmp,run,lib/aarch64-linux-gnu}
cp "$pkg/bin/busybox" "$root/bin/busybox"
cp "$pkg/usr/bin/qemu-system-aarch64" "$root/usr/bin/"
# QEMU's shared libraries: the closure of its DT_NEEDED entries, read with
# the host's readelf (no arm64 ldd runs here), from the unpacked packages,
# and its program interpreter at the path it names.
interp=$(readelf -l "$pkg/usr/bin/qemu-system-aarch64" | sed -n 's/.*interpreter: \(.*\)]/\1/p')
[[ -n $interp ]] || { echo "kvm-arm64-host-image: qemu-system-aarch64 names no interpreter" >&2; exit 1; }
mkdir -p "$root$(dirname "$interp")"
cp -L "$pkg$interp" "$root$interp"
todo=("$pkg/usr/bin/qemu-system-aarch64")
while (( ${#todo[@]} )); do
    elf=${todo[0]}
    todo=("${todo[@]:1}")
    for lib in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        [[ -e $root/lib/aarch64-linux-gnu/$lib ]] && continue
        found=
        for dir in "$pkg/lib/aarch64-linux-gnu" "$pkg/usr/lib/aarch64-linux-gnu"; do
            [[ -e $dir/$lib ]] && { found=$dir/$lib; break; }
        done
        [[ -n $found ]] || { echo "kvm-arm64-host-image: $lib (needed by $elf) is in no fetched package" >&2; exit 1; }
        cp -L "$found" "$root/lib/aarch64-linux-gnu/$lib"
        todo+=("$found")
    done
done

cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/usr/bin:/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
# The host kernel's messages would interleave with the guest's records.
echo 1 > /proc/sys/kernel/printk
stty -onlcr 2>/dev/null
cmdline=$(cat /hvbench/cmdline 2>/dev/null)
vcpus=$(cat /hvbench/vcpus 2>/dev/null || echo 1)
memory=$(cat /hvbench/memory 2>/dev/null || echo 256)
gic=$(cat /hvbench/gic 2>/dev/null || echo 3)
if [ ! -c /dev/kvm ]; then
    echo "hvbench-kvm-host: no /dev/kvm in the arm64 host (KVM did not initialize)"
else
    echo "hvbench-kvm-host: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs; qemu -accel kvm ($vcpus vCPUs, $memory MiB, GICv$gic): $cmdline"
    qemu-system-aarch64 -M virt,gic-version="$gic" -accel kvm -cpu host -smp "$vcpus" -m "$memory" \
        -nodefaults -display none -monitor none -serial stdio -no-reboot \
        -kernel /hvbench/hvbench.img -append "$cmdline" < /dev/null
    echo "hvbench-kvm-host: the guest has ended (qemu: $?)"
fi
# PSCI SYSTEM_OFF: the outer QEMU exits.
poweroff -f
INIT
chmod +x "$root/init"

cp "$work/kernel/boot/vmlinuz-${kernel_pkg#linux-image-}" "$out/vmlinuz.part"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initrd.img.part"
mv "$out/vmlinuz.part" "$out/vmlinuz"
mv "$out/initrd.img.part" "$out/initrd.img"
rm -rf "$work"
echo "$out"
