// tools/pinning.cpp — --pin, VM by VM (see pinning.h).
#include "tools/pinning.h"

#include <cstdio>

namespace hvb::tools {

bool VmPinning::started(Process& p, const VmPlan& plan, std::string* err) {
    QmpClient q;
    auto alive = [](void* ctx) { return static_cast<Process*>(ctx)->running(); };
    auto fail = [&](const std::string& what) {
        if (err) *err = "--pin: " + what;
        return false;
    };
    std::string e;
    if (!q.connect(socket_, 15000, &e, alive, &p)) return fail(e);
    auto reply = q.execute("query-cpus-fast", &e);
    if (!reply) return fail(e);
    auto vcpus = parse_vcpu_threads(*reply, &e);
    if (!vcpus) return fail(e);
    auto lines = pin_vcpus(*vcpus, plan_.vcpu_cpus, &e);
    if (!lines) return fail(e);
    vm_ = Vm{&p, p.pid(), *vcpus, {}};
    if (!plan_.other_cpus.empty()) {
        auto n = pin_other_threads(p.pid(), *vcpus, plan_.other_cpus, &vm_.others, &e);
        if (!n) return fail(e);
        lines->push_back(std::to_string(*n) + " other QEMU thread(s) -> host CPU(s) " + cpu_list_text(plan_.other_cpus));
    } else {
        lines->push_back("QEMU's other threads: not pinned (no host CPU left for them)");
    }
    if (plan.number == 1) lines_ = *lines;
    if (!quiet_ && plan.number == 1)
        for (const auto& l : *lines) fprintf(stderr, "hvbench: --pin: %s\n", l.c_str());
    if (!q.execute("cont", &e)) return fail(e);
    return true;
}

std::optional<std::string> VmPinning::sweep(int64_t now_ms) {
    if (!vm_.proc || plan_.other_cpus.empty() || !error_.empty() || now_ms - last_sweep_ < 1000 ||
        !vm_.proc->running())
        return std::nullopt;
    last_sweep_ = now_ms;
    std::string err;
    if (pin_other_threads(vm_.pid, vm_.vcpus, plan_.other_cpus, &vm_.others, &err)) return std::nullopt;
    error_ = err;
    return err;
}

}  // namespace hvb::tools
