// tests/fakes/fake_vmm.cpp — a stand-in for QEMU running hvbench, for the
// host tool's tests: it writes the kernel's record stream (with the
// kernel's own record writers) for a scripted suite, and dies, hangs or
// reports a KVM error on cue.
//
//   hvb_fake_vmm [--benchmarks a,b:category,...] [--cmdline "only=... skip=... timer=..."]
//                [--cpu MODEL] [--refuse-cpu MODEL]   exit 1 at startup, no output, like QEMU
//                [--refuse-after-ms N]                ... after N ms (QEMU refuses a -cpu model
//                                                     once KVM's vCPUs are set up, not at once)
//                [--crash NAME]...                    abort() after NAME's begin record
//                [--hang NAME]...                     stop writing and sleep after NAME's begin
//                [--vmm-stop NAME]                    "KVM internal error" on stderr, then sleep
//                [--vmm-stop-code]                    ... and the register dump's last line, "Code=..."
//                [--crash-if-rdtscp NAME]             abort() after NAME's begin, only with timer=rdtscp
//                [--die-at-boot] [--hang-at-boot]     before the header
//                [--lose-end]                         exit after the last result, no end record
//                [--loop-us N]                        how long a marked "benchmark loop" takes (timing=external)
//                [--noise]                            human-readable lines and CRs between records
//                [--extra-cost NAME:MILLI]...         NAME's cycles dearer by MILLI thousandths of a cycle
//                                                     per iteration (a build with a regression, for the gate)
//                [--numbers]                          every numeric field of kernel/record_fields.h set
//                                                     (values: tests/fakes/fake_numbers.h)
//                [--passes N]                         the header says N passes; passes 2..N (a yardstick
//                                                     and a begin per benchmark each) come before the
//                                                     results, as the kernel's do
//
// The kernel's behaviour it copies: benchmarks sorted by name, only=/skip=
// by name or category, a begin record before each, timing markers 0x02/0x03
// around each timed loop (control, benchmark; per repetition) with
// timing=external, and QEMU's isa-debug-exit status (code << 1) | 1.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernel/record.h"
#include "tests/fakes/fake_numbers.h"

