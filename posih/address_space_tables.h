// posih/address_space_tables.h — posih/memory.h's calls on an address
// space's translation tables (install_pte, install_range, unmap_page,
// translate), written once for every architecture over its page-table
// class. `Table` has adopt(memory, root), map and map_range (returning an
// enum whose `ok` is success), unmap (the size unmapped) and translate
// (a Translation with mapped() and phys); `attrs` turns posih's MapFlag bits
// into the arch's leaf bits. Each arch's memory.cpp defines the posih calls
// by forwarding to one constant of this class.
#pragma once

#include <stdint.h>

#include "posih/memory.h"

namespace hvb {

template <class Table, class Memory>
class AddressSpaceTables {
public:
    using Attrs = uint64_t (*)(uint32_t flags);
    constexpr AddressSpaceTables(const Memory& memory, Attrs attrs) : memory_(memory), attrs_(attrs) {}

    bool install(AddressSpace as, uint64_t virt, uint64_t phys, PageSize size, uint32_t flags) const {
        Table pt = open(as);
        auto r = pt.map(virt, phys, uint64_t(size), attrs_(flags));
        return r == decltype(r)::ok;
    }

    bool install_range(AddressSpace as, uint64_t virt, uint64_t phys, uint64_t length, PageSize size,
                       uint32_t flags) const {
        Table pt = open(as);
        auto r = pt.map_range(virt, phys, length, uint64_t(size), attrs_(flags));
        return r == decltype(r)::ok;
    }

    uint64_t unmap(AddressSpace as, uint64_t virt) const { return open(as).unmap(virt); }

    // The physical address `virt` maps to, ~0 when it maps to none.
    uint64_t translate(AddressSpace as, uint64_t virt) const {
        const auto t = open(as).translate(virt);
        return t.mapped() ? t.phys : ~0ull;
    }

private:
    Table open(AddressSpace as) const {
        Table pt;
        pt.adopt(memory_, as.root);
        return pt;
    }

    const Memory& memory_;
    Attrs attrs_;
};

}  // namespace hvb
