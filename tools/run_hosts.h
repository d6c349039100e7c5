// tools/run_hosts.h — `hvbench run --vmm libvirt` with several --connect:
// one run per host, each a `hvbench run` of its own (this program again,
// with that host's URI and label), one after another so that no host's run
// disturbs another's -- or all at once with --parallel-hosts --, then one
// `hvbench compare` of their JSON files.
//
// Each host's results go to a file of their own, labelled by host:
// --json out.json gives out.<label>.json per host (--csv and --log alike),
// which `hvbench compare` lines up like any other results files. Without
// --json they go to a temporary directory, removed after the comparison.
#pragma once

#include <string>
#include <vector>

#include "tools/run_config.h"

namespace hvb::tools {

struct HostRun {
    std::string uri, label;     // label: libvirt_host_label, made unique, after --label if given
    std::string json, csv, log;  // this host's files ("" none)
};

// The hosts of `cfg.connect`, their labels and files (`tmp`: the directory
// for JSON files the user did not ask for).
std::vector<HostRun> plan_hosts(const RunConfig& cfg, const std::string& tmp);

// `argv` (the whole command line, "hvbench run ...") for one host: every
// --connect, --json, --csv, --log, --label and --parallel-hosts left out,
// the host's own added.
std::vector<std::string> host_argv(const std::vector<std::string>& argv, const HostRun& host);

// Runs every host, then compares them; the OR of the runs' exit statuses.
int run_hosts(const RunConfig& cfg, const std::vector<std::string>& argv);

}  // namespace hvb::tools
