# tests/boot/boot_tests.cmake — CTest boot tests (label `boot`): start the
# kernel in QEMU by every boot path and check its records and exit status.
# KVM tests exit 77 (skipped) when /dev/kvm is not usable, never pass.
add_executable(hvb_boot_test ${CMAKE_CURRENT_LIST_DIR}/boot_test.cpp)
target_link_libraries(hvb_boot_test PRIVATE hvb_tools hvb_host)

if(NOT HVB_BUILD_KERNEL)
  return()
endif()

# Build checks (label `build`): the images as each loader scans them, and the
# benchmark loops as the compiler emitted them.
add_executable(hvb_image_check ${CMAKE_CURRENT_LIST_DIR}/image_check.cpp)
add_test(NAME build.image-layout
  COMMAND hvb_image_check ${CMAKE_BINARY_DIR}/hvbench.elf ${CMAKE_BINARY_DIR}/hvbench32.elf)
# Each benchmark whose operation the compiler could delete or hoist: the
# instruction must sit inside the loop in the linked kernel.
add_test(NAME build.benchmark-disassembly
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/check_disasm.sh ${CMAKE_BINARY_DIR}/hvbench.elf
          cpuid_loop:cpuid pushf_popf_loop:pushf pushf_popf_loop:popf
          undefined_opcode:ud2
          sgdt_loop:sgdt sidt_loop:sidt sldt_loop:sldt str_loop:str smsw_loop:smsw
          lgdt_loop:lgdt lidt_loop:lidt lldt_loop:lldt
          "set_cr3_loop:mov .*,%cr3" "cr0_write_loop:mov .*,%cr0" "cr4_write_loop:mov .*,%cr4"
          "cr8_read_loop:mov %cr8," "cr8_write_loop:mov .*,%cr8" "dr7_write_loop:mov .*,%db7"
          invlpg_loop:invlpg wbinvd_loop:wbinvd
          rdmsr_loop:rdmsr wrmsr_loop:wrmsr rdmsr_passthrough_loop:rdmsr wrmsr_passthrough_loop:wrmsr
          rdtsc_loop:rdtsc rdtscp_loop:rdtscp xsetbv_loop:xsetbv
          int3_loop:int3 ud2_loop:ud2 hypercall_vmcall_loop:vmcall hypercall_vmmcall_loop:vmmcall
          "hypercall_xen_loop:call [*]%r" "page_fault_loop:mov [(]%r[a-z0-9]+[)],%r"
          "io_in_loop:in [(]%dx[)],%al" "io_out_loop:out %al,[(]%dx[)]" "io_in_kernel_loop:in [$]0x21,%al"
          "io_print_loop:rep outsb|outsb"
          "mmio_read_lapic_loop:mov [(]%r[a-z0-9]+[)],%e" "mmio_read_user_loop:mov [(]%r[a-z0-9]+[)],%e"
          "hot_read_loop:mov [(]%r[a-z0-9]+[)],%rax" "hot_2m_read_loop:mov [(]%r[a-z0-9]+[)],%rax"
          "cold_loop:mov [(]%r[a-z0-9]+[)],%rax"
          "flush_loop:mov [(]%r[a-z0-9]+[)],%rax")
set_tests_properties(build.image-layout build.benchmark-disassembly PROPERTIES LABELS build)

find_program(HVB_QEMU qemu-system-x86_64)
if(NOT HVB_QEMU)
  message(STATUS "qemu-system-x86_64 not found: boot tests are off")
  return()
endif()
find_file(HVB_OVMF OVMF.fd PATHS /usr/share/ovmf /usr/share/qemu NO_DEFAULT_PATH)
# qboot reaches a -kernel in ~0.4 s under a nested software KVM, SeaBIOS in ~4 s;
# the long KVM tests use it when QEMU ships it (pvh-kvm keeps SeaBIOS).
find_file(HVB_QBOOT qboot.rom PATHS /usr/share/qemu /usr/share/seabios NO_DEFAULT_PATH)

set(HVB_ELF ${CMAKE_BINARY_DIR}/hvbench.elf)
set(HVB_ELF32 ${CMAKE_BINARY_DIR}/hvbench32.elf)
set(HVB_ISO ${CMAKE_BINARY_DIR}/hvbench.iso)
set(HVB_QEMU_COMMON -display none -serial stdio -monitor none -no-reboot -m 256M
    -device isa-debug-exit,iobase=0xf4,iosize=0x04)
set(HVB_TCG -accel tcg -cpu max)
# A nested KVM that does not emulate IA32_ARCH_CAPABILITIES refuses -cpu host
# unless arch-capabilities is off (the host tool's launcher probes for this
# itself); real hardware accepts either.
set(HVB_KVM -accel kvm -cpu host,-arch-capabilities)
set(HVB_KVM_FAST ${HVB_KVM})
if(HVB_QBOOT)
  set(HVB_KVM_FAST ${HVB_KVM} -M pc -bios ${HVB_QBOOT})
