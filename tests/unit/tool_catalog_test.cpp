// tests/unit/tool_catalog_test.cpp — the benchmark list read out of a kernel
// image: a synthetic ELF64/ELF32, and the real build/hvbench.elf when built.
#include <elf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "kernel/protocol.h"
#include "tools/catalog.h"
#include "tools/results.h"

namespace {

using namespace hvb::tools;

struct Spec {
    const char* name;
    const char* category;
    uint32_t flags;
};

// An image with .rodata (the strings, at 0x100000) and .benchmarks (the
// descriptors, at 0x200000), like the kernel's, in either ELF class.
template <typename Ehdr, typename Shdr>
std::string Image(const std::vector<Spec>& specs, unsigned char elf_class) {
    std::string rodata, table, shstr = std::string("\0.rodata\0.benchmarks\0.shstrtab\0", 31);
    const uint64_t rodata_addr = 0x100000, table_addr = 0x200000;
    for (const auto& s : specs) {
        // A descriptor as kernel/protocol.h lays it out; the other bytes are
        // the kernel's business and left as noise the reader must skip.
        uint64_t name = rodata_addr + rodata.size();
        rodata.append(s.name, strlen(s.name) + 1);
        uint64_t cat = rodata_addr + rodata.size();
        rodata.append(s.category, strlen(s.category) + 1);
        std::string bytes(hvb::kDescriptorSize, '\x5a');
        memcpy(bytes.data() + hvb::kDescriptorNameOffset, &name, 8);
        memcpy(bytes.data() + hvb::kDescriptorCategoryOffset, &cat, 8);
        memcpy(bytes.data() + hvb::kDescriptorFlagsOffset, &s.flags, 4);
        table += bytes;
    }
    Ehdr eh{};
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = elf_class;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_shentsize = sizeof(Shdr);
    eh.e_shnum = 4;
    eh.e_shstrndx = 3;
    std::string body(sizeof eh, '\0');
    size_t rodata_off = body.size();
    body += rodata;
    size_t table_off = body.size();
    body += table;
    size_t shstr_off = body.size();
    body += shstr;
    eh.e_shoff = body.size();
    memcpy(body.data(), &eh, sizeof eh);
    Shdr sh[4] = {};
    sh[1].sh_name = 1;
    sh[1].sh_type = SHT_PROGBITS;
    sh[1].sh_flags = SHF_ALLOC;
    sh[1].sh_addr = rodata_addr;
    sh[1].sh_offset = rodata_off;
    sh[1].sh_size = rodata.size();
    sh[2].sh_name = 9;
    sh[2].sh_type = SHT_PROGBITS;
    sh[2].sh_flags = SHF_ALLOC;
    sh[2].sh_addr = table_addr;
    sh[2].sh_offset = table_off;
    sh[2].sh_size = table.size();
    sh[3].sh_name = 21;
    sh[3].sh_type = SHT_STRTAB;
    sh[3].sh_offset = shstr_off;
    sh[3].sh_size = shstr.size();
    body.append(reinterpret_cast<const char*>(sh), sizeof sh);
    return body;
}

std::string Write(const std::string& bytes) {
    char path[] = "/tmp/hvb-catalog-test.XXXXXX";
    int fd = mkstemp(path);
    EXPECT_GE(fd, 0);
    close(fd);
    std::string err;
    EXPECT_TRUE(write_text_file(path, bytes, &err)) << err;
    return path;
}

const std::vector<Spec> kSpecs = {{"pushf_popf", "unprivileged", 0}, {"cpuid", "privileged", 0},
                                  {"selftest_ud", "selftest", hvb::kDescriptorOptIn}, {"idle", "idle", 0},
                                  {"wbinvd", "privileged", 0}};

TEST(ToolCatalog, ReadsElf64AndElf32Images) {
    for (int cls : {ELFCLASS64, ELFCLASS32}) {
        std::string path = Write(cls == ELFCLASS64 ? Image<Elf64_Ehdr, Elf64_Shdr>(kSpecs, ELFCLASS64)
                                                   : Image<Elf32_Ehdr, Elf32_Shdr>(kSpecs, ELFCLASS32));
        std::string err;
        auto t = read_benchmark_table(path, &err);
        unlink(path.c_str());
        ASSERT_TRUE(t) << err;
        ASSERT_EQ(t->size(), 5u);
        EXPECT_EQ((*t)[0].name, "pushf_popf");
        EXPECT_EQ((*t)[0].category, "unprivileged");
        EXPECT_EQ((*t)[2].flags, uint32_t(hvb::kDescriptorOptIn));
    }
}

std::vector<std::string> Names(const std::vector<CatalogEntry>& v) {
    std::vector<std::string> out;
    for (const auto& e : v) out.push_back(e.name);
    return out;
}

TEST(ToolCatalog, SelectsLikeTheKernel) {
    std::vector<CatalogEntry> t;
    for (const auto& s : kSpecs) t.push_back(CatalogEntry{s.name, s.category, s.flags});
    EXPECT_EQ(Names(select_from_catalog(t, "")), (std::vector<std::string>{"cpuid", "idle", "pushf_popf", "wbinvd"}));
    EXPECT_EQ(Names(select_from_catalog(t, "only=privileged,selftest skip=wbinvd")),
              (std::vector<std::string>{"cpuid", "selftest_ud"}));
    EXPECT_EQ(Names(select_from_catalog(t, "skip=idle,cpuid timer=rdtsc reps=3")),
              (std::vector<std::string>{"pushf_popf", "wbinvd"}));
    EXPECT_EQ(select_from_catalog(t, "only=cpuid")[0].category, "privileged");
}

TEST(ToolCatalog, RejectsWhatIsNotAKernelImage) {
    std::string err;
    EXPECT_FALSE(read_benchmark_table("/nonexistent/hvbench.elf", &err));
    std::string path = Write("not an elf at all");
    EXPECT_FALSE(read_benchmark_table(path, &err));
    EXPECT_NE(err.find("not an ELF"), std::string::npos);
    std::string img = Image<Elf64_Ehdr, Elf64_Shdr>(kSpecs, ELFCLASS64);
    std::string truncated = img.substr(0, img.size() - 10);
    std::string p2 = Write(truncated);
    EXPECT_FALSE(read_benchmark_table(p2, &err));
    unlink(path.c_str());
    unlink(p2.c_str());
}

TEST(ToolCatalog, TheBuiltKernel) {
#ifdef HVB_KERNEL_ELF
    if (access(HVB_KERNEL_ELF, R_OK) != 0) GTEST_SKIP() << HVB_KERNEL_ELF << " not built yet";
    std::string err;
    auto t = read_benchmark_table(HVB_KERNEL_ELF, &err);
    ASSERT_TRUE(t) << err;
    auto names = Names(select_from_catalog(*t, ""));
    for (const char* n : {"cpuid", "idle", "pushf_popf"})
        EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    for (const auto& n : names) EXPECT_EQ(n.rfind("selftest", 0), std::string::npos) << "opt-in " << n;
#else
    GTEST_SKIP() << "the kernel is not part of this build";
#endif
}

}  // namespace
