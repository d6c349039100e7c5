# cmake/toolchain-aarch64.cmake — clang and ld.lld for the freestanding
# aarch64 kernel (the sub-build cmake/aarch64, started by
# cmake/kernel-aarch64.cmake). The clang the project installs targets every
# architecture LLVM was built with; no cross GCC is needed.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER clang)
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_ASM_COMPILER clang)
set(CMAKE_C_COMPILER_TARGET aarch64-none-elf)
set(CMAKE_CXX_COMPILER_TARGET aarch64-none-elf)
set(CMAKE_ASM_COMPILER_TARGET aarch64-none-elf)
# A freestanding target has no C library to link a test program against.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
find_program(CMAKE_OBJCOPY NAMES llvm-objcopy objcopy REQUIRED)
