# cmake/kernel-x86_64.cmake — the x86_64 architecture: its sources that the
# host tests also build (appended to HVB_ARCH_HOST_SOURCES), and, with
# HVB_BUILD_KERNEL, the freestanding kernel: build/hvbench.elf (ELF64: PVH
# note, multiboot2 and multiboot1 headers) and build/hvbench32.elf (the
# ELF32 copy QEMU's multiboot1 -kernel loader accepts).
#
# Each architecture has one such file (cmake/kernel-<arch>.cmake, listed in
# HVB_ARCHES in CMakeLists.txt): its own sources, flags and images. What
# every kernel shares comes from CMakeLists.txt: HVB_PORTABLE_SOURCES,
# HVB_KERNEL_SOURCES (kernel/ outside the portable list) and
# hvb_benchmark_sources(<arch> out), benchmarks/common/ plus benchmarks/<arch>/.

# x86 code without hardware access, unit-tested (and its parsers fuzzed) on
# the host: the boot protocols' parsers, the ACPI walk, Xen's memory map and
# console route, page tables as data, the exception names.
set(HVB_X86_64_HOST_SOURCES
  arch/x86_64/boot/boot_protocols.cpp
  arch/x86_64/boot/acpi.cpp
  arch/x86_64/boot/xen_facts.cpp
  arch/x86_64/page_table.cpp
  arch/x86_64/vectors.cpp
)
list(APPEND HVB_ARCH_HOST_SOURCES ${HVB_X86_64_HOST_SOURCES})

if(NOT HVB_BUILD_KERNEL)
  return()
endif()

enable_language(ASM_NASM)
set(CMAKE_ASM_NASM_OBJECT_FORMAT elf64)

set(HVB_KERNEL_CXX_FLAGS
  -ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics
  -fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only
  -mcmodel=small -fno-asynchronous-unwind-tables -fno-unwind-tables
  -fno-tree-loop-distribute-patterns -fcf-protection=none
  -O2 -g ${HVB_WARNINGS})

hvb_benchmark_sources(x86_64 HVB_X86_64_BENCHMARKS)

add_library(hvb_kernel_objs OBJECT
  arch/x86_64/boot.asm
  arch/x86_64/isr.asm
  arch/x86_64/trampoline.asm
  arch/x86_64/apic.cpp
  arch/x86_64/console.cpp
  arch/x86_64/interrupts.cpp
  arch/x86_64/io.cpp
  arch/x86_64/memory.cpp
  arch/x86_64/platform.cpp
  arch/x86_64/smp.cpp
  arch/x86_64/string.cpp
  arch/x86_64/timer.cpp
  arch/x86_64/xen.cpp
  ${HVB_X86_64_HOST_SOURCES}
  ${HVB_KERNEL_SOURCES}
  ${HVB_PORTABLE_SOURCES}
  ${HVB_X86_64_BENCHMARKS}
)
# arch/x86_64/include holds x86_64's half of the posih headers that end by
# including "arch/<name>.h" (posih/ops.h): the one place the arch is chosen.
target_include_directories(hvb_kernel_objs PRIVATE ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/arch/x86_64/include)
target_compile_options(hvb_kernel_objs PRIVATE
  $<$<COMPILE_LANGUAGE:CXX>:${HVB_KERNEL_CXX_FLAGS}>
  $<$<COMPILE_LANGUAGE:ASM_NASM>:-Werror>)

set(HVB_KERNEL_LD ${CMAKE_SOURCE_DIR}/linker/kernel.ld)
set(HVB_KERNEL_LINK_FLAGS -nostdlib -static -no-pie -Wl,--gc-sections -Wl,-z,max-page-size=0x1000
    -Wl,-z,noexecstack -Wl,--build-id=none -Wl,-T,${HVB_KERNEL_LD})

# hvbench.elf: mb1 header at 0xFD0 into .boot (file offset 0x1FD0), out of
# QEMU's multiboot scan, so QEMU boots it through PVH (see kernel.ld).
add_executable(hvbench.elf $<TARGET_OBJECTS:hvb_kernel_objs>)
target_link_options(hvbench.elf PRIVATE ${HVB_KERNEL_LINK_FLAGS} -Wl,--defsym=HVB_MB1_OFFSET=0xFD0)
set_target_properties(hvbench.elf PROPERTIES LINK_DEPENDS ${HVB_KERNEL_LD} LINKER_LANGUAGE CXX)

# hvbench32.elf: the same objects with the mb1 header right after the mb2
# header, converted to ELF32.
add_executable(hvbench64-mb1.elf $<TARGET_OBJECTS:hvb_kernel_objs>)
target_link_options(hvbench64-mb1.elf PRIVATE ${HVB_KERNEL_LINK_FLAGS} -Wl,--defsym=HVB_MB1_OFFSET=0x18)
set_target_properties(hvbench64-mb1.elf PROPERTIES LINK_DEPENDS ${HVB_KERNEL_LD} LINKER_LANGUAGE CXX)
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/hvbench32.elf
  COMMAND ${CMAKE_OBJCOPY} -O elf32-i386 $<TARGET_FILE:hvbench64-mb1.elf> ${CMAKE_BINARY_DIR}/hvbench32.elf
  DEPENDS hvbench64-mb1.elf
  COMMENT "Converting to ELF32 for QEMU's multiboot1 loader")
add_custom_target(hvbench32 ALL DEPENDS ${CMAKE_BINARY_DIR}/hvbench32.elf)
set_target_properties(hvbench.elf hvbench64-mb1.elf PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