namespace {

void put(void*, const char* s, size_t n) {
    fwrite(s, 1, n, stdout);
    fflush(stdout);
}

hvb::Sink out{&put, nullptr};

// --numbers: each field of the table declared from it (`gen` rows; a
// flagged one with its has_<name>)
// set to its fake_number for the index-th benchmark.
void set_numbers(hvb::ResultRecord& rec, size_t index) {
    int row = 0;
#define HVB_FAKE_SENT_always(name)
#define HVB_FAKE_SENT_nonzero(name)
#define HVB_FAKE_SENT_flagged(name) rec.has_##name = true;
#define HVB_FAKE_DECL_hand(member, kind, sent)
#define HVB_FAKE_DECL_none(member, kind, sent)
#define HVB_FAKE_DECL_gen(member, kind, sent) \
    HVB_FAKE_SENT_##sent(member) rec.member = hvb::fake::fake_number<hvb::record_field::kind>(row++, index);
#define HVB_FAKE_NUMBER(member, kind, need, group, key, csv, unit, sent, decl, kernel, json_pos, csv_pos) \
    HVB_FAKE_DECL_##decl(member, kind, sent)
    HVB_RESULT_FIELDS(HVB_FAKE_NUMBER)
#undef HVB_FAKE_NUMBER
#undef HVB_FAKE_DECL_hand
#undef HVB_FAKE_DECL_none
#undef HVB_FAKE_DECL_gen
#undef HVB_FAKE_SENT_always
#undef HVB_FAKE_SENT_nonzero
#undef HVB_FAKE_SENT_flagged
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> v;
    size_t pos = 0;
    while (pos <= s.size()) {
        size_t e = s.find(sep, pos);
        std::string item = s.substr(pos, e == std::string::npos ? std::string::npos : e - pos);
        if (!item.empty()) v.push_back(item);
        if (e == std::string::npos) break;
        pos = e + 1;
    }
    return v;
}

[[noreturn]] void sleep_forever() {
    for (;;) pause();
}

void text(const char* s) {
    fputs(s, stdout);
    fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    std::string benchmarks = "cpuid:privileged,idle:idle,pushf_popf:unprivileged", cmdline, cpu, refuse;
    std::vector<std::string> crash, hang, extra_cost;
    std::string vmm_stop, crash_rdtscp;
    bool vmm_stop_code = false;
    bool die_at_boot = false, hang_at_boot = false, lose_end = false, noise = false, numbers = false;
    int loop_us = 200, refuse_after_ms = 0;
    uint32_t passes = 0;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (a == "--benchmarks") benchmarks = val();
        else if (a == "--cmdline") cmdline = val();
        else if (a == "--cpu") cpu = val();
        else if (a == "--refuse-cpu") refuse = val();
        else if (a == "--refuse-after-ms") refuse_after_ms = atoi(val().c_str());
        else if (a == "--crash") crash.push_back(val());
        else if (a == "--hang") hang.push_back(val());
        else if (a == "--vmm-stop") vmm_stop = val();
        else if (a == "--vmm-stop-code") vmm_stop_code = true;
        else if (a == "--crash-if-rdtscp") crash_rdtscp = val();
        else if (a == "--die-at-boot") die_at_boot = true;
        else if (a == "--hang-at-boot") hang_at_boot = true;
        else if (a == "--lose-end") lose_end = true;
        else if (a == "--noise") noise = true;
        else if (a == "--numbers") numbers = true;
        else if (a == "--extra-cost") extra_cost.push_back(val());
        else if (a == "--loop-us") loop_us = atoi(val().c_str());
        else if (a == "--passes") passes = uint32_t(atoi(val().c_str()));
        else {
            fprintf(stderr, "fake_vmm: unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    if (!refuse.empty() && cpu == refuse) {
        if (refuse_after_ms > 0) usleep(useconds_t(refuse_after_ms) * 1000);
        fprintf(stderr, "qemu-system-x86_64: can't apply global %s-x86_64-cpu.arch-capabilities=on\n", cpu.c_str());
        return 1;
    }

    std::vector<std::string> only, skip;
    std::string timer = "rdtsc";
    bool external = false;
    for (const auto& w : split(cmdline, ' ')) {
        if (w.rfind("only=", 0) == 0) only = split(w.substr(5), ',');
        else if (w.rfind("skip=", 0) == 0) skip = split(w.substr(5), ',');
        else if (w.rfind("timer=", 0) == 0) timer = w.substr(6);
        else if (w == "timing=external") external = true;
    }
    struct Bench {
        std::string name, category;
    };
    std::vector<Bench> all;
    for (const auto& spec : split(benchmarks, ',')) {
        size_t colon = spec.find(':');
        all.push_back(colon == std::string::npos ? Bench{spec, "test"}
                                                 : Bench{spec.substr(0, colon), spec.substr(colon + 1)});
    }
    auto in = [](const std::vector<std::string>& list, const Bench& b) {
        return std::find(list.begin(), list.end(), b.name) != list.end() ||
               std::find(list.begin(), list.end(), b.category) != list.end();
    };
    std::vector<Bench> sel;
    for (const auto& b : all)
        if ((only.empty() || in(only, b)) && !in(skip, b)) sel.push_back(b);
    std::sort(sel.begin(), sel.end(), [](const Bench& a, const Bench& b) { return a.name < b.name; });

    text("\nhvbench 0.1.0 (fake)\n");
    if (die_at_boot) abort();
    if (hang_at_boot) sleep_forever();
    hvb::HeaderRecord h{};
    h.cpu_vendor = "GenuineIntel";
    h.cpu_model = "Fake CPU";
    h.hypervisor = "KVMKVMKVM";
    h.timer_hz = 2000000000;
    h.timer_unit = "cycles";
    h.rate_source = "cpuid15";
    h.cpus = 1;
    h.intc = "x2apic";
    h.memory_bytes = 256u << 20;
    h.boot = "pvh";
    h.loader = "";
    h.cmdline = cmdline.c_str();
    h.timer = timer.c_str();
    h.default_reps = 5;
    h.benchmarks = uint32_t(sel.size());
    h.passes = passes;
    if (passes) h.estimator = "(p10(B) - p10(C)) / n over all passes";  // the header carries passes with it
    hvb::write_header(out, h);
    hvb::write_method(out, h);  // the kernel sends it after pass 1's first benchmark; the tool takes either
    // --passes: every pass's yardstick and begin records first, the results
    // after the last pass, as the kernel writes them.
    for (uint32_t p = 1; p <= passes; ++p) {
        if (p > 1) usleep(30000);  // a pass takes time: the reader sees each one arrive
        hvb::write_yardstick(out, hvb::YardstickRecord{p, 1000u * p, 52000, 2800, 1000});
        for (size_t i = 0; i < sel.size(); ++i)
            hvb::write_begin(out, sel[i].name.c_str(), uint32_t(i + 1), uint32_t(sel.size()), p, 1000u * p + i);
    }
    if (noise) text("cpu        Fake CPU\r\ntimer      rdtsc\r\n\r\n");

    uint32_t counts[hvb::kStatusCount] = {};
    for (size_t i = 0; i < sel.size(); ++i) {
        const Bench& b = sel[i];
        if (!passes) hvb::write_begin(out, b.name.c_str(), uint32_t(i + 1), uint32_t(sel.size()));
        auto listed = [&](const std::vector<std::string>& v) { return std::find(v.begin(), v.end(), b.name) != v.end(); };
        if (listed(crash) || (b.name == crash_rdtscp && timer == "rdtscp")) {
            fprintf(stderr, "fake_vmm: guest died in %s\n", b.name.c_str());
            abort();
        }
        if (listed(hang)) sleep_forever();
        if (b.name == vmm_stop) {
            fprintf(stderr, "KVM internal error. Suberror: 1\nextra data[0]: 0x0000000000000000\nemulation failure\n"
                            "RAX=0000000000000000 RBX=0000000000000000\n");
            if (vmm_stop_code) fprintf(stderr, "Code=00 48 85 ff 74 14 <cc> 48 ff cf 75 fa c3\n");
            sleep_forever();
        }
        uint64_t iterations = 1000;
        if (external) {
            for (int r = 0; r < 5; ++r) {
                text("\x02");
                usleep(useconds_t(loop_us / 2));
                text("\x03");
                text("\x02");
                usleep(useconds_t(loop_us));
                text("\x03");
            }
        }
        hvb::ResultRecord rec{};
        rec.name = b.name.c_str();
        rec.category = b.category.c_str();
        rec.status = hvb::Status::ok;
        rec.reason = "";
        rec.iterations = iterations;
        rec.repetitions = 5;
        int64_t extra = 0;
        for (const auto& e : extra_cost)
            if (e.rfind(b.name + ":", 0) == 0) extra += atoll(e.c_str() + b.name.size() + 1);
        rec.min_milli = 9000 + int64_t(i) + extra;
        rec.median_milli = 10000 + int64_t(i) * 1000 + extra;
        rec.mean_milli = 10100 + int64_t(i) * 1000 + extra;
        rec.mad_milli = 250;
        rec.control_median_milli = 2000;
        if (numbers) set_numbers(rec, i);
        hvb::write_result(out, rec);
        ++counts[0];
        if (noise) text((b.name + "   ok   (table row)\r\n").c_str());
    }
    if (lose_end) return 0;
    hvb::EndRecord e{};
    memcpy(e.counts, counts, sizeof counts);
    e.errors = 0;
    e.exit_code = 0;
    hvb::write_end(out, e);
    text("hvbench: done, exit code 0\n");
    return (e.exit_code << 1) | 1;
}
