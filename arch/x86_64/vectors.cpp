// arch/x86_64/vectors.cpp — the 32 x86 exception vectors by name (Intel SDM
// vol. 3, table 6-1; AMD APM vol. 2, 8.2), one table for the result records
// (short mnemonics) and the fatal-fault dump (with a description). Pure
// data, so it is built into the host library too.
#include "posih/interrupt.h"

namespace hvb {
namespace {

struct VectorName {
    const char* mnemonic;     // reserved vectors: "#R<n>", told apart from real ones
    const char* description;
};

constexpr VectorName kVectors[32] = {
    {"#DE", "divide error"},       {"#DB", "debug"},
    {"NMI", "non-maskable interrupt"}, {"#BP", "breakpoint"},
    {"#OF", "overflow"},           {"#BR", "bound range"},
    {"#UD", "invalid opcode"},     {"#NM", "device not available"},
    {"#DF", "double fault"},       {"CSO", "coprocessor segment overrun"},
    {"#TS", "invalid TSS"},        {"#NP", "segment not present"},
    {"#SS", "stack fault"},        {"#GP", "general protection"},
    {"#PF", "page fault"},         {"#R15", "reserved"},
    {"#MF", "x87 error"},          {"#AC", "alignment check"},
    {"#MC", "machine check"},      {"#XM", "SIMD error"},
    {"#VE", "virtualization exception"}, {"#CP", "control protection"},
    {"#R22", "reserved"},          {"#R23", "reserved"},
    {"#R24", "reserved"},          {"#R25", "reserved"},
    {"#R26", "reserved"},          {"#R27", "reserved"},
    {"#HV", "hypervisor injection"}, {"#VC", "VMM communication"},
    {"#SX", "security exception"}, {"#R31", "reserved"},
};

}  // namespace

const char* context_pc_name() { return "rip"; }

const char* fault_mnemonic(unsigned vector) { return vector < 32 ? kVectors[vector].mnemonic : "#??"; }
const char* fault_description(unsigned vector) { return vector < 32 ? kVectors[vector].description : "interrupt"; }

}  // namespace hvb
