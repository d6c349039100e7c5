# tests/boot/aarch64_tests.cmake — boot tests of build/hvbench-aarch64.img on
# qemu-system-aarch64 -M virt under TCG (label `boot`): GICv2 and GICv3,
# entered at EL1 and at EL2 (virtualization=on), 1, 2 and 4 CPUs.
if(NOT HVB_BUILD_AARCH64)
  return()
endif()
find_program(HVB_QEMU_AARCH64 qemu-system-aarch64)
if(NOT HVB_QEMU_AARCH64)
  message(STATUS "qemu-system-aarch64 not found: aarch64 boot tests are off")
  return()
endif()
set(HVB_A64_PROBE ${CMAKE_CURRENT_LIST_DIR}/aarch64_probe.sh ${CMAKE_BINARY_DIR}/hvbench-aarch64-probe.img)
# name: smp machine-options entry-EL GIC
foreach(row "gicv2-smp1;1;gic-version=2;1;2" "gicv2-smp2;2;gic-version=2;1;2" "gicv3-smp4;4;gic-version=3;1;3"
            "el2-gicv2-smp2;2;gic-version=2,virtualization=on;2;2" "el2-gicv3-smp2;2;gic-version=3,virtualization=on;2;3")
  list(GET row 0 name)
  list(SUBLIST row 1 4 args)
  add_test(NAME boot.aarch64.probe-${name} COMMAND ${HVB_A64_PROBE} ${args})
  set_tests_properties(boot.aarch64.probe-${name} PROPERTIES LABELS boot TIMEOUT 90)
endforeach()
