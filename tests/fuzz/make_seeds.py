#!/usr/bin/env python3
"""tests/fuzz/make_seeds.py — writes the binary seed inputs of the boot-info,
ACPI and memory-map fuzz targets into tests/fuzz/corpus/ (checked in; rerun
only to change them). Each blob is laid out the way its loader lays it out
for hvbench under QEMU 7.2 (-m 256M, SeaBIOS e820 map, 2 vCPUs) and GRUB 2.06,
placed at the physical address the target expects (fuzz_bootinfo.h:
0x10000 with the info first; fuzz_acpi.cpp: 0xE0000 with the RSDP first).
The @hvb stream, JSON and CSV seeds are real files from a TCG run, not made
here.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

# SeaBIOS's e820 map under QEMU with -m 256M (and -m 16M: the usable region ends at 0xfe0000).
E820_256M = [(0x0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 2),
             (0x100000, 0xFEE0000, 1), (0xFFE0000, 0x20000, 2), (0xFFFC0000, 0x40000, 2)]
E820_16M = [(0x0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 2),
            (0x100000, 0xEE0000, 1), (0xFE0000, 0x20000, 2), (0xFFFC0000, 0x40000, 2)]
CMDLINE = b"only=idle,cpuid,pushf_popf reps=5 verify=0 pinned=none"


class Blob:
    def __init__(self, base, size):
        self.base, self.b = base, bytearray(size)

    def put(self, phys, data):
        off = phys - self.base
        self.b[off:off + len(data)] = data

    def write(self, target, name):
        os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
        with open(os.path.join(CORPUS, target, name), "wb") as f:
            f.write(bytes(self.b))


def mb1(e820, cmdline, modules, name):
    # QEMU's multiboot loader: info, then the e820 copy, then strings and modules.
    b = Blob(0x10000, 0x400)
    mmap_at, cmd_at, loader_at, mods_at = 0x10080, 0x10200, 0x10300, 0x10320
    mmap = b"".join(struct.pack("<IQQI", 20, base, length, t) for base, length, t in e820)
    b.put(mmap_at, mmap)
    b.put(cmd_at, cmdline + b"\0")
    b.put(loader_at, b"qemu\0")
    flags = 1 | 2 | 4 | 64 | 512 | (8 if modules else 0)
    info = struct.pack("<IIIIIIIIIIIII", flags, 639, (e820[3][1] >> 10), 0x8000FFFF, cmd_at,
                       len(modules), mods_at, 0, 0, 0, 0, len(mmap), mmap_at)
    info += bytes(64 - len(info)) + struct.pack("<I", loader_at)
    b.put(0x10000, info)
    for i, (start, end, text) in enumerate(modules):
        s_at = 0x10380 + 0x20 * i
        b.put(s_at, text + b"\0")
        b.put(mods_at + 16 * i, struct.pack("<IIII", start, end, s_at, 0))
    b.write("multiboot1", name)


def rsdp_v0(rsdt):
    r = bytearray(b"RSD PTR " + bytes(1) + b"BOCHS " + bytes([0]) + struct.pack("<I", rsdt))
    r[8] = (-sum(r)) & 0xFF
    return bytes(r)


def rsdp_v2(rsdt, xsdt):
    r = bytearray(b"RSD PTR " + bytes(1) + b"BOCHS " + bytes([2]) + struct.pack("<I", rsdt) +
                  struct.pack("<IQ", 36, xsdt) + bytes(4))
    r[8] = (-sum(r[:20])) & 0xFF
    r[32] = (-sum(r)) & 0xFF
    return bytes(r)


def mb2(e820, cmdline, name, rsdp_new):
    # GRUB 2.06: tags in this order, each 8-aligned.
    tags = []

    def tag(t, payload):
        tags.append(struct.pack("<II", t, 8 + len(payload)) + payload)

    tag(21, struct.pack("<I", 0x100000))                    # load base address
    tag(1, cmdline + b"\0")
    tag(2, b"GRUB 2.06-13+deb12u1\0")
    tag(10, struct.pack("<HHIHHHHH", 0xF000, 0x1234, 0, 0, 0, 0, 0, 0))  # APM
    tag(4, struct.pack("<II", 639, 261120))                  # basic meminfo
    tag(5, struct.pack("<III", 0xE0, 0xFFFFFFFF, 0xFFFFFFFF))  # boot device
    tag(6, struct.pack("<II", 24, 0) + b"".join(struct.pack("<QQII", base, length, t, 0) for base, length, t in e820))
    tag(8, struct.pack("<QIIIBBH", 0xB8000, 160, 80, 25, 16, 2, 0) + bytes(4))  # EGA text framebuffer
    if rsdp_new:
        tag(15, rsdp_v2(0x0FFE1A00, 0x0FFE1B00))
    else:
        tag(14, rsdp_v0(0x0FFE1A00))
    tag(0, b"")
    body = b"".join(t + bytes(-len(t) % 8) for t in tags)
    blob = Blob(0x10000, 8 + len(body))
    blob.put(0x10000, struct.pack("<II", 8 + len(body), 0) + body)
    blob.write("multiboot2", name)


def pvh(e820, cmdline, modules, name):
    # QEMU's pvh.bin option ROM: start_info, its memmap, then the cmdline.
    b = Blob(0x10000, 0x300)
    memmap_at, cmd_at, mods_at = 0x10040, 0x10200, 0x10180
    b.put(memmap_at, b"".join(struct.pack("<QQII", base, length, t, 0) for base, length, t in e820))
    b.put(cmd_at, cmdline + b"\0")
    for i, (start, size, text) in enumerate(modules):
        s_at = 0x10280 + 0x20 * i
        b.put(s_at, text + b"\0")
        b.put(mods_at + 32 * i, struct.pack("<QQQQ", start, size, s_at, 0))
    info = struct.pack("<IIIIQQQQII", 0x336EC578, 1, 0, len(modules), mods_at if modules else 0, cmd_at,
                       0xF52A0, memmap_at, len(e820), 0)
    b.put(0x10000, info)
    b.write("pvh", name)


def sdt(sig, body, rev=1):
    h = bytearray(sig + struct.pack("<IB", 36 + len(body), rev) + b"\0BOCHS BXPC    " +
                  struct.pack("<I", 1) + b"BXPC" + struct.pack("<I", 1)) + body
    h[9] = (-sum(h)) & 0xFF
    return bytes(h)


def madt(cpus, x2apic=False):
    e = b""
    for i in range(cpus):
        e += struct.pack("<BBBBI", 0, 8, i, i, 1)
    e += struct.pack("<BBBBII", 1, 12, 0, 0, 0xFEC00000, 0)             # I/O APIC
    for src, gsi, flags in ((0, 2, 0), (5, 5, 0xD), (9, 9, 0xD), (10, 10, 0xD), (11, 11, 0xD)):
        e += struct.pack("<BBBBIH", 2, 10, 0, src, gsi, flags)           # interrupt source overrides
    e += struct.pack("<BBBHB", 4, 6, 0xFF, 0, 1)                         # local APIC NMI, all CPUs
    if x2apic:
        e += struct.pack("<BBHIII", 9, 16, 0, 300, 1, 300)               # an x2APIC-only CPU
    return sdt(b"APIC", struct.pack("<II", 0xFEE00000, 1) + e, rev=3)


def acpi(name, xsdt, cpus, x2apic=False):
    b = Blob(0xE0000, 0x600)
    tables = {0xE0200: madt(cpus, x2apic), 0xE0400: sdt(b"FACP", bytes(80), rev=3),
              0xE0500: sdt(b"HPET", struct.pack("<IBBHQIBBH", 0x8086A201, 0, 0, 0, 0xFED00000, 0, 0, 0, 0))}
    for at, t in tables.items():
        b.put(at, t)
    if xsdt:
        b.put(0xE0100, sdt(b"XSDT", b"".join(struct.pack("<Q", a) for a in (0xE0400, 0xE0200, 0xE0500))))
        b.put(0xE0000, rsdp_v2(0xE0180, 0xE0100))
        b.put(0xE0180, sdt(b"RSDT", b"".join(struct.pack("<I", a) for a in (0xE0400, 0xE0200))))
    else:
        b.put(0xE0100, sdt(b"RSDT", b"".join(struct.pack("<I", a) for a in (0xE0400, 0xE0200, 0xE0500))))
        b.put(0xE0000, rsdp_v0(0xE0100))
    b.write("acpi", name)


def memmap(name, e820, ops):
    data = bytes([len(e820)]) + b"".join(struct.pack("<QQB", base, length, t) for base, length, t in e820)
    data += b"".join(struct.pack("<BBQ", op, size, arg) for op, size, arg in ops)
    os.makedirs(os.path.join(CORPUS, "memmap"), exist_ok=True)
    with open(os.path.join(CORPUS, "memmap", name), "wb") as f:
        f.write(data)


def main():
    mb1(E820_256M, CMDLINE, [], "qemu-256m")
    mb1(E820_16M, b"/boot/hvbench.elf only=mem_hot,mem_hot_2m", [(0x200000, 0x201000, b"initrd.img")], "qemu-16m-module")
    mb2(E820_256M, CMDLINE, "grub-bios-256m", rsdp_new=False)
    mb2(E820_16M, b"", "grub-efi-16m", rsdp_new=True)
    pvh(E820_256M, CMDLINE, [], "qemu-256m")
    pvh(E820_16M, b"only=mem_hot", [(0x400000, 0x1000, b"mod")], "qemu-16m-module")
    acpi("qemu-pc-rsdt-2cpu", xsdt=False, cpus=2)
    acpi("qemu-q35-xsdt-4cpu-x2apic", xsdt=True, cpus=4, x2apic=True)
    # alloc, contiguous runs of each size, untouched memory, frees.
    memmap("qemu-256m-mixed", E820_256M,
           [(0, 0, 0), (1, 0, 15), (0, 1, 0), (3, 0, 0x100000), (2, 0, 0), (1, 1, 1), (2, 0, 0x2000000), (4, 0, 0x5000)])
    # 1100 pages, then every other one freed: 550 separate free runs (a
    # range list of 512 entries refused the frees past it and leaked them).
    ops = [(0, 0, 0)] * 1100 + [(2, 0, 0x100000 + 2 * i * 4096) for i in range(550)]
    memmap("qemu-16m-scattered-frees", E820_16M, ops)
    for name, text in (("defaults", b""), ("typical", CMDLINE),
                       ("everything", b"/boot/hvbench.elf only=memory,cpuid skip=mem_cold iters=1000,cpuid:50 reps=7 "
                        b"timer=rdtscp exit=halt selfcheck=all mem_hot.working_set=64M mem_hot.page_size=2M "
                        b"timing=external apic=x2apic budget=100 loop_us=500 target=0.5% linearity=1 verify=1 "
                        b"pinned=vcpus"),
                       ("errors", b"frobnicate=1 reps=abc only=,, iters=x:1 target=200% idle.nope=1 =")):
        os.makedirs(os.path.join(CORPUS, "options"), exist_ok=True)
        with open(os.path.join(CORPUS, "options", name), "wb") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
