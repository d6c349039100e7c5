// tests/fakes/no_persona.cpp — an LD_PRELOAD shim that refuses to change a
// process's persona, as a container's seccomp filter can (Docker's default
// profile allows a few personas, and ADDR_NO_RANDOMIZE is not one of them):
// personality(0xffffffff), the query, works; anything else fails with EPERM.
// tests/tool_layout_fallback.sh runs `hvbench run` under it.
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

extern "C" int personality(unsigned long persona) {
    if (persona == 0xffffffffUL) return static_cast<int>(syscall(SYS_personality, persona));
    errno = EPERM;
    return -1;
}
