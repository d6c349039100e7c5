# tests/boot/aarch64_nested_tests.cmake — the aarch64 kernel under Xen/arm64
# (as dom0) and under KVM/arm64 (a Debian arm64 Linux KVM host), each nested
# in QEMU TCG, run by the tool (`hvbench run --arch aarch64 --vmm
# xen|kvm-nested`, checked by tests/boot/aarch64_nested.sh;
# docs/nested-arm64.md). The tool fetches the Debian arm64 packages into the
# cache of tools/xen.h the first time (a private apt state; the host's package
# configuration is untouched); without them the tests are reported skipped
# (exit 77), never passed.
if(NOT HVB_BUILD_AARCH64 OR NOT HVB_QEMU_AARCH64 OR NOT TARGET hvbench_tool)
  return()
endif()
set(HVB_A64_NESTED ${CMAKE_CURRENT_LIST_DIR}/aarch64_nested.sh)
# Xen/arm64: the default suite, 12-25 s here.
add_test(NAME boot.aarch64.xen-dom0-tcg
  COMMAND ${HVB_A64_NESTED} xen $<TARGET_FILE:hvbench_tool> ${CMAKE_BINARY_DIR}/hvbench-aarch64.img 20)
set_tests_properties(boot.aarch64.xen-dom0-tcg PROPERTIES LABELS boot TIMEOUT 600 SKIP_RETURN_CODE 77)
# KVM/arm64: the default suite; about 2 minutes on an idle host here, 4 at
# load average 19 (the Linux host's boot under TCG is most of it); the first
# run also builds the KVM host image (about 40 MB of packages; 3 minutes once
# downloaded).
add_test(NAME boot.aarch64.kvm-nested-tcg
  COMMAND ${HVB_A64_NESTED} kvm-nested $<TARGET_FILE:hvbench_tool> ${CMAKE_BINARY_DIR}/hvbench-aarch64.img 20)
set_tests_properties(boot.aarch64.kvm-nested-tcg PROPERTIES LABELS boot TIMEOUT 1500 SKIP_RETURN_CODE 77)
