// posih/xen.h — what the kernel, the host tool and the unit tests share
// about Xen's console: the length at which Xen cuts a guest's debug-console
// lines in its log. (What the kernel does under Xen is the arch's:
// arch/x86_64/xen.h, arch/x86_64/boot/xen_facts.h.)
#pragma once

#include <stddef.h>

namespace hvb {

// Xen copies what a guest writes to its debug console into its log a line
// at a time, cutting a line after this many characters (DOMAIN_PBUF_SIZE - 1
// in Xen's sources). The kernel never writes a line whose length is a
// non-zero multiple of it on that route (it adds a space), so a piece of
// exactly this length always continues on the next line.
inline constexpr size_t kXenLogLineMax = 199;

}  // namespace hvb
