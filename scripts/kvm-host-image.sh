#!/usr/bin/env bash
# scripts/kvm-host-image.sh — builds the Linux KVM host that `hvbench run
# --vmm kvm-nested` boots in QEMU TCG to run hvbench as a KVM guest where
# this machine has no KVM of its own for the guest's architecture:
#   arm64: Debian's arm64 kernel (KVM built in, VHE) under -M
#          virt,virtualization=on (EL2 emulated);
#   amd64: Debian's amd64 kernel with its kvm and kvm_amd modules (loaded by
#          /init) under -cpu max (SVM with nested paging emulated).
# The initramfs holds Debian's qemu-system-aarch64 or qemu-system-x86_64
# with its libraries, busybox and (amd64) the firmware a PVH boot reads, all
# from packages of that architecture fetched by scripts/debian-foreign.sh (a
# private apt state in the cache; nothing is installed on the host and
# nothing of the image runs on it: the packages are only unpacked), into
#   <cache>/<arch>/kvm-host/vmlinuz and <cache>/<arch>/kvm-host/initrd.img
#
#   kvm-host-image.sh arm64|amd64 [CACHE]
#
# CACHE is $HVB_XEN_CACHE, else ~/.cache/hvbench/xen (tools/xen.h: the cache
# of everything hvbench fetches). The image is cached, never committed.
# hvbench and the QEMU command that runs it arrive per VM as a second cpio
# archive the tool appends to initrd.img (/hvbench/hvbench.img and
# /hvbench/qemu-args, one argument a line, written by tools/kvm_host.cpp);
# /init runs it, the guest's serial port on the host's console, then powers
# the host off.
set -euo pipefail

arch=${1:-}
case $arch in
arm64) qemu=qemu-system-aarch64 qemu_pkg=qemu-system-arm triplet=aarch64-linux-gnu ;;
amd64) qemu=qemu-system-x86_64 qemu_pkg=qemu-system-x86 triplet=x86_64-linux-gnu ;;
*) echo "usage: kvm-host-image.sh arm64|amd64 [CACHE]" >&2; exit 64 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
cache=${2:-${HVB_XEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hvbench/xen}}
out=$cache/$arch/kvm-host
[[ -s $out/vmlinuz && -s $out/initrd.img ]] && { echo "$out"; exit 0; }
work=$out/work
rm -rf "$work"
mkdir -p "$work/pkg" "$work/initrd"
fetch() { bash "$here/debian-foreign.sh" "$@" >/dev/null; }
die() { echo "kvm-host-image ($arch): $*" >&2; exit 1; }

kernel_pkg=$(bash "$here/debian-foreign.sh" --query "$arch" "$cache" depends "linux-image-$arch" |
             awk '/Depends: linux-image-/ {print $2; exit}')
[[ -n $kernel_pkg ]] || die "no linux-image-$arch in the $arch package lists"
kver=${kernel_pkg#linux-image-}
fetch "$arch" "$cache" "$work/kernel" "$kernel_pkg"
fetch --deps "$arch" "$cache" "$work/pkg" "$qemu_pkg" busybox-static

pkg=$work/pkg
root=$work/initrd
mkdir -p "$root"/{bin,usr/bin,dev,proc,sys,tmp,run,modules,lib/$triplet}
cp "$pkg/bin/busybox" "$root/bin/busybox"
cp "$pkg/usr/bin/$qemu" "$root/usr/bin/"
# QEMU's shared libraries: the closure of its DT_NEEDED entries, read with
# readelf (no ldd of the image's runs here), from the unpacked packages,
# and its program interpreter at the path it names.
interp=$(readelf -l "$pkg/usr/bin/$qemu" | sed -n 's/.*interpreter: \(.*\)]/\1/p')
[[ -n $interp ]] || die "$qemu names no interpreter"
mkdir -p "$root$(dirname "$interp")"
cp -L "$pkg$interp" "$root$interp"
todo=("$pkg/usr/bin/$qemu")
while (( ${#todo[@]} )); do
    elf=${todo[0]}
    todo=("${todo[@]:1}")
    for lib in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        [[ -e $root/lib/$triplet/$lib ]] && continue
        found=
        for dir in "$pkg/lib/$triplet" "$pkg/usr/lib/$triplet"; do
            [[ -e $dir/$lib ]] && { found=$dir/$lib; break; }
        done
        [[ -n $found ]] || die "$lib (needed by $elf) is in no fetched package"
        cp -L "$found" "$root/lib/$triplet/$lib"
        todo+=("$found")
    done
done

if [[ $arch == amd64 ]]; then
    # KVM is modular in Debian's amd64 kernel: /init loads these in this
    # order (each after what it depends on). And the firmware of a PVH boot
    # under -machine pc with qboot (tools/launch.h kQbootPath), at the paths
    # QEMU looks for them.
    mods=$work/kernel/lib/modules/$kver/kernel
    for m in virt/lib/irqbypass drivers/crypto/ccp/ccp arch/x86/kvm/kvm arch/x86/kvm/kvm-amd; do
        [[ -e $mods/$m.ko ]] || die "$kernel_pkg has no $m.ko"
        cp "$mods/$m.ko" "$root/modules/"
        echo "$(basename "$m").ko" >> "$root/modules/order"
    done
    mkdir -p "$root/usr/share/qemu"
    for f in qboot.rom pvh.bin linuxboot_dma.bin kvmvapic.bin; do
        cp "$pkg/usr/share/qemu/$f" "$root/usr/share/qemu/" || die "no /usr/share/qemu/$f in qemu-system-data"
    done
fi

cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/usr/bin:/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
# The host kernel's messages would interleave with the guest's records.
echo 1 > /proc/sys/kernel/printk
stty -onlcr 2>/dev/null
if [ -f /modules/order ]; then
    for m in $(cat /modules/order); do
        insmod "/modules/$m" || echo "hvbench-kvm-host: insmod $m failed: $(dmesg | tail -n 3 | tr '\n' ' ')"
    done
fi
set --
while IFS= read -r a; do set -- "$@" "$a"; done < /hvbench/qemu-args
if [ ! -c /dev/kvm ]; then
    echo "hvbench-kvm-host: no /dev/kvm in the KVM host (KVM did not initialize): $(dmesg | grep -i -E 'kvm|svm' | tail -n 3 | tr '\n' ' ')"
elif [ $# -eq 0 ]; then
    echo "hvbench-kvm-host: no QEMU command in /hvbench/qemu-args"
else
    echo "hvbench-kvm-host: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs; running: $*"
    "$@" < /dev/null
    echo "hvbench-kvm-host: the guest has ended (qemu: $?)"
fi
poweroff -f
INIT
chmod +x "$root/init"

cp "$work/kernel/boot/vmlinuz-$kver" "$out/vmlinuz.part"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initrd.img.part"
mv "$out/vmlinuz.part" "$out/vmlinuz"
mv "$out/initrd.img.part" "$out/initrd.img"
rm -rf "$work"
echo "$out"