endif()
# QEMU exits with (code << 1) | 1 through isa-debug-exit: 1 means the suite ran.
set(HVB_CORE_CHECKS --expect-all-ran --expect-no-fault --expect-status idle=ok --expect-status cpuid=ok
    --expect-status pushf_popf=ok --expect-exit 1)

function(hvb_boot_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "CHECKS;QEMU" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_test(NAME boot.${name}
    COMMAND hvb_boot_test --timeout ${T_TIMEOUT} --log ${CMAKE_BINARY_DIR}/boot-${name}.log ${T_CHECKS}
            -- ${HVB_QEMU} ${HVB_QEMU_COMMON} ${T_QEMU})
  set_tests_properties(boot.${name} PROPERTIES LABELS boot SKIP_RETURN_CODE 77 TIMEOUT ${T_TIMEOUT})
  if(name MATCHES "kvm")
    # A guest of a nested, software KVM needs a whole core; two at once on a
    # 2-core machine slow each other past any sane timeout.
    set_tests_properties(boot.${name} PROPERTIES RUN_SERIAL TRUE)
  endif()
endfunction()

hvb_boot_test(mb1-tcg CHECKS ${HVB_CORE_CHECKS} --expect-boot mb1
              QEMU ${HVB_TCG} -kernel ${HVB_ELF32} -append "only=idle,cpuid,pushf_popf")
# The whole default suite (~2.5 s): long enough to check the kernel's TSC
# calibration against the host's clock to 5% (a 1 GHz guess or a wrong PIT
# window would be far off).
hvb_boot_test(pvh-tcg CHECKS ${HVB_CORE_CHECKS} --expect-boot pvh --expect-clock 5
              QEMU ${HVB_TCG} -kernel ${HVB_ELF})
hvb_boot_test(selftest-faults-tcg
              CHECKS --expect-all-ran --expect-status selftest_ud=faulted --expect-status selftest_gp=faulted
                     --expect-status selftest_nested_guard=faulted --expect-output "#UD in init"
                     --expect-status idle=ok --expect-exit 3
              QEMU ${HVB_TCG} -kernel ${HVB_ELF} -append "only=selftest,idle")
hvb_boot_test(bad-cmdline-tcg
              CHECKS --expect-all-ran --expect-status idle=ok --expect-error "unknown option 'frobnicate=1'"
                     --expect-error "reps=abc" --expect-exit 9
              QEMU ${HVB_TCG} -kernel ${HVB_ELF} -append "frobnicate=1 reps=abc only=idle")
# iters= outside a descriptor's range is brought inside it, with an error
# record saying so; a count inside the range is used as given.
hvb_boot_test(iters-range-tcg
              CHECKS --expect-all-ran --expect-status mem_hot=ok --expect-status idle=ok
                     --expect-error "iters=10 is outside mem_hot's range [1024, 100000]: measured at 1024 iterations"
                     --expect-output "\"name\":\"mem_hot\",\"category\":\"memory\",\"status\":\"ok\",\"reason\":\"\",\"iterations\":1024,"
                     --expect-output "\"name\":\"idle\",\"category\":\"idle\",\"status\":\"ok\",\"reason\":\"\",\"iterations\":50,"
              QEMU ${HVB_TCG} -kernel ${HVB_ELF} -append "only=mem_hot,idle iters=mem_hot:10,idle:50 reps=3")
# With 16 MiB of RAM mem_cold's pool (11 MiB) must be given back: mem_hot and
# mem_hot_2m found no 4 MiB run while it was kept.
hvb_boot_test(mem-16m-tcg
              CHECKS --expect-all-ran --expect-status mem_cold=ok --expect-status mem_hot=ok
                     --expect-status mem_hot_2m=ok --expect-exit 1
              QEMU ${HVB_TCG} -m 16M -kernel ${HVB_ELF} -append "only=mem_cold,mem_hot,mem_hot_2m verify=0")
# A command line past the 1023 bytes the kernel keeps is an error naming the
# limit (the options past the cut used to vanish without a word, exit 0);
# under PVH, QEMU writes one of 4 KiB or more over start_info, which the
# fatal message says.
string(REPEAT "exit=auto " 110 HVB_PAD_1100)
string(REPEAT "exit=auto " 420 HVB_PAD_4200)
hvb_boot_test(long-cmdline-tcg
              CHECKS --expect-all-ran --expect-status idle=ok
                     --expect-error "kernel command line longer than 1023 bytes: the rest is ignored" --expect-exit 9
              QEMU ${HVB_TCG} -kernel ${HVB_ELF32} -append "only=idle verify=0 ${HVB_PAD_1100}")
hvb_boot_test(pvh-huge-cmdline-tcg
              CHECKS --expect-no-header --expect-error "holds text" --expect-error "a kernel command line overwrote it"
                     --expect-error "keep it under 1024 bytes" --expect-exit 17
              QEMU ${HVB_TCG} -kernel ${HVB_ELF} -append "only=idle ${HVB_PAD_4200}")
if(TARGET iso)
  hvb_boot_test(iso-bios-tcg CHECKS ${HVB_CORE_CHECKS} --expect-boot mb2
                QEMU ${HVB_TCG} -cdrom ${HVB_ISO})
  hvb_boot_test(grub-mb1-bios-tcg CHECKS ${HVB_CORE_CHECKS} --expect-boot mb1
                QEMU ${HVB_TCG} -cdrom ${CMAKE_BINARY_DIR}/hvbench-mb1-test.iso)
  if(HVB_OVMF)
    hvb_boot_test(iso-uefi-tcg TIMEOUT 240 CHECKS ${HVB_CORE_CHECKS} --expect-boot mb2
                  QEMU ${HVB_TCG} -bios ${HVB_OVMF} -cdrom ${HVB_ISO})
  endif()
endif()
# SMP and MMU (POSIH): the header's CPU count, every AP answering on_cpu, and
# the 64 MiB map/touch/unmap check with 4 KiB and 2 MiB pages.
set(HVB_SELFCHECK_CHECKS --expect-no-error --expect-output "self-check mmu: 64 MiB mapped with 4 KiB pages"
    --expect-output "self-check mmu: 64 MiB mapped with 2 MiB pages" --expect-output "self-check mmu: setup_mmu mapped"
    --expect-output "self-check interrupts: self-IPI delivered" --expect-exit 1)
hvb_boot_test(smp1-tcg CHECKS ${HVB_SELFCHECK_CHECKS} --expect-cpus 1 --expect-output "self-check smp: 1 CPU"
              QEMU ${HVB_TCG} -smp 1 -kernel ${HVB_ELF} -append "selfcheck=all only=idle")
foreach(n 2 4)
  math(EXPR aps "${n} - 1")
  hvb_boot_test(smp${n}-tcg CHECKS ${HVB_SELFCHECK_CHECKS} --expect-cpus ${n}
                --expect-output "self-check smp: ${aps} of ${aps} APs answered"
                QEMU ${HVB_TCG} -smp ${n} -kernel ${HVB_ELF} -append "selfcheck=all only=idle")
endforeach()
hvb_boot_test(smp2-kvm TIMEOUT 180 CHECKS --require-kvm ${HVB_SELFCHECK_CHECKS} --expect-cpus 2
              --expect-output "self-check smp: 1 of 1 APs answered"
              QEMU ${HVB_KVM} -smp 2 -kernel ${HVB_ELF} -append "selfcheck=all only=idle")
# The same in xAPIC (MMIO) mode, which KVM offers alongside x2APIC.
hvb_boot_test(smp2-xapic-kvm TIMEOUT 180 CHECKS --require-kvm --expect-no-error --expect-cpus 2
              --expect-output "self-check smp: 1 of 1 APs answered" --expect-output "(lapic, xapic)" --expect-exit 1
              QEMU ${HVB_KVM} -smp 2 -kernel ${HVB_ELF} -append "apic=xapic only=idle")
# The whole default suite with 2 CPUs (so the IPI benchmarks run): every
# benchmark ok or unsupported with a reason, none faulted.
hvb_boot_test(suite-smp2-tcg CHECKS --expect-all-ran --expect-no-fault --expect-quality --expect-status ipi=ok
              --expect-status ipi_running=ok --expect-status mem_cold=ok --expect-exit 1
              QEMU ${HVB_TCG} -smp 2 -kernel ${HVB_ELF})
# Where the (nested, software) KVM cannot emulate them, RDTSCP and INT3 end the VM ("KVM internal
# error ... emulation failure"): a hypervisor gap no guest can catch, which
# the host tool survives by resuming in a fresh VM. This test runs the rest.
hvb_boot_test(suite-smp2-kvm TIMEOUT 900 CHECKS --require-kvm --expect-all-ran --expect-no-fault --expect-quality --expect-clock 5
              --expect-status ipi=ok --expect-status mem_cold=ok --expect-exit 1
              QEMU ${HVB_KVM_FAST} -smp 2 -kernel ${HVB_ELF} -append "skip=rdtscp,int3")
# Linearity (HyperBench section 6.2): each benchmark again at 10N and 100N.
hvb_boot_test(linearity-tcg CHECKS --expect-all-ran --expect-no-fault --expect-quality --expect-linearity
              --expect-status cpuid=ok --expect-status ipi=ok --expect-status set_page_table=ok --expect-exit 1
              QEMU ${HVB_TCG} -smp 2 -kernel ${HVB_ELF} -append "only=cpuid,ipi,set_page_table,ud2 linearity=1")
hvb_boot_test(linearity-kvm TIMEOUT 180 CHECKS --require-kvm --expect-all-ran --expect-no-fault --expect-quality
              --expect-linearity --expect-status cpuid=ok --expect-exit 1
              QEMU ${HVB_KVM_FAST} -kernel ${HVB_ELF} -append "only=cpuid,io_out linearity=1")
hvb_boot_test(pvh-kvm TIMEOUT 180 CHECKS --require-kvm ${HVB_CORE_CHECKS} --expect-boot pvh
              QEMU ${HVB_KVM} -kernel ${HVB_ELF} -append "only=idle,cpuid,pushf_popf")

# The host tool end to end: `hvbench run` on the real kernel under TCG, its
# JSON and CSV files, and `hvbench compare` reading them back.
if(TARGET hvbench_tool)
  add_test(NAME boot.tool-run-tcg
    COMMAND ${CMAKE_COMMAND} -DTOOL=$<TARGET_FILE:hvbench_tool> -DOUT=${CMAKE_BINARY_DIR}/boot-tool-run-tcg
            -P ${CMAKE_CURRENT_LIST_DIR}/tool_run_check.cmake)
  set_tests_properties(boot.tool-run-tcg PROPERTIES LABELS boot TIMEOUT 180)
  # --pin: paused start, vCPUs pinned over QMP, then run (tools/pinning.h).
  foreach(accel tcg kvm)
    add_test(NAME boot.tool-pin-${accel}
      COMMAND ${CMAKE_COMMAND} -DTOOL=$<TARGET_FILE:hvbench_tool> -DOUT=${CMAKE_BINARY_DIR}/boot-tool-pin-${accel}
              -DACCEL=${accel} -P ${CMAKE_CURRENT_LIST_DIR}/tool_pin_check.cmake)
    set_tests_properties(boot.tool-pin-${accel} PROPERTIES LABELS boot TIMEOUT 180
      SKIP_REGULAR_EXPRESSION "KVM is not usable")
  endforeach()
  # hvbench as Xen 4.17's PVH dom0, Xen nested in QEMU TCG (tools/xen.h):
  # skipped when Xen cannot be fetched, never passed.
  add_test(NAME boot.xen-dom0-tcg
    COMMAND ${CMAKE_COMMAND} -DTOOL=$<TARGET_FILE:hvbench_tool> -DOUT=${CMAKE_BINARY_DIR}/boot-xen-dom0-tcg
            -DONLY=cpuid,hypercall,idle,io_in,mem_hot -DGUEST=dom0 -P ${CMAKE_CURRENT_LIST_DIR}/xen_run_check.cmake)
  set_tests_properties(boot.xen-dom0-tcg PROPERTIES LABELS boot TIMEOUT 300
    SKIP_REGULAR_EXPRESSION "hvbench: Xen unavailable")
  # ... and as a PVH domU: Xen boots a Linux PV dom0 (its image built once
  # into the cache from Debian packages, ~30 s) whose xl starts the kernel.
  add_test(NAME boot.xen-domu-pvh-tcg
    COMMAND ${CMAKE_COMMAND} -DTOOL=$<TARGET_FILE:hvbench_tool> -DOUT=${CMAKE_BINARY_DIR}/boot-xen-domu-pvh-tcg
            -DONLY=cpuid,hypercall,idle,io_in,ipi,mem_hot -DGUEST=pvh -P ${CMAKE_CURRENT_LIST_DIR}/xen_run_check.cmake)
  set_tests_properties(boot.xen-domu-pvh-tcg PROPERTIES LABELS boot TIMEOUT 600
    SKIP_REGULAR_EXPRESSION "hvbench: Xen unavailable")
  # ... and as an HVM domU: the same dom0 with Debian's device model
  # (`xen-dom0-image.sh --hvm`) boots a small GRUB ISO through hvmloader and
  # SeaBIOS; ~25 s on an idle host, minutes on a loaded one.
  add_test(NAME boot.xen-domu-hvm-tcg
    COMMAND ${CMAKE_COMMAND} -DTOOL=$<TARGET_FILE:hvbench_tool> -DOUT=${CMAKE_BINARY_DIR}/boot-xen-domu-hvm-tcg
            -DONLY=cpuid,idle,hypercall -DGUEST=hvm -P ${CMAKE_CURRENT_LIST_DIR}/xen_run_check.cmake)
  set_tests_properties(boot.xen-domu-hvm-tcg PROPERTIES LABELS boot TIMEOUT 900
    SKIP_REGULAR_EXPRESSION "hvbench: Xen unavailable")
endif()
