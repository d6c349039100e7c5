// arch/aarch64/vectors.S — the exception vector tables and the fault
// guard's jump buffer.
//
// EL1 (ARM ARM D1.10.2): 16 entries of 0x80 bytes, in four groups: current EL
// with SP_EL0, current EL with SP_ELx (where the kernel runs: EL1h), lower EL
// AArch64, lower EL AArch32; each group synchronous, IRQ, FIQ, SError. Each
// entry saves x0..x30, SP, ELR, SPSR, ESR and FAR in an ArmFrame
// (arch/aarch64/exception.h) on the stack, calls hvb_arm_exception(frame,
// kind) with kind = the entry's index, and returns with ERET to whatever the
// handler left in the frame's ELR, SPSR and registers (the fault guard moves
// ELR to its landing pad).
//
// EL2: when the kernel was entered at EL2 and dropped to EL1, EL2 keeps a
// table that answers an HVC from EL1 with PSCI NOT_SUPPORTED (-1) and parks
// the CPU on anything else: hvbench is no hypervisor.

#define FRAME_SIZE 304              // sizeof(ArmFrame)

    .macro SAVE_AND_CALL kind
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    mov     x1, #\kind
    b       hvb_el1_common
    .endm

    .section .text.vectors, "ax"
    .balign 2048
    .global hvb_el1_vectors
hvb_el1_vectors:
    .irp kind, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    .balign 128
    SAVE_AND_CALL \kind
    .endr

hvb_el1_common:
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    add     x2, sp, #FRAME_SIZE
    stp     x30, x2, [sp, #240]     // x30, SP before the exception
    mrs     x2, elr_el1
    mrs     x3, spsr_el1
    stp     x2, x3, [sp, #256]
    mrs     x2, esr_el1
    mrs     x3, far_el1
    stp     x2, x3, [sp, #272]
    str     x1, [sp, #288]          // kind
    mov     x0, sp
    bl      hvb_arm_exception
    ldp     x2, x3, [sp, #256]
    msr     elr_el1, x2
    msr     spsr_el1, x3
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    ldp     x0, x1, [sp, #0]
    add     sp, sp, #FRAME_SIZE
    eret

    .global hvb_install_vectors
hvb_install_vectors:
    adrp    x9, hvb_el1_vectors
    add     x9, x9, :lo12:hvb_el1_vectors
    msr     vbar_el1, x9
    isb
    ret

    .balign 2048
    .global hvb_el2_vectors
hvb_el2_vectors:
    .rept 16
    .balign 128
    b       hvb_el2_trap
    .endr

hvb_el2_trap:
    mrs     x18, esr_el2
    lsr     x18, x18, #26
    cmp     x18, #0x16              // EC: HVC from AArch64
    b.ne    1f
    mov     x0, #-1                 // PSCI NOT_SUPPORTED
    eret
1:  wfe
    b       1b

// int hvb_arm_setjmp(ArmJumpBuffer*): saves x19..x30 and SP; returns 0, or
// 1 when hvb_arm_longjmp comes back to it.
    .text
    .global hvb_arm_setjmp
hvb_arm_setjmp:
    stp     x19, x20, [x0, #0]
    stp     x21, x22, [x0, #16]
    stp     x23, x24, [x0, #32]
    stp     x25, x26, [x0, #48]
    stp     x27, x28, [x0, #64]
    stp     x29, x30, [x0, #80]
    mov     x9, sp
    str     x9, [x0, #96]
    mov     x0, #0
    ret

// hvb_arm_longjmp(ArmJumpBuffer*): the fault guard's landing pad (the
// exception handler points ELR here with the buffer in x0).
    .global hvb_arm_longjmp
hvb_arm_longjmp:
    ldp     x19, x20, [x0, #0]
    ldp     x21, x22, [x0, #16]
    ldp     x23, x24, [x0, #32]
    ldp     x25, x26, [x0, #48]
    ldp     x27, x28, [x0, #64]
    ldp     x29, x30, [x0, #80]
    ldr     x9, [x0, #96]
    mov     sp, x9
    mov     x0, #1
    ret
