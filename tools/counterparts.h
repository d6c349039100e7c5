// tools/counterparts.h — benchmarks that measure the same thing on two
// architectures under different names (an x86_64 one and its aarch64
// counterpart), so `hvbench compare` lines them up on one row; and the rows
// of Dall et al.'s microbenchmark table (seed 003, "ARM Virtualization:
// Performance and Architectural Implications", ISCA 2016, Table 2) each
// pair stands for. Benchmarks with one name on both architectures (e.g.
// hypercall, ipi) need no entry: they line up by name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hvb::tools {

struct Counterpart {
    const char* x86_64;   // the x86_64 benchmark's name
    const char* aarch64;  // its aarch64 counterpart's name
};

// Every pair, x86_64 name first.
const std::vector<Counterpart>& counterparts();

// The row a benchmark is compared on: the x86_64 name of its pair, or its
// own name when it has no counterpart under another name.
std::string_view counterpart_key(std::string_view name);

// Dall et al.'s rows and the benchmark (a row key) that measures each here;
// "" where hvbench has none (their VM switch needs two VMs on one CPU).
struct DallRow {
    const char* row;  // as the paper names it
    const char* key;
};
const std::vector<DallRow>& dall_rows();

}  // namespace hvb::tools
