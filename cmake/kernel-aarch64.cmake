# cmake/kernel-aarch64.cmake — the aarch64 architecture: its sources that the
# host tests also build (appended to HVB_ARCH_HOST_SOURCES), and, with
# HVB_BUILD_KERNEL and HVB_BUILD_AARCH64, build/hvbench-aarch64.img, the
# kernel as a Linux arm64 Image (arch/aarch64/start.S).
#
# The kernel needs another compiler than the host code, so it is a sub-build
# (cmake/aarch64) configured with clang for aarch64-none-elf
# (cmake/toolchain-aarch64.cmake) and rebuilt whenever the main build is;
# it takes the shared source lists (HVB_PORTABLE_SOURCES,
# HVB_KERNEL_SOURCES, benchmarks/common + benchmarks/aarch64) from here.

# aarch64 code without hardware access, unit-tested on the host: the device
# tree reader and translation tables as data.
set(HVB_AARCH64_HOST_SOURCES
  arch/aarch64/dtb.cpp
  arch/aarch64/page_table.cpp
)
list(APPEND HVB_ARCH_HOST_SOURCES ${HVB_AARCH64_HOST_SOURCES})

if(NOT HVB_BUILD_KERNEL OR NOT HVB_BUILD_AARCH64)
  return()
endif()

hvb_benchmark_sources(aarch64 HVB_AARCH64_BENCHMARKS)
include(ExternalProject)
set(HVB_AARCH64_IMAGE ${CMAKE_BINARY_DIR}/hvbench-aarch64.img ${CMAKE_BINARY_DIR}/hvbench-aarch64-probe.img)
# Lists cross the sub-build's command line with '|' for ';'.
string(REPLACE ";" "|" hvb_a64_shared "${HVB_PORTABLE_SOURCES};${HVB_KERNEL_SOURCES}")
string(REPLACE ";" "|" hvb_a64_benchmarks "${HVB_AARCH64_BENCHMARKS}")
ExternalProject_Add(hvbench_aarch64
  SOURCE_DIR ${CMAKE_SOURCE_DIR}/cmake/aarch64
  BINARY_DIR ${CMAKE_BINARY_DIR}/aarch64
  LIST_SEPARATOR |
  CMAKE_ARGS
    -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/toolchain-aarch64.cmake
    -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
    -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}
    -DHVB_SOURCE_DIR=${CMAKE_SOURCE_DIR}
    -DHVB_SHARED_SOURCES=${hvb_a64_shared}
    -DHVB_BENCHMARKS=${hvb_a64_benchmarks}
    -DHVB_OUTPUT_DIR=${CMAKE_BINARY_DIR}
  INSTALL_COMMAND ""
  BUILD_ALWAYS ON
  BUILD_BYPRODUCTS ${HVB_AARCH64_IMAGE} ${CMAKE_BINARY_DIR}/hvbench-aarch64.elf
  USES_TERMINAL_BUILD ON)
