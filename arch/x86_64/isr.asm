; arch/x86_64/isr.asm — interrupt entry stubs and the fault guard.
;
; One stub per vector (generated with %rep, never hand-copied). Each pushes a
; zero where the CPU pushes no error code, then the vector, so every frame has
; the same shape (struct InterruptFrame in arch/x86_64/interrupts.h), and
; jumps to isr_common, which saves the general registers and calls
; hvb_interrupt_dispatch(frame).

bits 64
default rel

extern hvb_interrupt_dispatch

section .text

; Vectors whose exceptions push an error code (Intel SDM vol. 3, table 6-1):
; #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14, #AC 17, #CP 21, #VC 29, #SX 30.
%macro ISR_STUB 1
align 16
isr_stub_%1:
%if (%1 == 8) || (%1 >= 10 && %1 <= 14) || (%1 == 17) || (%1 == 21) || (%1 == 29) || (%1 == 30)
%else
    push 0
%endif
    push %1
    jmp isr_common
%endmacro

%assign vec 0
%rep 256
ISR_STUB vec
%assign vec vec + 1
%endrep

isr_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    ; The CPU aligned RSP to 16 before pushing its 5-word frame (SDM vol. 3,
    ; 6.14.2); with the error code, the vector and 15 registers (22 words in
    ; all) RSP is 16-byte aligned here, as the ABI wants at a call.
    mov rdi, rsp
    call hvb_interrupt_dispatch
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                     ; vector and error code
    iretq

section .rodata
align 8
global hvb_isr_stubs
hvb_isr_stubs:
%assign vec 0
%rep 256
    dq isr_stub_%+vec
%assign vec vec + 1
%endrep

; ---- the fault guard -------------------------------------------------------
; bool hvb_guarded_call(void (*fn)(void*), void* arg, struct GuardSlot* slot)
;
; Calls fn(arg) with `slot` armed. If fn returns, disarms and returns true.
; If a CPU exception hits while armed, the dispatcher records it in the slot,
; disarms it and returns from the exception to hvb_guard_landing on the stack
; saved here, which makes this function return false. GuardSlot layout:
;   +0 saved RSP, +8 saved RFLAGS, +16 armed flag (8 bytes).
section .text
global hvb_guarded_call
global hvb_guard_landing
hvb_guarded_call:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    sub rsp, 8                      ; 16-byte alignment at the call below
    mov rbx, rdx
    mov [rbx], rsp
    pushfq
    pop qword [rbx + 8]
    mov qword [rbx + 16], 1
    mov rax, rdi
    mov rdi, rsi
    call rax
    mov qword [rbx + 16], 0
    mov eax, 1
.out:
    add rsp, 8
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret
hvb_guard_landing:
    xor eax, eax
    jmp hvb_guarded_call.out
