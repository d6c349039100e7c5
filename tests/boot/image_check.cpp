// tests/boot/image_check.cpp — checks the kernel images the way each loader
// reads them, without booting:
//   hvbench.elf   ELF64; GRUB finds multiboot2 (first 32 KiB, 8-aligned) and
//                 multiboot1 (first 8 KiB, 4-aligned); QEMU's multiboot scan
//                 (offsets below 8192 - 48) finds no multiboot1 header, so
//                 QEMU boots it through PVH; a PT_NOTE segment with
//                 p_align 4 holds the Xen PHYS32_ENTRY note, whose address
//                 lies inside a loaded, executable segment.
//   hvbench32.elf ELF32 whose multiboot1 header QEMU's scan does find.
// Usage: hvb_image_check hvbench.elf hvbench32.elf
#include <elf.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<unsigned char>;

constexpr uint32_t kMb1Magic = 0x1BADB002, kMb2Magic = 0xE85250D6;
constexpr size_t kQemuScanEnd = 8192 - 48;   // hw/i386/multiboot.c
constexpr size_t kGrubMb1ScanEnd = 8192 - 12;  // grub-core/loader/multiboot.c
constexpr size_t kGrubMb2Scan = 32768;

int failures = 0;
void check(bool ok, const std::string& what) {
    printf("%s: %s\n", ok ? "ok  " : "FAIL", what.c_str());
    if (!ok) ++failures;
}

uint32_t u32(const Bytes& b, size_t off) {
    uint32_t v;
    memcpy(&v, b.data() + off, 4);
    return v;
}

// First offset below `end` (step `align`) holding a valid header, or -1.
long find_mb1(const Bytes& b, size_t end) {
    for (size_t off = 0; off + 12 <= b.size() && off <= end; off += 4)
        if (u32(b, off) == kMb1Magic && uint32_t(u32(b, off) + u32(b, off + 4) + u32(b, off + 8)) == 0) return long(off);
    return -1;
}
long find_mb2(const Bytes& b) {
    for (size_t off = 0; off + 16 <= b.size() && off < kGrubMb2Scan; off += 8)
        if (u32(b, off) == kMb2Magic &&
            uint32_t(u32(b, off) + u32(b, off + 4) + u32(b, off + 8) + u32(b, off + 12)) == 0)
            return long(off);
    return -1;
}

bool load(const char* path, Bytes& out) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    out.assign(std::istreambuf_iterator<char>(f), {});
    return true;
}

void check_pvh_note(const Bytes& b) {
    if (b.size() < sizeof(Elf64_Ehdr)) return check(false, "ELF64 header present");
    Elf64_Ehdr eh;
    memcpy(&eh, b.data(), sizeof eh);
    bool found = false;
    uint64_t entry = 0;
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph;
        size_t off = eh.e_phoff + size_t(i) * eh.e_phentsize;
        if (off + sizeof ph > b.size()) return check(false, "program headers inside the file");
        memcpy(&ph, b.data() + off, sizeof ph);
        if (ph.p_type != PT_NOTE) continue;
        check(ph.p_align == 4, "PT_NOTE p_align is 4 (QEMU aligns the note name to it)");
        for (size_t n = ph.p_offset; n + 12 <= ph.p_offset + ph.p_filesz;) {
            uint32_t namesz = u32(b, n), descsz = u32(b, n + 4), type = u32(b, n + 8);
            size_t name = n + 12, desc = name + ((namesz + 3) & ~3u);
            if (type == 18 && namesz == 4 && memcmp(b.data() + name, "Xen", 4) == 0 && descsz == 8) {
                memcpy(&entry, b.data() + desc, 8);
                found = true;
            }
            n = desc + ((descsz + 3) & ~3u);
        }
    }
    check(found, "Xen PHYS32_ENTRY note (type 18, 8-byte address) in a PT_NOTE segment");
    if (!found) return;
    bool in_exec = false;
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph;
        memcpy(&ph, b.data() + eh.e_phoff + size_t(i) * eh.e_phentsize, sizeof ph);
        if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) && entry >= ph.p_paddr && entry < ph.p_paddr + ph.p_filesz)
            in_exec = true;
    }
    check(in_exec && entry < (1ull << 32), "PVH entry lies in a loaded executable segment below 4 GiB");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: hvb_image_check hvbench.elf hvbench32.elf\n");
        return 2;
    }
    Bytes elf64, elf32;
    if (!load(argv[1], elf64) || !load(argv[2], elf32)) {
        fprintf(stderr, "hvb_image_check: cannot read the images\n");
        return 2;
    }
    check(elf64.size() > 4 && elf64[EI_CLASS] == ELFCLASS64, "hvbench.elf is ELF64");
    check(find_mb2(elf64) >= 0, "GRUB finds the multiboot2 header in hvbench.elf");
    check(find_mb1(elf64, kGrubMb1ScanEnd) >= 0, "GRUB finds the multiboot1 header in hvbench.elf");
    check(find_mb1(elf64, kQemuScanEnd - 4) < 0, "QEMU's multiboot scan does not see hvbench.elf's mb1 header");
    check_pvh_note(elf64);
    check(elf32.size() > 4 && elf32[EI_CLASS] == ELFCLASS32, "hvbench32.elf is ELF32");
    check(find_mb1(elf32, kQemuScanEnd - 4) >= 0, "QEMU's multiboot scan finds hvbench32.elf's mb1 header");
    return failures ? 1 : 0;
}
