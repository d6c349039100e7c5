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
# With --hvm (first argument) the image also carries Debian's device model
# (qemu-system-xen), hvmloader and SeaBIOS, so the dom0 can start hvbench as
# an HVM domU booting /hvbench/hvbench.iso; it goes to <cache>/dom0-hvm.
set -euo pipefail

hvm=0
[[ ${1:-} == --hvm ]] && { hvm=1; shift; }
cache=${1:-${HVB_XEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hvbench/xen}}
out=$cache/dom0
(( hvm )) && out=$cache/dom0-hvm
[[ -s $out/vmlinuz && -s $out/initrd.img ]] && { echo "$out"; exit 0; }
work=$out/work
rm -rf "$work"
mkdir -p "$work/debs" "$work/pkg" "$work/initrd"

kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
[[ -n $kernel_pkg ]] || { echo "xen-dom0-image: no linux-image-amd64 in the package lists (apt-get update?)" >&2; exit 1; }
pkgs=("$kernel_pkg" xen-utils-4.17 libxencall1 libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenmisc4.17
      libxenstore4 libxentoollog1 libxendevicemodel1 libxenhypfs1 libxentoolcore1 libyajl2 busybox-static)
(( hvm )) && pkgs+=(qemu-system-xen qemu-system-data seabios)
(cd "$work/debs" && apt-get download -q "${pkgs[@]}" >/dev/null)
for d in "$work"/debs/*.deb; do dpkg-deb -x "$d" "$work/pkg"; done

pkg=$work/pkg
root=$work/initrd
xenbin=usr/lib/xen-4.17/bin
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc/xen,var/lib/xen,var/lib/xenstored,var/lock,var/log/xen,var/run/xen,$xenbin,lib64,lib/x86_64-linux-gnu}
cp "$pkg/bin/busybox" "$root/bin/busybox"
tools=(xl xenstored xenconsoled xenconsole xen-init-dom0)
for tool in "${tools[@]}"; do cp "$pkg/$xenbin/$tool" "$root/$xenbin/"; done
# HVM: libxl starts /usr/libexec/xen-qemu-system-i386 and loads hvmloader and
# SeaBIOS from these paths (compiled into libxenlight).
bins=("${tools[@]/#/$root/$xenbin/}")
if (( hvm )); then
    mkdir -p "$root/usr/libexec" "$root/usr/lib/xen-4.17/boot" "$root/usr/share/seabios"
    cp "$pkg/usr/libexec/xen-qemu-system-i386" "$root/usr/libexec/"
    cp "$pkg/usr/lib/xen-4.17/boot/hvmloader" "$root/usr/lib/xen-4.17/boot/"
    cp "$pkg/usr/share/seabios/bios-256k.bin" "$root/usr/share/seabios/"
    # libxl passes -vnc none, and QEMU 7.2 still reads its keymap.
    mkdir -p "$root/usr/share/qemu/keymaps"
    cp "$pkg/usr/share/qemu/keymaps/en-us" "$root/usr/share/qemu/keymaps/"
    bins+=("$root/usr/libexec/xen-qemu-system-i386")
fi
: > "$root/etc/xen/xl.conf"  # xl's defaults

# Shared libraries: the Xen ones from the packages, the rest (libc, zlib, ...)
# from this Debian host, as ldd resolves them.
libpath=$pkg/usr/lib/x86_64-linux-gnu
for bin in "${bins[@]}"; do
    if LD_LIBRARY_PATH=$libpath ldd "$bin" | grep 'not found' >&2; then
        echo "xen-dom0-image: $bin needs libraries this host lacks" >&2; exit 1
    fi
    LD_LIBRARY_PATH=$libpath ldd "$bin" | awk '/=> \// {print $3} /^\t\/lib64/ {print $1}'
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
# The domain's xl.cfg comes from the tool (tools/xl.h xl_config: the one
# definition --vmm xl uses on a real dom0); type and cmdline only for the log.
cmdline=$(cat /hvbench/cmdline 2>/dev/null)
type=$(cat /hvbench/type 2>/dev/null || echo pvh)
cp /hvbench/hvbench.cfg /hvbench.cfg
vcpus=$(sed -n 's/^vcpus = //p' /hvbench.cfg)
memory=$(sed -n 's/^memory = //p' /hvbench.cfg)
echo "hvbench-dom0: toolstack ready; xl create ($type domU, $vcpus vCPUs, $memory MiB): $cmdline"
# Whether xenconsole (what xl console runs) holds the domU console's pty.
# xenconsoled, which serves the console, keeps that pty's slave open itself
# (so it buffers what the guest writes before anyone reads), hence the name.
console_attached() {
    for p in /proc/[0-9]*; do
        [ "$(cat "$p/comm" 2>/dev/null)" = xenconsole ] || continue
        for fd in "$p"/fd/*; do
            case $(readlink "$fd" 2>/dev/null) in /dev/pts/*) return 0 ;; esac
        done
    done
    return 1
}
if [ "$type" = hvm ]; then
    # xl create -c shows an HVM guest's serial line: attach to the PV console
    # while the domain is paused, and let it run only once xl console holds
    # the console's pty, then until it is gone. xl console is started again
    # if it ends while the domain lives (xenconsole exits when the tty is not
    # yet in xenstore). In one CI run here none of the kernel's output
    # arrived though the domain ran and powered off, with a single xl console
    # and a fixed 1 s before unpause.
    xl create -p /hvbench.cfg && {
        (while xl domid hvbench >/dev/null 2>&1; do xl console -t pv hvbench; sleep 1; done) &
        console=$!
        i=0
        while [ $i -lt 60 ] && ! console_attached; do sleep 1; i=$((i + 1)); done
        if console_attached; then echo "hvbench-dom0: xl console attached (${i} s); unpausing"
        else echo "hvbench-dom0: xl console has not attached after 60 s; unpausing anyway"; fi
        xl unpause hvbench
    }
    status=$?
    while xl domid hvbench >/dev/null 2>&1; do sleep 1; done
    # xl console writes the last bytes (the end record) after the domain is
    # gone: let it finish before rebooting, but not forever (20 s: it exits
    # as soon as it is done, and on a loaded host nested under TCG 5 s may
    # not have been enough once).
    i=0
    while [ $i -lt 20 ] && kill -0 "$console" 2>/dev/null; do sleep 1; i=$((i + 1)); done
else
    xl create -c /hvbench.cfg
    status=$?
fi
echo "hvbench-dom0: the domU has ended (xl: $status)"
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
