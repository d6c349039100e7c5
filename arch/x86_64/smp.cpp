// arch/x86_64/smp.cpp — per-CPU tables, starting the APs, on_cpu, spinlocks.
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/vectors.h"
#include "posih/console.h"
#include "posih/cpu.h"
#include "posih/format.h"
#include "posih/interrupt.h"
#include "posih/memory.h"
#include "posih/smp.h"

extern "C" const char hvb_trampoline_start[];
extern "C" const char hvb_trampoline_end[];
extern "C" const char hvb_trampoline_params[];
extern "C" const uint64_t hvb_isr_stubs[256];

namespace hvb {
namespace x86 {
namespace {

constexpr uint32_t kMsrGsBase = 0xC0000101;
constexpr unsigned kIstFault = 1;
constexpr uint64_t kApStackBytes = 16 * 1024;

PerCpu cpus[kMaxCpus];
uint32_t online_count = 1;

struct [[gnu::packed]] IdtGate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};
static_assert(sizeof(IdtGate) == 16);

struct [[gnu::packed]] TablePointer {
    uint16_t limit;
    uint64_t base;
};

alignas(16) IdtGate idt[256];
bool idt_built;

void build_idt() {
    for (unsigned v = 0; v < 256; ++v) {
        uint64_t target = hvb_isr_stubs[v];
        IdtGate& g = idt[v];
        g.offset_low = target & 0xFFFF;
        g.selector = kCodeSelector;
        g.ist = (v == 2 || v == 8 || v == 18) ? kIstFault : 0;  // NMI, #DF, #MC
        g.type_attr = 0x8E;  // present, DPL 0, 64-bit interrupt gate
        g.offset_mid = (target >> 16) & 0xFFFF;
        g.offset_high = uint32_t(target >> 32);
        g.reserved = 0;
    }
    idt_built = true;
}

}  // namespace

PerCpu& cpu_data(uint32_t index) { return cpus[index]; }

void load_cpu_tables(uint32_t index) {
    PerCpu& c = cpus[index];
    c.self = &c;
    c.index = index;
    // Flat 64-bit code and data, then the 16-byte TSS descriptor
    // (SDM vol. 3, 7.2.3 and 3.5).
    c.gdt[0] = 0;
    c.gdt[1] = 0x00AF9A000000FFFFull;
    c.gdt[2] = 0x00CF92000000FFFFull;
    uint64_t base = reinterpret_cast<uint64_t>(&c.tss);
    uint64_t limit = sizeof(Tss) - 1;
    c.gdt[3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) | (((limit >> 16) & 0xF) << 48) |
               (((base >> 24) & 0xFF) << 56);
    c.gdt[4] = base >> 32;
    c.tss.ist[kIstFault - 1] = reinterpret_cast<uint64_t>(c.fault_stack + sizeof(c.fault_stack));
    c.tss.iomap_base = sizeof(Tss);  // no I/O permission bitmap

    TablePointer gp{sizeof(c.gdt) - 1, reinterpret_cast<uint64_t>(c.gdt)};
    asm volatile(
        "lgdt %0\n\t"
        "pushq %1\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movw %w2, %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%ss\n\t"
        "ltr %w3"
        :
        : "m"(gp), "i"(kCodeSelector), "r"(uint32_t(kDataSelector)), "r"(uint32_t(kTssSelector))
        : "rax", "memory");
    wrmsr(kMsrGsBase, reinterpret_cast<uint64_t>(&c));

    if (!idt_built) build_idt();
    TablePointer ip{sizeof(idt) - 1, reinterpret_cast<uint64_t>(idt)};
    asm volatile("lidt %0" ::"m"(ip) : "memory");
}

}  // namespace x86

using namespace x86;

namespace {

// Runs the posted call, if any (interrupt context, vector kVectorCallFunction).
bool call_function_ipi(InterruptContext&) {
    PerCpu& c = current_cpu();
    uint64_t seq = c.seq;
    if (c.done != seq) {
        void (*fn)(void*) = c.call_fn;
        void* arg = c.call_arg;
        fn(arg);
        __atomic_store_n(&c.done, seq, __ATOMIC_RELEASE);
    }
    return true;
}

}  // namespace

