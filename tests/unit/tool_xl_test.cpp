// tests/unit/tool_xl_test.cpp — tools/xl.h: the domain's xl.cfg, what it
// refuses, whether xl answers, and the --vmm xl launcher against a stand-in
// xl (a shell script that records its arguments).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tools/xl.h"

namespace hvb::tools {
namespace {

TEST(ToolXl, PvhConfig) {
    XlGuest g;
    g.name = "hvbench-1";
    g.kernel = "/srv/hvbench.elf";
    g.cmdline = "only=cpuid budget=40";
    g.vcpus = 2;
    g.memory_mib = 256;
    std::string error;
    auto c = xl_config(g, &error);
    ASSERT_TRUE(c) << error;
    EXPECT_EQ(*c,
              "name = \"hvbench-1\"\ntype = \"pvh\"\nkernel = \"/srv/hvbench.elf\"\ncmdline = \"only=cpuid budget=40\"\n"
              "memory = 256\nvcpus = 2\non_poweroff = \"destroy\"\non_reboot = \"destroy\"\non_crash = \"destroy\"\n");
}

TEST(ToolXl, HvmConfigBootsTheIsoWithoutSerialOrVga) {
    XlGuest g;
    g.type = "hvm";
    g.iso = "/hvbench/hvbench.iso";
    std::string error;
    auto c = xl_config(g, &error);
    ASSERT_TRUE(c) << error;
    EXPECT_NE(c->find("disk = [ \"file:/hvbench/hvbench.iso,hdc:cdrom,r\" ]\nboot = \"d\"\nserial = \"none\"\n"),
              std::string::npos);
    EXPECT_EQ(c->find("kernel ="), std::string::npos);
}

TEST(ToolXl, RefusesWhatXlStringsCannotHold) {
    for (const char* bad : {"a\"b", "a\\b", "a\nb"}) {
        XlGuest g;
        g.cmdline = bad;
        std::string error;
        EXPECT_FALSE(xl_config(g, &error)) << bad;
        EXPECT_NE(error.find("kernel command line"), std::string::npos) << error;
    }
    XlGuest g;
    g.type = "pv";
    std::string error;
    EXPECT_FALSE(xl_config(g, &error));
    EXPECT_NE(error.find("pvh or hvm"), std::string::npos) << error;
}

// A stand-in xl in a fresh directory: appends its arguments to calls.log
// and exits with `info_status` for `xl info`.
struct FakeXl {
    std::string dir, path;
    explicit FakeXl(int info_status) {
        char tmpl[] = "/tmp/hvb-xl-test.XXXXXX";
        dir = mkdtemp(tmpl);
        path = dir + "/xl";
        std::ofstream(path) << "#!/bin/sh\necho \"$*\" >> " << dir << "/calls.log\n"
                            << "[ \"$1\" = info ] && { echo 'xen_version : 4.17' ; exit " << info_status << "; }\nexit 0\n";
        chmod(path.c_str(), 0755);
    }
    std::string calls() const {
        std::ifstream f(dir + "/calls.log");
        std::stringstream s;
        s << f.rdbuf();
        return s.str();
    }
    ~FakeXl() { (void)system(("rm -rf " + dir).c_str()); }
};

TEST(ToolXl, UsableWhenXlInfoAnswers) {
    FakeXl ok(0), refusing(1);
    std::string why;
    EXPECT_TRUE(xl_usable(ok.path, &why)) << why;
    EXPECT_FALSE(xl_usable(refusing.path, &why));
    EXPECT_NE(why.find("info` failed"), std::string::npos) << why;
    EXPECT_FALSE(xl_usable(ok.dir + "/no-such-xl", &why));
    EXPECT_NE(why.find("cannot run"), std::string::npos) << why;
}

TEST(ToolXl, LauncherWritesTheConfigAndDestroysTheDomainAfter) {
    FakeXl xl(0);
    RunConfig cfg;
    cfg.xl = xl.path;
    cfg.smp = 2;
    cfg.memory = "512M";
    VmLauncher l = xl_launcher(cfg, "/srv/hvbench.elf", xl.dir);
    VmPlan plan;
    plan.number = 3;
    plan.cmdline = "only=cpuid";
    std::string error;
    auto argv = l.command(plan, &error);
    ASSERT_TRUE(argv) << error;
    std::string cfg_path = xl.dir + "/vm3.cfg";
    EXPECT_EQ(*argv, (std::vector<std::string>{xl.path, "create", "-c", cfg_path}));
    std::ifstream f(cfg_path);
    std::stringstream text;
    text << f.rdbuf();
    std::string name = "hvbench-" + std::to_string(getpid()) + "-3";
    EXPECT_NE(text.str().find("name = \"" + name + "\"\n"), std::string::npos) << text.str();
    EXPECT_NE(text.str().find("cmdline = \"only=cpuid\"\nmemory = 512\nvcpus = 2\n"), std::string::npos) << text.str();
    l.finished(plan);
    EXPECT_EQ(xl.calls(), "destroy " + name + "\n");
    EXPECT_NE(access(cfg_path.c_str(), F_OK), 0);  // removed
    // A command line xl cannot carry: a clear error, no command.
    plan.cmdline = "a\"b";
    EXPECT_FALSE(l.command(plan, &error));
    EXPECT_NE(error.find("double quote"), std::string::npos) << error;
}

}  // namespace
}  // namespace hvb::tools
