// kernel/selfcheck.cpp — the boot self-checks (kernel/selfcheck.h).
#include "kernel/selfcheck.h"

#include "posih/console.h"
#include "posih/cpu.h"
#include "posih/format.h"
#include "posih/interrupt.h"
#include "posih/memory.h"
#include "posih/ops.h"
#include "posih/smp.h"
#include "posih/stats.h"
#include "posih/timer.h"

namespace hvb {
namespace {

constexpr uint32_t kMaxChecked = 256;
int64_t round_trips[kMaxChecked];
int64_t scratch[kMaxChecked];

void report_cpu(void* arg) { *static_cast<volatile uint32_t*>(arg) = this_cpu(); }

constexpr uint64_t kCheckBytes = 64ull << 20;
constexpr uint64_t kCheckVirt = 0x0000010000000000ull;  // 1 TiB: nothing lives there
constexpr uint64_t kPattern = 0x5A17C0DE00000000ull;

volatile uint64_t probe_sink;
void probe_read(void* arg) { probe_sink = *static_cast<volatile uint64_t*>(arg); }

bool check_mmu_with(PageSize size, const char* label, void (*fail)(const char*)) {
    char line[160];
    uint64_t phys = page_allocator().alloc_contiguous(PageSize::k2M, kCheckBytes / uint64_t(PageSize::k2M));
    if (!phys) {
        fail("self-check mmu: not enough free memory for 64 MiB");
        return false;
    }
    AddressSpace as = current_address_space();
    uint64_t step = uint64_t(size);
    bool ok = true;
    for (uint64_t off = 0; ok && off < kCheckBytes; off += step) {
        if (!install_pte(as, kCheckVirt + off, phys + off, size, kMapWritable)) {
            snformat(line, sizeof line, "self-check mmu (%s): install_pte failed at offset 0x%lx", label, off);
            fail(line);
            ok = false;
        }
    }
    // Write every 4 KiB page through the new mapping, read it back through
    // the identity map: the translation must land exactly there.
    for (uint64_t off = 0; ok && off < kCheckBytes; off += kPageSize)
        *reinterpret_cast<volatile uint64_t*>(kCheckVirt + off) = kPattern ^ off;
    for (uint64_t off = 0; ok && off < kCheckBytes; off += kPageSize) {
        uint64_t got = *reinterpret_cast<volatile uint64_t*>(phys + off);
        if (got != (kPattern ^ off) || translate(as, kCheckVirt + off) != phys + off) {
            snformat(line, sizeof line, "self-check mmu (%s): page at offset 0x%lx did not map to 0x%lx", label,
                     off, phys + off);
            fail(line);
            ok = false;
        }
    }
    for (uint64_t off = 0; off < kCheckBytes; off += step) {
        uint64_t got = unmap_page(as, kCheckVirt + off);
        if (ok && got != step) {
            snformat(line, sizeof line, "self-check mmu (%s): unmap at offset 0x%lx returned %lu", label, off, got);
            fail(line);
            ok = false;
        }
    }
    tlb_flush_all();
    // After unmapping, the first and last page must be gone from the tables
    // and from the TLB: reading them takes a page fault.
    const uint64_t probes[] = {0, kCheckBytes - kPageSize};
    for (uint64_t off : probes) {
        CpuFault fault{};
        void* addr = reinterpret_cast<void*>(kCheckVirt + off);
        if (ok && (translate(as, kCheckVirt + off) != ~0ull || guarded_call(probe_read, addr, &fault) ||
                   fault.number != fault_number(FaultKind::page_fault))) {
            snformat(line, sizeof line, "self-check mmu (%s): offset 0x%lx still readable after unmap", label, off);
            fail(line);
            ok = false;
        }
    }
    page_allocator().free(phys, PageSize::k2M, kCheckBytes / uint64_t(PageSize::k2M));
    if (ok) kprintf("self-check mmu: 64 MiB mapped with %s pages, touched, unmapped, verified\n", label);
    return ok;
}

volatile uint32_t ipis_seen;
volatile bool timer_fired;
bool count_ipi(InterruptContext&) {
    ipis_seen = ipis_seen + 1;
    return true;
}
void note_timer() { timer_fired = true; }

uint64_t cycles_per_us() {
    uint64_t hz = timer_selected().hz;
    return hz ? hz / 1000000 : 1000;  // a 1 GHz guess when unknown
}

// Spins with interrupts on until *flag or `us` microseconds pass; returns
// the cycles waited.
uint64_t wait_for(const volatile bool* flag, const volatile uint32_t* counter, uint64_t us) {
    InterruptsOn on;
    uint64_t start = rdtimer(), limit = us * cycles_per_us();
    while ((flag ? !*flag : *counter == 0) && rdtimer() - start < limit) {
    }
    return rdtimer() - start;
}

volatile uint64_t scratch_word;

// Contended counter: every CPU adds kLockRounds under the lock, with a
// read-pause-write that loses updates unless the lock excludes the others.
constexpr uint32_t kLockRounds = 2000;
Spinlock counter_lock;
volatile uint64_t counter;
void bump_counter(void*) {
    for (uint32_t i = 0; i < kLockRounds; ++i) {
        SpinlockGuard g(counter_lock);
        uint64_t v = counter;
        cpu_relax();
        counter = v + 1;
    }
}

volatile uint32_t broadcast_seen;
bool count_broadcast(InterruptContext&) {
    __atomic_add_fetch(&broadcast_seen, 1u, __ATOMIC_RELAXED);
    return true;
}

bool check_setup_mmu(void (*fail)(const char*)) {
    char line[160];
    PageSize size = has_1g_pages() ? PageSize::k1G : PageSize::k2M;
    const char* label = size == PageSize::k1G ? "1 GiB" : "2 MiB";
    AddressSpace built{}, old = current_address_space();
    uint64_t tables = 0;
    if (!setup_mmu(size, &built, &tables)) {
        snformat(line, sizeof line, "self-check mmu: setup_mmu with %s pages ran out of memory", label);
        fail(line);
        return false;
    }
    switch_address_space(built);
    scratch_word = 0x600DF00D;  // kernel data, stack and code all reached through the new tables
    bool ok = scratch_word == 0x600DF00D && current_address_space().root == built.root;
    switch_address_space(old);
    destroy_address_space(built);
    if (!ok) {
        fail("self-check mmu: the address space setup_mmu built did not map the kernel");
        return false;
    }
    kprintf("self-check mmu: setup_mmu mapped all RAM 1:1 with %s pages (%lu table pages), ran on it\n", label,
            tables);
    return true;
}

}  // namespace

bool selfcheck_interrupts(void (*fail)(const char*)) {
    char line[160];
    bool ok = true;
    set_interrupt_handler(InterruptRole::benchmark, count_ipi);
    ipis_seen = 0;
    send_ipi_self(InterruptRole::benchmark);
    wait_for(nullptr, &ipis_seen, 100000);
    set_interrupt_handler(InterruptRole::benchmark, nullptr);
    if (ipis_seen != 1) {
        snformat(line, sizeof line, "self-check interrupts: a self-IPI arrived %u times, expected once", ipis_seen);
        fail(line);
        ok = false;
    }
    timer_fired = false;
    constexpr uint64_t kTimerUs = 2000;
    if (!timer_oneshot(kTimerUs * 1000, note_timer)) {
        fail("self-check interrupts: the one-shot timer could not be calibrated");
        return false;
    }
    uint64_t waited = wait_for(&timer_fired, nullptr, 1000000);
    if (!timer_fired) {
        timer_cancel();
        fail("self-check interrupts: the one-shot timer did not fire within 1 s");
        return false;
    }
    if (ok)
        kprintf("self-check interrupts: self-IPI delivered; %lu us one-shot timer fired after %lu us (%s, %s)\n",
                kTimerUs, waited / cycles_per_us(), timer_oneshot_source(), interrupt_controller_mode());
    return ok;
}

bool selfcheck_smp(void (*fail)(const char*)) {
    char line[160];
    uint32_t n = cpu_count();
    uint32_t answered = 0;
    for (uint32_t cpu = 1; cpu < n && cpu < kMaxChecked; ++cpu) {
        volatile uint32_t who = ~0u;
        uint64_t start = rdtimer();
        bool done = on_cpu(cpu, report_cpu, const_cast<uint32_t*>(&who), true);
        round_trips[answered] = int64_t(rdtimer() - start);
        if (!done || who != cpu) {
            snformat(line, sizeof line, "self-check smp: CPU %u %s", cpu,
                     done ? "answered as another CPU" : "did not answer an on_cpu call within 1 s");
            fail(line);
            continue;
        }
        ++answered;
    }
    if (answered + 1 != n) return false;
    if (n > 1) {
        counter = 0;
        bool all = on_all_cpus(bump_counter, nullptr, true);
        if (!all || counter != uint64_t(kLockRounds) * n) {
            snformat(line, sizeof line, "self-check smp: %u CPUs under a spinlock counted %lu, expected %lu", n,
                     uint64_t(counter), uint64_t(kLockRounds) * n);
            fail(line);
            return false;
        }
        broadcast_seen = 0;
        set_interrupt_handler(InterruptRole::benchmark, count_broadcast);
        send_ipi_all_others(InterruptRole::benchmark);
        uint64_t start = rdtimer();
        while (broadcast_seen < n - 1 && rdtimer() - start < 1000000 * cycles_per_us()) {
        }
        uint64_t settle = rdtimer();  // let a duplicate show up
        while (rdtimer() - settle < 1000 * cycles_per_us()) {
        }
        set_interrupt_handler(InterruptRole::benchmark, nullptr);
        if (broadcast_seen != n - 1) {
            snformat(line, sizeof line, "self-check smp: an all-but-self IPI reached %u CPUs, expected %u",
                     broadcast_seen, n - 1);
            fail(line);
            return false;
        }
    }
    if (answered) {
        Summary s = summarize(round_trips, answered, scratch);
        kprintf("self-check smp: %u of %u APs answered an on_cpu round trip (median %ld cycles); "
                "spinlock and all-but-self IPI ok\n",
                answered, n - 1, s.median);
    } else {
        kprintf("self-check smp: 1 CPU, nothing to check\n");
    }
    return true;
}

bool selfcheck_mmu(void (*fail)(const char*)) {
    bool ok = check_mmu_with(PageSize::k4K, "4 KiB", fail);
    ok = check_mmu_with(PageSize::k2M, "2 MiB", fail) && ok;
    return check_setup_mmu(fail) && ok;
}

}  // namespace hvb
