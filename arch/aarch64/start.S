// arch/aarch64/start.S — the entry of hvbench-aarch64.img.
//
// The image is a Linux arm64 "Image" (Documentation/arch/arm64/booting.rst):
// a 64-byte header whose first word branches to the code, text_offset 0,
// image_size (BSS included, so a loader reserves it), flags 0xa (little
// endian, 4 KiB pages, anywhere in RAM) and the magic "ARM\x64" at 0x38.
// That is what QEMU's -kernel, Xen's dom0 builder, U-Boot's booti and GRUB
// accept. The loader enters at the header with the MMU off, x0 = the DTB's
// physical address, at EL2 or EL1.
//
// The image is linked position-independent at address 0 (ld.lld -pie): the
// first thing done is applying its R_AARCH64_RELATIVE relocations for the
// address it was loaded at. Then, at EL2, EL2 is set up so that EL1 owns the
// machine (timers, counters, GICv3 system registers untrapped) and the CPU
// drops to EL1; BSS is cleared, the boot stack taken and hvb_arm_main(dtb,
// entry_el) called. Secondary CPUs (PSCI CPU_ON) enter at
// hvb_secondary_entry with their index in x0.

#define R_AARCH64_RELATIVE 1027
#define STACK_SIZE 16384
#define SCTLR_EL1_BOOT 0x30d01800   // RES1 bits, I-cache on, MMU and D-cache off
#define SPSR_EL1H_MASKED 0x3c5      // EL1h, D, A, I and F masked
#define ICC_SRE_EL2 S3_4_C12_C9_5

    .section .text.boot, "ax"
    .global hvb_image_header
hvb_image_header:
    b       hvb_primary_entry       // code0
    .long   0                       // code1
    .quad   0                       // text_offset
    .quad   hvb_image_size          // image_size (absolute link-time value)
    .quad   0xa                     // flags: LE, 4K pages, placed anywhere
    .quad   0, 0, 0                 // res2..res4
    .ascii  "ARM\x64"               // magic
    .long   0                       // res5

hvb_primary_entry:
    mov     x19, x0                 // the DTB
    mrs     x20, cntvct_el0         // the entry timestamp, kept until BSS is clear
    bl      hvb_relocate
    bl      hvb_drop_to_el1
    mov     x21, x0                 // the EL we were entered at

    adrp    x0, hvb_bss_start
    add     x0, x0, :lo12:hvb_bss_start
    adrp    x1, hvb_bss_end
    add     x1, x1, :lo12:hvb_bss_end
1:  cmp     x0, x1
    b.hs    2f
    stp     xzr, xzr, [x0], #16
    b       1b
2:
    adrp    x0, hvb_cpu_stacks
    add     x0, x0, :lo12:hvb_cpu_stacks
    add     sp, x0, #STACK_SIZE
    bl      hvb_install_vectors
    adrp    x0, hvb_arm_entry_counter
    str     x20, [x0, :lo12:hvb_arm_entry_counter]
    mov     x0, x19
    mov     x1, x21
    bl      hvb_arm_main
3:  wfe
    b       3b

// Secondary CPUs: x0 = the index hvb_arm_main gave PSCI CPU_ON as context.
    .global hvb_secondary_entry
hvb_secondary_entry:
    mov     x19, x0
    bl      hvb_drop_to_el1
    adrp    x0, hvb_cpu_stacks
    add     x0, x0, :lo12:hvb_cpu_stacks
    mov     x1, #STACK_SIZE
    madd    x0, x19, x1, x0
    add     sp, x0, #STACK_SIZE
    bl      hvb_install_vectors
    mov     x0, x19
    bl      hvb_arm_secondary_main
4:  wfe
    b       4b

// Applies .rela.dyn for the load address (the link address is 0). MMU off:
// every access is Device memory, so all of them are naturally aligned.
hvb_relocate:
    adrp    x9, hvb_image_header
    add     x9, x9, :lo12:hvb_image_header
    adrp    x1, hvb_rela_start
    add     x1, x1, :lo12:hvb_rela_start
    adrp    x2, hvb_rela_end
    add     x2, x2, :lo12:hvb_rela_end
1:  cmp     x1, x2
    b.hs    2f
    ldp     x3, x4, [x1], #16       // r_offset, r_info
    ldr     x5, [x1], #8            // r_addend
    cmp     w4, #R_AARCH64_RELATIVE
    b.ne    1b
    add     x5, x5, x9
    str     x5, [x9, x3]
    b       1b
2:  ret

// Returns x0 = the EL the CPU was in (1 or 2), now running at EL1.
hvb_drop_to_el1:
    mrs     x9, CurrentEL
    ubfx    x9, x9, #2, #2
    ldr     x10, =SCTLR_EL1_BOOT
    msr     sctlr_el1, x10
    mov     x10, #(3 << 20)         // CPACR_EL1.FPEN: no FP/SIMD traps
    msr     cpacr_el1, x10
    cmp     x9, #2
    b.eq    1f
    mov     x0, x9
    isb
    ret
1:  mov     x10, #(1 << 31)         // HCR_EL2.RW: EL1 is AArch64; nothing trapped
    msr     hcr_el2, x10
    mrs     x10, cnthctl_el2
    orr     x10, x10, #3            // EL1PCTEN, EL1PCEN: EL1 reads the physical counter and timer
    msr     cnthctl_el2, x10
    msr     cntvoff_el2, xzr        // virtual count = physical count
    mrs     x10, midr_el1
    msr     vpidr_el2, x10
    mrs     x10, mpidr_el1
    msr     vmpidr_el2, x10
    mov     x10, #0x33ff            // CPTR_EL2: RES1 bits, no FP/SIMD traps
    msr     cptr_el2, x10
    msr     hstr_el2, xzr
    mrs     x10, pmcr_el0
    ubfx    x10, x10, #11, #5       // PMCR_EL0.N
    msr     mdcr_el2, x10           // HPMN = N: EL1 owns every counter, no PMU traps
    mrs     x10, id_aa64pfr0_el1
    ubfx    x10, x10, #24, #4       // GIC system register interface present?
    cbz     x10, 2f
    mrs     x10, ICC_SRE_EL2
    orr     x10, x10, #0xf          // SRE, DFB, DIB, Enable: EL1 may use ICC_* registers
    msr     ICC_SRE_EL2, x10
    isb
2:  adrp    x10, hvb_el2_vectors
    add     x10, x10, :lo12:hvb_el2_vectors
    msr     vbar_el2, x10
    mov     x10, #SPSR_EL1H_MASKED
    msr     spsr_el2, x10
    msr     elr_el2, x30
    mov     x0, x9
    isb
    eret

    .section .bss.stacks, "aw", %nobits
    .balign 16
    .global hvb_cpu_stacks
hvb_cpu_stacks:
    .skip   STACK_SIZE * HVB_MAX_CPUS
