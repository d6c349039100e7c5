// tools/launch.h — starting the VMM: the QEMU command line for each boot
// path, accelerator and CPU-model choice, and child processes started with
// posix_spawn (never through a shell) whose output is read through pipes.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hvb::tools {

enum class BootPath { pvh, mb1, iso_bios, iso_uefi };
const char* boot_path_name(BootPath b);  // "pvh", "mb1", "iso-bios", "iso-uefi"
std::optional<BootPath> boot_path_from_name(std::string_view name);
inline bool is_iso_boot(BootPath b) { return b == BootPath::iso_bios || b == BootPath::iso_uefi; }

// /dev/kvm opens read-write and answers KVM_GET_API_VERSION with the version
// this program was built against. Otherwise false, and *why says what failed.
bool kvm_usable(std::string* why);

// The -cpu models to try, best first. KVM: "host" (all the host's features),
// then "host,-arch-capabilities" (some nested hosts refuse to pass
// IA32_ARCH_CAPABILITIES through), then "max". TCG: "max".
// On aarch64 (arch "aarch64"): "host" under KVM, "max" under TCG.
std::vector<std::string> cpu_models_for(std::string_view accel, std::string_view arch = "x86_64");

struct VmConfig {
    std::string arch = "x86_64";  // "aarch64": qemu-system-aarch64 -M virt, the Image by -kernel
    std::string qemu = "qemu-system-x86_64";
    std::string accel = "tcg";  // "kvm" or "tcg"
    std::string cpu = "max";
    unsigned smp = 1;
    std::string memory = "256M";
    BootPath boot = BootPath::pvh;
    std::string image;     // hvbench.elf (pvh), hvbench32.elf (mb1) or an ISO
    // -bios: UEFI firmware for iso-uefi; for the other paths an optional BIOS
    // (for pvh and mb1 qboot, find_direct_boot_firmware(), with -machine pc);
    // empty: QEMU's default, SeaBIOS.
    std::string firmware;
    std::string cmdline;   // kernel options; -append for pvh and mb1 only
    // Non-empty: boot this Xen hypervisor (-kernel, options xen_cmdline) with
    // `image` and `cmdline` as its dom0 module (tools/xen.h); firmware: SeaBIOS.
    std::string xen;
    std::string xen_cmdline;
    // With `xen`: the multiboot modules as given (a dom0 kernel and its
    // initrd, tools/xen.h multiboot_module); empty: `image` with `cmdline`.
    std::vector<std::string> xen_modules;
    std::string qmp_socket;  // non-empty: a QMP server on this UNIX socket
    bool paused = false;     // -S: vCPUs wait for QMP "cont"
};

// The QEMU argument vector (argv[0] is cfg.qemu). The guest's COM1 is the
// process's stdout; QEMU's own messages go to its stderr.
std::vector<std::string> qemu_command(const VmConfig& cfg);

// Where the images are: the directory holding this program (/proc/self/exe),
// which for build/hvbench is build/.
std::string program_directory();
// UEFI firmware for iso-uefi: the first that exists of the usual OVMF paths;
// "" when none does.
std::string find_uefi_firmware();
// The BIOS for the direct-kernel boot paths (pvh, mb1): qboot, which hands
// over to the kernel in a fraction of the time SeaBIOS takes (0.44 s against
// 4.4 s to reach the kernel on a nested KVM), when QEMU ships it
// (kQbootPath); "" otherwise (QEMU's default SeaBIOS).
inline constexpr const char kQbootPath[] = "/usr/share/qemu/qboot.rom";
std::string find_direct_boot_firmware();

// How a child ended.
struct ExitStatus {
    bool exited = false;  // false: killed by signal `signal`
    int code = 0;
    int signal = 0;
    std::string describe() const;  // "exit status 3" / "killed by SIGKILL"
};
ExitStatus decode_wait_status(int status);

// A child's address-space layout: randomized (the system's default), or
// fixed (ADDR_NO_RANDOMIZE: the same layout in every child, so a VMM's own
// code and data sit at the same addresses from one VM to the next;
// docs/measurement.md, "The VMM's layout").
enum class AddressLayout { randomized, fixed };

// Why children of this process cannot get AddressLayout::fixed (the
// persona cannot be set: a container's seccomp filter may refuse it), or
// nullopt when they can. Leaves this process's persona as it was.
std::optional<std::string> fixed_layout_unavailable();

// A child process: stdin is /dev/null, stdout and stderr are two pipes.
// The destructor kills (SIGKILL) and reaps a child still running.
class Process {
public:
    Process() = default;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    Process(Process&& o) noexcept;
    Process& operator=(Process&& o) noexcept;
    ~Process();

    // Starts argv[0] (searched in PATH when it has no '/') with posix_spawnp.
    // On failure returns nullopt and sets *error.
    // With `cwd` non-empty the child starts in that directory; with
    // AddressLayout::fixed it starts without address-space randomization
    // (and fails to start, with *error, when that cannot be had).
    static std::optional<Process> spawn(const std::vector<std::string>& argv, std::string* error,
                                        const std::string& cwd = "",
                                        AddressLayout layout = AddressLayout::randomized);

    pid_t pid() const { return pid_; }
    int stdout_fd() const { return out_; }  // -1 once closed
    int stderr_fd() const { return err_; }
    void close_stdout();
    void close_stderr();
    bool running();               // not yet reaped (reaps it if it has exited)
    void kill_now();              // SIGKILL, if still running
    ExitStatus wait();            // blocks until it has exited
    bool exits_within(int ms);    // true once it has exited (reaped), polling for at most `ms`
    std::optional<ExitStatus> status() const { return status_; }

private:
    void release();  // kill and reap a child still running, close the pipes
    pid_t pid_ = -1;
    int out_ = -1, err_ = -1;
    std::optional<ExitStatus> status_;
};

// Runs a command to completion, capturing its output; a command that runs
// longer than timeout_ms is killed (timed_out). For short helper programs
// (grub-mkrescue) and tests.
struct Captured {
    std::string out, err;
    ExitStatus status;
    bool timed_out = false;
    std::string spawn_error;  // non-empty: it never started
    bool ok() const { return spawn_error.empty() && !timed_out && status.exited && status.code == 0; }
};
Captured run_capture(const std::vector<std::string>& argv, int timeout_ms, const std::string& cwd = "");

// Monotonic milliseconds, for timeouts.
int64_t now_ms();

}  // namespace hvb::tools
