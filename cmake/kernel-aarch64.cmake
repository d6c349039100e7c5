# cmake/kernel-aarch64.cmake — build/hvbench-aarch64.img, the aarch64 kernel
# as a Linux arm64 Image (arch/aarch64/start.S), from the same
# `cmake -S . -B build`: a sub-build (cmake/aarch64) configured with clang
# for aarch64-none-elf (cmake/toolchain-aarch64.cmake), rebuilt whenever the
# main build is. Off with -DHVB_BUILD_AARCH64=OFF.
include(ExternalProject)
set(HVB_AARCH64_IMAGE ${CMAKE_BINARY_DIR}/hvbench-aarch64.img)
ExternalProject_Add(hvbench_aarch64
  SOURCE_DIR ${CMAKE_SOURCE_DIR}/cmake/aarch64
  BINARY_DIR ${CMAKE_BINARY_DIR}/aarch64
  CMAKE_ARGS
    -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/toolchain-aarch64.cmake
    -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
    -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}
    -DHVB_SOURCE_DIR=${CMAKE_SOURCE_DIR}
    -DHVB_EXTRA_BENCHMARKS_DIR=${HVB_EXTRA_BENCHMARKS_DIR}
    -DHVB_OUTPUT_DIR=${CMAKE_BINARY_DIR}
  INSTALL_COMMAND ""
  BUILD_ALWAYS ON
  BUILD_BYPRODUCTS ${HVB_AARCH64_IMAGE} ${CMAKE_BINARY_DIR}/hvbench-aarch64.elf
  USES_TERMINAL_BUILD ON)
