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

# The kernel: the default suite (tests/boot/aarch64_suite.sh): at least 20
# benchmarks, each ok or unsupported with a reason, end record exit_code 0;
# -smp 2 with GICv2 and GICv3 within the issue's 5 s; smp 1 and 4; entered
# at EL2.
set(HVB_A64_SUITE ${CMAKE_CURRENT_LIST_DIR}/aarch64_suite.sh ${CMAKE_BINARY_DIR}/hvbench-aarch64.img)
foreach(row "gicv2-smp2;2;2;20;5" "gicv3-smp2;2;3;20;5" "gicv2-smp1;1;2;20;20" "gicv3-smp4;4;3;20;20"
            "el2-gicv3-smp2;2;3;20;20;virtualization=on")
  list(GET row 0 name)
  list(SUBLIST row 1 5 args)
  add_test(NAME boot.aarch64.suite-${name} COMMAND ${HVB_A64_SUITE} ${args})
  set_tests_properties(boot.aarch64.suite-${name} PROPERTIES LABELS boot TIMEOUT 150 SKIP_RETURN_CODE 77)
endforeach()
# The 5 s bound is wall time: not while other tests load the machine.
set_tests_properties(boot.aarch64.suite-gicv2-smp2 boot.aarch64.suite-gicv3-smp2 PROPERTIES RUN_SERIAL TRUE)

# Each aarch64 loop executes its instruction inside the loop (llvm-objdump).
find_program(HVB_LLVM_OBJDUMP llvm-objdump)
if(HVB_LLVM_OBJDUMP)
  add_test(NAME build.aarch64-disassembly
    COMMAND ${CMAKE_COMMAND} -E env OBJDUMP=${HVB_LLVM_OBJDUMP}
            ${CMAKE_CURRENT_LIST_DIR}/check_disasm.sh ${CMAKE_BINARY_DIR}/hvbench-aarch64.elf
            hypercall_loop:hvc hypercall_loop:smc xen_version_loop:hvc "mmio_read_user_loop:ldr w" "mmio_read_gic_loop:ldr w"
            sysreg_id_loop:mrs dc_set_way_loop:dc set_ttbr_loop:msr tlbi_loop:tlbi cntvct_loop:mrs
            wfi_loop:wfi eoi_loop:bl)
  set_tests_properties(build.aarch64-disassembly PROPERTIES LABELS build)
endif()

# The tool: hvbench run --arch aarch64 (TCG), JSON and CSV.
if(TARGET hvbench_tool)
  add_test(NAME boot.aarch64.tool-run-tcg
    COMMAND ${CMAKE_COMMAND} -DTOOL=$<TARGET_FILE:hvbench_tool> -DOUT=${CMAKE_BINARY_DIR}/boot-aarch64-tool-run
            -P ${CMAKE_CURRENT_LIST_DIR}/aarch64_tool_run_check.cmake)
  set_tests_properties(boot.aarch64.tool-run-tcg PROPERTIES LABELS boot TIMEOUT 180)
endif()
