# tests/boot/aarch64_nested_tests.cmake — the aarch64 kernel under Xen/arm64
# (as dom0) and under KVM/arm64 (a Debian arm64 Linux KVM host), each nested
# in QEMU TCG (tests/boot/aarch64_nested.sh, docs/nested-arm64.md). The
# Debian arm64 packages are fetched into the cache of tools/xen.h the first
# time (a private apt state; the host's package configuration is untouched);
# without them the tests are reported skipped (exit 77), never passed.
if(NOT HVB_BUILD_AARCH64 OR NOT HVB_QEMU_AARCH64)
  return()
endif()
set(HVB_A64_NESTED ${CMAKE_CURRENT_LIST_DIR}/aarch64_nested.sh)
# Xen/arm64: the default suite, 15-25 s here.
add_test(NAME boot.aarch64.xen-dom0-tcg
  COMMAND ${HVB_A64_NESTED} xen ${CMAKE_BINARY_DIR}/hvbench-aarch64.img ${CMAKE_SOURCE_DIR}/scripts default 20)
set_tests_properties(boot.aarch64.xen-dom0-tcg PROPERTIES LABELS boot TIMEOUT 600 SKIP_RETURN_CODE 77)
# KVM/arm64: the default suite; 4 min wall here at load average 19 (the
# Linux host's boot under TCG is most of it); the first run also builds the
# KVM host image (about 40 MB of packages; 3 minutes once downloaded).
add_test(NAME boot.aarch64.kvm-nested-tcg
  COMMAND ${HVB_A64_NESTED} kvm ${CMAKE_BINARY_DIR}/hvbench-aarch64.img ${CMAKE_SOURCE_DIR}/scripts default 20)
set_tests_properties(boot.aarch64.kvm-nested-tcg PROPERTIES LABELS boot TIMEOUT 1500 SKIP_RETURN_CODE 77)
