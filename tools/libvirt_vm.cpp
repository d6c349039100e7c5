// tools/libvirt_vm.cpp — the per-VM process of `hvbench run --vmm libvirt`
// (see libvirt_host.h libvirt_vm_main): one transient domain, its console
// stream copied to stdout, its lifecycle events said on stderr.
//
// The crash-and-resume driver (tools/run.h) runs this process as it runs
// QEMU: it reads the console bytes from our stdout and our messages from our
// stderr, and kills us when the guest hangs. The domain is created with
// VIR_DOMAIN_START_AUTODESTROY, so libvirt destroys it when our connection
// closes, however we end.
//
// Nothing the kernel wrote may be lost at the end (docs/running.md): a
// console pty drops its unread bytes when QEMU closes it, so the kernel is
// told `exit=halt` (tools/libvirt_launch.cpp) and this process ends the
// domain itself once the stream carried the end record and then fell quiet;
// a domain the hypervisor paused is likewise read to quiet before it is
// destroyed.
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "tools/libvirt_host.h"
#include "tools/timing.h"

namespace hvb::tools {
namespace {

void quiet_errors(void*, virErrorPtr) {}

std::string last_error() {
    const char* m = virGetLastErrorMessage();
    return m ? m : "unknown libvirt error";
}

const char* paused_reason(int r) {
    switch (r) {
        case VIR_DOMAIN_PAUSED_IOERROR: return "I/O error";
        case VIR_DOMAIN_PAUSED_WATCHDOG: return "watchdog";
        case VIR_DOMAIN_PAUSED_SHUTTING_DOWN: return "shutting down";
        case VIR_DOMAIN_PAUSED_CRASHED: return "guest crashed";
        case VIR_DOMAIN_PAUSED_USER: return "paused by a user";
        default: return "internal error or unknown (QEMU's 'KVM internal error' or 'emulation failure' end here)";
    }
}

const char* stopped_detail(int d) {
    switch (d) {
        case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN: return "shut down";
        case VIR_DOMAIN_EVENT_STOPPED_DESTROYED: return "destroyed";
        case VIR_DOMAIN_EVENT_STOPPED_CRASHED: return "the hypervisor process exited";
        case VIR_DOMAIN_EVENT_STOPPED_FAILED: return "failed";
        default: return "stopped";
    }
}

// How long the console must stay quiet, once the kernel has finished or the
// guest was paused, before the domain is destroyed: the last bytes travel
// from QEMU through libvirtd's stream in well under this.
constexpr int kQuietMs = 300;

struct VmState {
    virDomainPtr dom = nullptr;
    virStreamPtr stream = nullptr;
    SerialStream records;     // the console as read, for the end record
    bool done = false;        // leave the event loop
    bool stopped = false;     // the domain is gone, or is to go once the console is quiet
    int exit_code = 0;
    int drain_timer = -1;     // the domain is gone: a moment for the stream's end
    int quiet_timer = -1;     // destroy the domain when the console stays quiet this long
};

void on_quiet(int, void* opaque) {
    auto* s = static_cast<VmState*>(opaque);
    virDomainDestroy(s->dom);
    s->done = true;
}

// From now on the domain ends once the console has been quiet for kQuietMs.
void end_when_quiet(VmState& s) {
    if (s.quiet_timer < 0) s.quiet_timer = virEventAddTimeout(kQuietMs, on_quiet, &s, nullptr);
}

void write_all(const char* p, size_t n) {
    while (n > 0) {
        ssize_t w = write(1, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;  // the driver has gone
        p += w;
        n -= size_t(w);
    }
}

void on_console(virStreamPtr st, int events, void* opaque) {
    auto* s = static_cast<VmState*>(opaque);
    char buf[4096];
    for (;;) {
        int n = virStreamRecv(st, buf, sizeof buf);
        if (n > 0) {
            write_all(buf, size_t(n));
            s->records.feed(std::string_view(buf, size_t(n)), 0);
            if (s->quiet_timer >= 0) virEventUpdateTimeout(s->quiet_timer, kQuietMs);
            else if (s->records.log().end) end_when_quiet(*s);
            continue;
        }
        if (n == -2 && !(events & (VIR_STREAM_EVENT_HANGUP | VIR_STREAM_EVENT_ERROR))) return;  // nothing more yet
        s->done = true;  // end of the console, or an error: the VM is over
        virStreamEventRemoveCallback(st);
        return;
    }
}

void on_drained(int, void* opaque) { static_cast<VmState*>(opaque)->done = true; }

// The hypervisor stopped the guest: say why (tools/run.cpp reads this line),
// and end the domain once its console is read to the end (QEMU keeps a
// paused guest's console open).
void stopped_by_hypervisor(VmState& s, const std::string& why) {
    fprintf(stderr, "%s: %s\n", kLibvirtStopMessage, why.c_str());
    fflush(stderr);
    s.exit_code = 3;
    s.stopped = true;
    end_when_quiet(s);
}

int on_lifecycle(virConnectPtr, virDomainPtr dom, int event, int detail, void* opaque) {
    auto* s = static_cast<VmState*>(opaque);
    if (s->stopped) return 0;
    if (event == VIR_DOMAIN_EVENT_SUSPENDED) {
        // The tool never pauses its domains: a pause is the hypervisor's
        // (QEMU stops a guest KVM cannot run) -- unless the event is the
        // creation's own, stale once the domain runs.
        int state = 0, reason = 0;
        if (virDomainGetState(dom, &state, &reason, 0) == 0 && state != VIR_DOMAIN_PAUSED) return 0;
        stopped_by_hypervisor(*s, std::string("domain paused (") + paused_reason(reason) + ")");
    } else if (event == VIR_DOMAIN_EVENT_CRASHED) {
        stopped_by_hypervisor(*s, "the guest crashed (panic)");
    } else if (event == VIR_DOMAIN_EVENT_STOPPED) {
        fprintf(stderr, "libvirt: domain %s\n", stopped_detail(detail));
        s->stopped = true;
        // The console's last bytes may still be on their way: a moment for them.
        if (s->drain_timer < 0) s->drain_timer = virEventAddTimeout(1000, on_drained, s, nullptr);
    }
    return 0;
}

int fail(const std::string& what) {
    fprintf(stderr, "libvirt: %s: %s\n", what.c_str(), last_error().c_str());
    return 1;
}

}  // namespace

int libvirt_vm_main(const std::string& uri, const std::string& xml_path) {
    std::ifstream in(xml_path);
    std::stringstream xml;
    xml << in.rdbuf();
    if (!in) {
        fprintf(stderr, "libvirt: cannot read %s\n", xml_path.c_str());
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    virSetErrorFunc(nullptr, quiet_errors);
    if (virEventRegisterDefaultImpl() != 0) return fail("event loop");
    virConnectPtr conn = virConnectOpen(uri.empty() ? nullptr : uri.c_str());
    if (!conn) return fail("cannot connect to " + uri);
    virConnectSetKeepAlive(conn, 5, 3);
    // Paused until the console is open, so no byte is lost; destroyed by
    // libvirt when this connection closes (our exit or our death).
    virDomainPtr dom =
        virDomainCreateXML(conn, xml.str().c_str(), VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_AUTODESTROY);
    if (!dom) {
        int code = fail("cannot create the domain");
        virConnectClose(conn);
        return code;
    }
    VmState s;
    s.dom = dom;
    int cb = virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), &s, nullptr);
    s.stream = virStreamNew(conn, VIR_STREAM_NONBLOCK);
    int code = 0;
    if (cb < 0 || !s.stream || virDomainOpenConsole(dom, nullptr, s.stream, VIR_DOMAIN_CONSOLE_FORCE) != 0 ||
        virStreamEventAddCallback(s.stream, VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP,
                                  on_console, &s, nullptr) != 0) {
        code = fail("cannot open the domain's console");
    } else if (virDomainResume(dom) != 0) {
        code = fail("cannot start the domain");
    } else {
        while (!s.done)
            if (virEventRunDefaultImpl() != 0) break;
        code = s.exit_code;
    }
    if (s.stream) {
        virStreamAbort(s.stream);
        virStreamFree(s.stream);
    }
    if (cb >= 0) virConnectDomainEventDeregisterAny(conn, cb);
    virDomainDestroy(dom);
    virDomainFree(dom);
    virConnectClose(conn);
    return code;
}

}  // namespace hvb::tools
