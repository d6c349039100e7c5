// kernel/params.cpp — checks and applies benchmark parameter overrides.
#include "kernel/params.h"

#include "kernel/message.h"

namespace hvb {
namespace {

bool named(const char* name, Str s) { return name && s.equals(name); }

}  // namespace

size_t apply_params(const Benchmark* table, size_t n, const Options& opts, ParamError* errors, size_t max_errors) {
    ErrorList<ParamError> errs{errors, max_errors, 0};
    for (size_t i = 0; i < opts.params_count; ++i) {
        const Options::ParamOverride& o = opts.params[i];
        const Benchmark* bench = nullptr;
        for (size_t b = 0; b < n && !bench; ++b)
            if (named(table[b].name, o.bench)) bench = &table[b];
        if (!bench) {
            errs.add().text("'").input(o.text).text("': no benchmark named '").input(o.bench).text("'");
            continue;
        }
        const BenchParam* param = nullptr;
        for (uint32_t p = 0; p < bench->param_count && bench->params && !param; ++p)
            if (named(bench->params[p].name, o.param)) param = &bench->params[p];
        if (!param) {
            Message m = errs.add();
            m.text("'").input(o.text).text("': ").text(bench->name).text(" has no parameter '").input(o.param);
            if (bench->param_count == 0) {
                m.text("' (it has none)");
            } else {
                m.text("' (it has ");
                for (uint32_t p = 0; p < bench->param_count; ++p) m.text(p ? ", " : "").text(bench->params[p].name);
                m.text(")");
            }
            continue;
        }
        if (o.value < param->min || o.value > param->max) {
            errs.add().text("'").input(o.text).text("': must be ").number(param->min).text("..").number(param->max);
            continue;
        }
        *param->value = o.value;
    }
    return errs.count;
}

}  // namespace hvb