extern "C" [[noreturn]] void hvb_ap_main(uint32_t index) {
    load_cpu_tables(index);
    apic_init_ap();
    PerCpu& c = cpu_data(index);
    c.apic_id = apic_id();
    __atomic_store_n(&c.online, 1u, __ATOMIC_RELEASE);
    // Idle: wake for IPIs, go back to sleep. STI's one-instruction shadow
    // makes "sti; hlt" free of the lost-wakeup race.
    for (;;) asm volatile("sti; hlt; cli" ::: "memory");
}

uint32_t this_cpu() { return current_cpu().index; }
uint64_t cpu_hardware_id(uint32_t cpu) { return cpu < kMaxCpus ? cpu_data(cpu).apic_id : 0; }

uint32_t smp_init(void (*warn)(const char*)) {
    char line[160];
    set_interrupt_handler(kVectorCallFunction, call_function_ipi);
    PerCpu& bsp = cpu_data(0);
    bsp.apic_id = apic_id();
    bsp.online = 1;

    uint32_t listed = 0;
    const uint32_t* ids = madt_apic_ids(&listed);
    if (listed <= 1) return online_count;

    // The trampoline goes to the first free page below 1 MiB the memory map
    // calls usable (the SIPI vector is a page number below 0x100).
    uint64_t page = low_memory_page();
    if (!page) {
        warn("no usable page below 1 MiB for the AP trampoline: running on 1 CPU");
        return online_count;
    }
    // The 10 ms wait after INIT is for old processors; Linux skips it on
    // Intel family 6 and later and AMD family 0Fh and later
    // (smp_quirk_init_udelay), and a hypervisor's virtual CPUs take INIT at
    // once. 10 ms is a tenth of a TCG guest's whole start.
    const CpuInfo& cpu = cpu_info();
    bool intel = __builtin_memcmp(cpu.vendor, "GenuineIntel", 12) == 0;
    bool amd = __builtin_memcmp(cpu.vendor, "AuthenticAMD", 12) == 0;
    bool modern = (intel && cpu.family >= 6) || (amd && cpu.family >= 0xF);
    const uint64_t init_delay_us = cpu.hypervisor_present || modern ? 0 : 10000;
    size_t size = size_t(hvb_trampoline_end - hvb_trampoline_start);
    auto* dst = reinterpret_cast<char*>(page);
    __builtin_memcpy(dst, hvb_trampoline_start, size);
    auto* params = reinterpret_cast<volatile uint64_t*>(dst + (hvb_trampoline_params - hvb_trampoline_start));

    for (uint32_t i = 0; i < listed; ++i) {
        if (ids[i] == bsp.apic_id) continue;
        uint32_t index = online_count;
        if (index >= kMaxCpus) {
            snformat(line, sizeof line, "more than %u CPUs: the rest stay off", kMaxCpus);
            warn(line);
            break;
        }
        uint64_t stack = page_allocator().alloc_contiguous(PageSize::k4K, kApStackBytes / 4096);
        if (!stack) {
            warn("out of memory for AP stacks");
            break;
        }
        PerCpu& c = cpu_data(index);
        c.online = 0;
        params[0] = read_cr3();
        params[1] = stack + kApStackBytes;
        params[2] = reinterpret_cast<uint64_t>(&hvb_ap_main);
        params[3] = index;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);

        // INIT, 10 ms, SIPI, 200 us, SIPI (SDM vol. 3, 8.4.4.1). The second
        // SIPI is skipped once the AP is running.
        uint32_t id = ids[i];
        apic_send(id, kIcrInit | kIcrAssert | kIcrLevelTrigger);
        tsc_delay_us(init_delay_us);
        uint32_t vector = uint32_t(page >> 12);
        apic_send(id, kIcrStartup | vector);
        tsc_delay_us(200);
        if (!__atomic_load_n(&c.online, __ATOMIC_ACQUIRE)) apic_send(id, kIcrStartup | vector);
        // Wait up to 1 s for the AP to check in.
        uint64_t deadline = tsc_now() + tsc_from_us(1000000);
        while (!__atomic_load_n(&c.online, __ATOMIC_ACQUIRE) && tsc_now() < deadline) pause();
        if (!c.online) {
            snformat(line, sizeof line, "CPU with APIC ID %u did not start", id);
            warn(line);
            page_allocator().free(stack, PageSize::k4K, kApStackBytes / 4096);
            continue;
        }
        ++online_count;
    }
    return online_count;
}

