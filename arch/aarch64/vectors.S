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

// \op (stp or ldp) x\a, x\b at [\base, #\off], and on by pairs of
// registers and 16 bytes until x\last: one line for the registers a frame
// or a jump buffer keeps in order. (%(expr) evaluates in a macro's
// arguments under .altmacro only.)
    .macro REG_PAIRS op, base, a, b, off, last
    \op     x\a, x\b, [\base, #\off]
    .if \b < \last
    .altmacro
    REG_PAIRS \op, \base, %(\a+2), %(\b+2), %(\off+16), \last
    .noaltmacro
    .endif
    .endm

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
    REG_PAIRS stp, sp, 4, 5, 32, 29 // x4..x29 (x0..x3 the entry saved)
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
    REG_PAIRS ldp, sp, 2, 3, 16, 29 // x2..x29
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
    REG_PAIRS stp, x0, 19, 20, 0, 30
    mov     x9, sp
    str     x9, [x0, #96]
    mov     x0, #0
    ret

// hvb_arm_longjmp(ArmJumpBuffer*): the fault guard's landing pad (the
// exception handler points ELR here with the buffer in x0).
    .global hvb_arm_longjmp
hvb_arm_longjmp:
    REG_PAIRS ldp, x0, 19, 20, 0, 30
    ldr     x9, [x0, #96]
    mov     sp, x9
    mov     x0, #1
    ret
