#!/usr/bin/env bash
# scripts/xen-dom0-image.sh — builds the Linux PV dom0 that `hvbench run --vmm
# xen --guest pvh` boots under Xen to start hvbench as a PVH domU: Debian's
# kernel, Xen 4.17's toolstack (xl, xenstored, xenconsoled and their
# libraries) and busybox, all from Debian packages fetched with `apt-get
# download` (nothing is installed on the host), into
#   <cache>/dom0/vmlinuz and <cache>/dom0/initrd.img
# <cache> is $1, else $HVB_XEN_CACHE, else ~/.cache/hvbench/xen (tools/xen.h).
# The image is cached, never committed. hvbench and its options arrive per VM
# as a second cpio archive the tool appends to initrd.img (/hvbench/).
set -euo pipefail

cache=${1:-${HVB_XEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hvbench/xen}}
out=$cache/dom0
[[ -s $out/vmlinuz && -s $out/initrd.img ]] && { echo "$out"; exit 0; }
work=$out/work
rm -rf "$work"
mkdir -p "$work/debs" "$work/pkg" "$work/initrd"

kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
[[ -n $kernel_pkg ]] || { echo "xen-dom0-image: no linux-image-amd64 in the package lists (apt-get update?)" >&2; exit 1; }
pkgs=("$kernel_pkg" xen-utils-4.17 libxencall1 libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenmisc4.17
      libxenstore4 libxentoollog1 libxendevicemodel1 libxenhypfs1 libxentoolcore1 libyajl2 busybox-static)
(cd "$work/debs" && apt-get download -q "${pkgs[@]}" >/dev/null)
for d in "$work"/debs/*.deb; do dpkg-deb -x "$d" "$work/pkg"; done

pkg=$work/pkg
root=$work/initrd
xenbin=usr/lib/xen-4.17/bin
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc/xen,var/lib/xen,var/lib/xenstored,var/lock,var/log/xen,var/run/xen,$xenbin,lib64,lib/x86_64-linux-gnu}
cp "$pkg/bin/busybox" "$root/bin/busybox"
tools=(xl xenstored xenconsoled xenconsole xen-init-dom0)
for tool in "${tools[@]}"; do cp "$pkg/$xenbin/$tool" "$root/$xenbin/"; done
: > "$root/etc/xen/xl.conf"  # xl's defaults

# Shared libraries: the Xen ones from the packages, the rest (libc, zlib, ...)
# from this Debian host, as ldd resolves them.
libpath=$pkg/usr/lib/x86_64-linux-gnu
for tool in "${tools[@]}"; do
    LD_LIBRARY_PATH=$libpath ldd "$root/$xenbin/$tool" | awk '/=> \// {print $3} /^\t\/lib64/ {print $1}'
done | sort -u | while read -r lib; do
    case $lib in
        /lib64/*) cp -L "$lib" "$root/lib64/" ;;
        *) cp -L "$lib" "$root/lib/x86_64-linux-gnu/" ;;
    esac
done

# dlopen()ed, not in ldd's list: glibc's pthread_cancel (xl's console thread).
cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$root/lib/x86_64-linux-gnu/"

kver=${kernel_pkg#linux-image-}
mods=$pkg/lib/modules/$kver/kernel/drivers/xen
mkdir -p "$root/modules"
for m in xen-evtchn xen-privcmd xen-gntdev xenfs/xenfs xen-gntalloc; do cp "$mods/$m.ko" "$root/modules/"; done

cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/usr/lib/xen-4.17/bin:/bin:/sbin LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm; mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /run
mkdir -p /run/xen /run/xenstored /var/run
for m in xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc; do insmod /modules/$m.ko; done
mount -t xenfs xenfs /proc/xen
xenstored --pid-file /run/xenstored.pid
xen-init-dom0 >/dev/null
xenconsoled --pid-file=/run/xenconsoled.pid
cmdline=$(cat /hvbench/cmdline 2>/dev/null)
vcpus=$(cat /hvbench/vcpus 2>/dev/null || echo 2)
memory=$(cat /hvbench/memory 2>/dev/null || echo 256)
cat > /hvbench.cfg <<CFG
name = "hvbench"
type = "pvh"
kernel = "/hvbench/hvbench.elf"
cmdline = "$cmdline"
memory = $memory
vcpus = $vcpus
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
CFG
echo "hvbench-dom0: toolstack ready; xl create (PVH domU, $vcpus vCPUs, $memory MiB): $cmdline"
xl create -c /hvbench.cfg
echo "hvbench-dom0: the domU has ended (xl: $?)"
# Xen restarts the machine, and QEMU (-no-reboot) exits.
reboot -f
INIT
chmod +x "$root/init"

cp "$pkg/boot/vmlinuz-$kver" "$out/vmlinuz.part"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initrd.img.part"
mv "$out/vmlinuz.part" "$out/vmlinuz"
mv "$out/initrd.img.part" "$out/initrd.img"
rm -rf "$work"
echo "$out"