uint32_t cpu_count() { return x86::online_count; }

bool on_cpu(uint32_t cpu, void (*fn)(void*), void* arg, bool wait) {
    if (cpu >= online_count) return false;
    if (cpu == this_cpu()) {
        fn(arg);
        return true;
    }
    PerCpu& c = cpu_data(cpu);
    uint64_t deadline = tsc_now() + tsc_from_us(1000000);
    // Claim the mailbox: wait out a previous caller's request.
    while (__atomic_exchange_n(&c.busy, 1u, __ATOMIC_ACQUIRE)) {
        if (tsc_now() > deadline) return false;
        pause();
    }
    while (__atomic_load_n(&c.done, __ATOMIC_ACQUIRE) != c.seq) {
        if (tsc_now() > deadline) {
            __atomic_store_n(&c.busy, 0u, __ATOMIC_RELEASE);
            return false;
        }
        pause();
    }
    c.call_fn = fn;
    c.call_arg = arg;
    uint64_t seq = c.seq + 1;
    __atomic_store_n(&c.seq, seq, __ATOMIC_RELEASE);
    __atomic_store_n(&c.busy, 0u, __ATOMIC_RELEASE);
    send_ipi(cpu, kVectorCallFunction);
    if (!wait) return true;
    while (__atomic_load_n(&c.done, __ATOMIC_ACQUIRE) != seq) {
        if (tsc_now() > deadline) return false;
        pause();
    }
    return true;
}

bool on_all_cpus(void (*fn)(void*), void* arg, bool wait) {
    bool ok = true;
    uint32_t me = this_cpu();
    for (uint32_t cpu = 0; cpu < online_count; ++cpu)
        if (cpu != me) ok = on_cpu(cpu, fn, arg, false) && ok;
    fn(arg);
    if (!wait) return ok;
    for (uint32_t cpu = 0; cpu < online_count; ++cpu) {
        if (cpu == me) continue;
        PerCpu& c = cpu_data(cpu);
        uint64_t deadline = tsc_now() + tsc_from_us(1000000);
        while (__atomic_load_n(&c.done, __ATOMIC_ACQUIRE) != c.seq && tsc_now() < deadline) pause();
        ok = ok && c.done == c.seq;
    }
    return ok;
}

void send_ipi(uint32_t cpu, unsigned vector) { apic_send(uint32_t(cpu_hardware_id(cpu)), kIcrFixed | kIcrAssert | vector); }
void send_ipi_all_others(unsigned vector) { apic_send(0, kIcrFixed | kIcrAssert | kIcrAllButSelf | vector); }
void send_ipi_self(unsigned vector) { apic_send(0, kIcrFixed | kIcrAssert | kIcrSelf | vector); }
void interrupt_eoi() { apic_eoi(); }
const char* interrupt_controller_mode() { return apic_x2apic() ? "x2apic" : "xapic"; }
bool interrupt_controller_memory_mapped() { return !apic_x2apic(); }

void Spinlock::lock() {
    while (__atomic_exchange_n(&locked_, 1u, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&locked_, __ATOMIC_RELAXED)) pause();
}
bool Spinlock::try_lock() { return !__atomic_exchange_n(&locked_, 1u, __ATOMIC_ACQUIRE); }
void Spinlock::unlock() { __atomic_store_n(&locked_, 0u, __ATOMIC_RELEASE); }

}  // namespace hvb
