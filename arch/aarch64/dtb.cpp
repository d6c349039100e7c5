// arch/aarch64/dtb.cpp — the flattened device tree reader (dtb.h).
//
// Two walks over the structure block: the first collects everything but the
// console, and /chosen's stdout-path (resolved through /aliases); the
// second finds the node at that path. Properties precede subnodes (DT spec
// 5.4.1), so a node is complete when its first child or its end token comes.
#include "arch/aarch64/dtb.h"

namespace hvb {
namespace {

constexpr uint32_t kMagic = 0xd00dfeed;
constexpr uint32_t kBeginNode = 1, kEndNode = 2, kProp = 3, kNop = 4, kEnd = 9;
constexpr size_t kMaxDepth = 16;
constexpr size_t kMaxPath = 256;
constexpr uint32_t kPsci02CpuOn = 0xC4000003;  // PSCI 0.2+: CPU_ON, SMC64 convention
constexpr uint32_t kDefaultVirtTimerPpi = 27;

uint32_t be32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

struct Bytes {
    const uint8_t* p;
    uint32_t n;
};

bool equals(Bytes b, const char* s) {  // a property string (NUL-terminated in n) == s
    uint32_t i = 0;
    for (; s[i] != 0; ++i)
        if (i >= b.n || b.p[i] != static_cast<uint8_t>(s[i])) return false;
    return i < b.n && b.p[i] == 0;
}

// True when the string list `list` holds s, or (prefix) an entry starting with s.
bool list_has(Bytes list, const char* s, bool prefix = false) {
    uint32_t start = 0;
    for (uint32_t i = 0; i < list.n; ++i) {
        if (list.p[i] != 0) continue;
        uint32_t k = 0;
        while (s[k] != 0 && start + k < i && list.p[start + k] == static_cast<uint8_t>(s[k])) ++k;
        if (s[k] == 0 && (prefix || start + k == i)) return true;
        start = i + 1;
    }
    return false;
}

bool cstr_eq(const char* a, const char* b) {
    while (*a != 0 && *a == *b) ++a, ++b;
    return *a == *b;
}

// One node's properties, gathered until the node is complete.
struct Node {
    const char* name;  // unit name included ("pl011@9000000")
    size_t path_len;   // length of its full path in Walker::path
    uint32_t address_cells, size_cells;  // its own, for its children
    uint32_t parent_address_cells, parent_size_cells;
    Bytes reg, compatible, device_type, status, method, cpu_on, interrupts, bootargs, stdout_path;
    bool done;
};

struct Walker {
    const uint8_t* blob;
    uint32_t struct_off, struct_size, strings_off, strings_size;
    Node stack[kMaxDepth];
    size_t depth;  // nodes open
    char path[kMaxPath];
    const char* error;
};

bool read_cells(const uint8_t* p, uint32_t cells, uint64_t& out) {
    if (cells == 0 || cells > 2) return false;
    out = cells == 1 ? be32(p) : (uint64_t{be32(p)} << 32) | be32(p + 4);
    return true;
}

// The i-th (address, size) pair of the node's reg; false past the end.
bool reg_entry(const Node& n, size_t i, DtbRange& out) {
    const uint32_t ac = n.parent_address_cells, sc = n.parent_size_cells;
    const uint64_t stride = 4ull * (ac + sc);
    if (stride == 0 || ac > 2 || sc > 2 || ac == 0 || (i + 1) * stride > n.reg.n) return false;
    const uint8_t* p = n.reg.p + i * stride;
    out.size = 0;
    return read_cells(p, ac, out.base) && (sc == 0 || read_cells(p + 4 * ac, sc, out.size));
}

bool enabled(const Node& n) { return n.status.n == 0 || equals(n.status, "okay") || equals(n.status, "ok"); }

void copy_string(Bytes b, char* out, size_t cap) {
    size_t i = 0;
    for (; i + 1 < cap && i < b.n && b.p[i] != 0; ++i) out[i] = static_cast<char>(b.p[i]);
    out[i] = 0;
}

void take_gic(const Node& n, DtbInfo& out) {
    if (out.gic_version != 0) return;
    const bool v3 = list_has(n.compatible, "arm,gic-v3");
    const bool v2 = list_has(n.compatible, "arm,cortex-a15-gic") || list_has(n.compatible, "arm,gic-400") ||
                    list_has(n.compatible, "arm,cortex-a9-gic") || list_has(n.compatible, "arm,arm11mp-gic");
    if (!v2 && !v3) return;
    DtbRange dist{}, second{};
    if (!reg_entry(n, 0, dist) || !reg_entry(n, 1, second)) return;
    out.gic_version = v3 ? 3 : 2;
    out.gic_dist = dist;
    (v3 ? out.gic_redist : out.gic_cpu) = second;
}

void take_cpu(const Node& n, DtbInfo& out) {
    DtbRange r{};
    if (!reg_entry(n, 0, r)) return;
    if (out.cpu_count == DtbInfo::kMaxCpus) {
        out.cpus_truncated = true;
        return;
    }
    out.cpu_ids[out.cpu_count++] = r.base;
}

void take_psci(const Node& n, DtbInfo& out) {
    if (equals(n.method, "hvc")) out.psci = PsciConduit::hvc;
    if (equals(n.method, "smc")) out.psci = PsciConduit::smc;
    // Only PSCI 0.1 ("arm,psci" alone) numbers its functions in the tree.
    const bool v01_only = !list_has(n.compatible, "arm,psci-", true);
    if (v01_only && n.cpu_on.n == 4) out.psci_cpu_on = be32(n.cpu_on.p);
}

// What one complete node contributes (first walk).
void collect(const Walker& w, const Node& n, DtbInfo& out, Bytes& stdout_path) {
    if (!enabled(n)) return;
    const bool top = w.depth == 2;  // a child of the root
    if (equals(n.device_type, "memory")) {
        DtbRange r{};
        for (size_t i = 0; out.memory_count < DtbInfo::kMaxMemory && reg_entry(n, i, r); ++i)
            if (r.size != 0) out.memory[out.memory_count++] = r;
    } else if (equals(n.device_type, "cpu")) {
        take_cpu(n, out);
    }
    if (top && (cstr_eq(n.name, "psci") || list_has(n.compatible, "arm,psci", true))) take_psci(n, out);
    take_gic(n, out);
    DtbRange r{};
    if (list_has(n.compatible, "virtio,mmio") && out.virtio_count < DtbInfo::kMaxVirtio && reg_entry(n, 0, r))
        out.virtio[out.virtio_count++] = r;
    if (top && cstr_eq(n.name, "hypervisor")) {
        out.has_hypervisor = true;
        copy_string(n.compatible, out.hypervisor_compatible, sizeof out.hypervisor_compatible);
    }
    if (top && cstr_eq(n.name, "chosen")) {
        copy_string(n.bootargs, out.bootargs, sizeof out.bootargs);
        stdout_path = n.stdout_path;
    }
    if (list_has(n.compatible, "arm,armv8-timer") && n.interrupts.n >= 36) {
        const uint32_t type = be32(n.interrupts.p + 24), number = be32(n.interrupts.p + 28);
        if (type == 1 && number < 16) out.timer_virt_ppi = number + 16;  // 1: PPI
    }
}

bool fail(Walker& w, const char* why) {
    w.error = why;
    return false;
}

// Reads the NUL-terminated name at struct offset `at`; returns its padded length.
bool node_name(Walker& w, uint32_t at, const char*& name, uint32_t& advance) {
    const uint8_t* base = w.blob + w.struct_off;
    uint32_t i = at;
    while (i < w.struct_size && base[i] != 0) ++i;
    if (i >= w.struct_size) return fail(w, "node name runs past the structure block");
    name = reinterpret_cast<const char*>(base + at);
    advance = ((i + 1 - at) + 3) & ~3u;
    return true;
}

bool open_node(Walker& w, const char* name) {
    if (w.depth == kMaxDepth) return fail(w, "nodes nested too deep");
    Node& n = w.stack[w.depth];
    const Node* parent = w.depth > 0 ? &w.stack[w.depth - 1] : nullptr;
    n = Node{};
    n.name = name;
    n.parent_address_cells = parent ? parent->address_cells : 2;
    n.parent_size_cells = parent ? parent->size_cells : 1;
    n.address_cells = 2;
    n.size_cells = 1;
    size_t len = parent ? parent->path_len : 0;
    if (parent != nullptr) {
        if (len != 1 && len + 1 < kMaxPath) w.path[len++] = '/';  // the root's path is "/"
        for (size_t i = 0; name[i] != 0 && len + 1 < kMaxPath; ++i) w.path[len++] = name[i];
    } else {
        w.path[len++] = '/';
    }
    w.path[len] = 0;
    n.path_len = len;
    ++w.depth;
    return true;
}

void set_prop(Node& n, const char* name, Bytes v) {
    struct Slot {
        const char* name;
        Bytes Node::*field;
    };
    static constexpr Slot kSlots[] = {
        {"reg", &Node::reg},           {"compatible", &Node::compatible}, {"device_type", &Node::device_type},
        {"status", &Node::status},     {"method", &Node::method},         {"cpu_on", &Node::cpu_on},
        {"interrupts", &Node::interrupts}, {"bootargs", &Node::bootargs}, {"stdout-path", &Node::stdout_path},
    };
    for (const Slot& s : kSlots)
        if (cstr_eq(name, s.name)) n.*(s.field) = v;
    if (v.n == 4 && cstr_eq(name, "#address-cells")) n.address_cells = be32(v.p);
    if (v.n == 4 && cstr_eq(name, "#size-cells")) n.size_cells = be32(v.p);
}

bool prop(Walker& w, uint32_t& off) {
    if (off + 8 > w.struct_size) return fail(w, "property header runs past the structure block");
    const uint8_t* base = w.blob + w.struct_off;
    const uint32_t len = be32(base + off), name_off = be32(base + off + 4);
    off += 8;
    if (len > w.struct_size - off) return fail(w, "property value runs past the structure block");
    if (name_off >= w.strings_size) return fail(w, "property name outside the strings block");
    const uint8_t* names = w.blob + w.strings_off;
    uint32_t end = name_off;
    while (end < w.strings_size && names[end] != 0) ++end;
    if (end == w.strings_size) return fail(w, "property name runs past the strings block");
    if (w.depth == 0) return fail(w, "property outside any node");
    Node& n = w.stack[w.depth - 1];
    if (n.done) return fail(w, "property after a subnode");
    set_prop(n, reinterpret_cast<const char*>(names + name_off), Bytes{base + off, len});
    off += (len + 3) & ~3u;
    return true;
}

// Walks the structure block; complete(w, node) for every node, in order.
template <class F>
bool walk(Walker& w, F complete) {
    w.depth = 0;
    uint32_t off = 0;
    while (off + 4 <= w.struct_size) {
        const uint32_t token = be32(w.blob + w.struct_off + off);
        off += 4;
        if (token == kBeginNode) {
            const char* name = nullptr;
            uint32_t advance = 0;
            if (!node_name(w, off, name, advance)) return false;
            off += advance;
            if (w.depth > 0 && !w.stack[w.depth - 1].done) {
                w.stack[w.depth - 1].done = true;
                complete(w, w.stack[w.depth - 1]);
            }
            if (!open_node(w, name)) return false;
        } else if (token == kEndNode) {
            if (w.depth == 0) return fail(w, "end of a node that was not opened");
            Node& n = w.stack[w.depth - 1];
            if (!n.done) {
                n.done = true;
                complete(w, n);
            }
            --w.depth;
        } else if (token == kProp) {
            if (!prop(w, off)) return false;
        } else if (token == kEnd) {
            return w.depth == 0 ? true : fail(w, "structure block ends inside a node");
        } else if (token != kNop) {
            return fail(w, "unknown token in the structure block");
        }
    }
    return fail(w, "structure block has no end token");
}

bool check_header(Walker& w, const uint8_t* b, size_t max_size) {
    if (max_size < 40) return fail(w, "shorter than a device tree header");
    if (be32(b) != kMagic) return fail(w, "no device tree magic (0xd00dfeed)");
    const uint32_t total = be32(b + 4);
    if (total > max_size || total < 40) return fail(w, "totalsize exceeds the blob");
    if (be32(b + 24) < 17 && be32(b + 20) < 17) return fail(w, "device tree version older than 17");
    w.struct_off = be32(b + 8);
    w.strings_off = be32(b + 12);
    w.strings_size = be32(b + 32);
    w.struct_size = be32(b + 36);
    if (w.struct_off > total || w.struct_size > total - w.struct_off) return fail(w, "structure block outside the blob");
    if (w.strings_off > total || w.strings_size > total - w.strings_off) return fail(w, "strings block outside the blob");
    return true;
}

// stdout-path "serial0:115200n8" or "/pl011@9000000": the path without the
// options, through /aliases when it does not start with '/'.
bool resolve_alias(Walker& w, Bytes stdout_path, char* out, size_t cap) {
    size_t n = 0;
    while (n < stdout_path.n && stdout_path.p[n] != 0 && stdout_path.p[n] != ':') ++n;
    if (n == 0 || n + 1 > cap) return false;
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>(stdout_path.p[i]);
    out[n] = 0;
    if (out[0] == '/') return true;
    bool found = false;
    char alias[64];
    if (n >= sizeof alias) return false;
    for (size_t i = 0; i <= n; ++i) alias[i] = out[i];
    // The alias is a property of /aliases: a third, narrow walk.
    const uint8_t* base = w.blob + w.struct_off;
    const uint8_t* names = w.blob + w.strings_off;
    size_t depth = 0;
    bool in_aliases = false;
    for (uint32_t off = 0; off + 4 <= w.struct_size && !found;) {
        const uint32_t token = be32(base + off);
        off += 4;
        if (token == kBeginNode) {
            const char* name = nullptr;
            uint32_t advance = 0;
            if (!node_name(w, off, name, advance)) return false;
            off += advance;
            ++depth;
            in_aliases = depth == 2 && cstr_eq(name, "aliases");
        } else if (token == kEndNode) {
            if (depth == 0) return false;
            --depth;
            in_aliases = false;
        } else if (token == kProp) {
            if (off + 8 > w.struct_size) return false;
            const uint32_t len = be32(base + off), name_off = be32(base + off + 4);
            off += 8;
            if (len > w.struct_size - off || name_off >= w.strings_size) return false;
            // Compare within the strings block only: the name may lack its NUL.
            size_t k = 0;
            while (name_off + k < w.strings_size && alias[k] != 0 && names[name_off + k] == alias[k]) ++k;
            if (in_aliases && alias[k] == 0 && name_off + k < w.strings_size && names[name_off + k] == 0) {
                copy_string(Bytes{base + off, len}, out, cap);
                found = out[0] == '/';
            }
            off += (len + 3) & ~3u;
        } else if (token != kNop) {
            break;
        }
    }
    return found;
}

void take_uart(const Node& n, DtbInfo& out) {
    DtbRange r{};
    if (!reg_entry(n, 0, r)) return;
    out.uart = r;
    out.uart_is_pl011 = list_has(n.compatible, "arm,pl011");
}

}  // namespace

uint32_t dtb_total_size(const void* blob) {
    const auto* b = static_cast<const uint8_t*>(blob);
    return be32(b) == kMagic ? be32(b + 4) : 0;
}

bool parse_dtb(const void* blob, size_t max_size, DtbInfo& out, const char** error) {
    out = DtbInfo{};
    out.psci_cpu_on = kPsci02CpuOn;
    out.timer_virt_ppi = kDefaultVirtTimerPpi;
    Walker w{};
    w.blob = static_cast<const uint8_t*>(blob);
    w.error = "";
    Bytes stdout_path{nullptr, 0};
    bool ok = check_header(w, w.blob, max_size) &&
              walk(w, [&](const Walker& ww, const Node& n) { collect(ww, n, out, stdout_path); });
    char want[kMaxPath];
    if (ok && stdout_path.n != 0 && resolve_alias(w, stdout_path, want, sizeof want))
        ok = walk(w, [&](const Walker& ww, const Node& n) {
            if (cstr_eq(ww.path, want)) take_uart(n, out);
        });
    if (error != nullptr) *error = w.error;
    return ok;
}

}  // namespace hvb
