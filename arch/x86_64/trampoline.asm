; arch/x86_64/trampoline.asm — where an application processor starts.
;
; A startup IPI starts an AP in real mode at CS:IP = (page << 8):0 (Intel SDM
; vol. 3, 8.4.4). This code is copied to that low page at run time, so it is
; position-independent: it finds its own base from CS and patches the two far
; pointers and the GDT pointer it needs. The BSP fills the parameter block at
; the end (page-table root, stack, entry point, CPU index) before each SIPI.
;
; Real mode -> protected mode (our GDT) -> PAE + EFER.LME + paging -> long
; mode -> jump to hvb_ap_main(cpu index) on the AP's own stack.

%include "arch/x86_64/long_mode.inc"

section .rodata
align 16
global hvb_trampoline_start
global hvb_trampoline_end
global hvb_trampoline_params

%define REL(x) ((x) - hvb_trampoline_start)

bits 16
hvb_trampoline_start:
    cli
    cld
    mov ax, cs
    mov ds, ax
    xor ebx, ebx
    mov bx, ax
    shl ebx, 4                          ; EBX = linear base of this page

    lea eax, [ebx + REL(tramp_gdt)]
    mov [REL(tramp_gdt_pointer) + 2], eax
    lea eax, [ebx + REL(protected_mode)]
    mov [REL(far_to_32)], eax
    lea eax, [ebx + REL(long_mode)]
    mov [REL(far_to_64)], eax

    lgdt [REL(tramp_gdt_pointer)]
    mov eax, cr0
    or eax, CR0_PE
    mov cr0, eax
    jmp dword far [REL(far_to_32)]

bits 32
protected_mode:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    ENABLE_LONG_MODE [ebx + REL(param_cr3)]
    jmp far [ebx + REL(far_to_64)]

bits 64
long_mode:
    mov ebx, ebx                        ; upper halves are undefined after the switch
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, [rbx + REL(param_stack)]
    mov edi, [rbx + REL(param_cpu)]
    mov rax, [rbx + REL(param_entry)]
    xor ebp, ebp
    call rax                            ; hvb_ap_main never returns
.halt:
    cli
    hlt
    jmp .halt

align 8
tramp_gdt:
    dq 0
    dq 0x00CF9A000000FFFF               ; 0x08: 32-bit code
    dq 0x00CF92000000FFFF               ; 0x10: data
    dq 0x00AF9A000000FFFF               ; 0x18: 64-bit code
tramp_gdt_end:
tramp_gdt_pointer:
    dw tramp_gdt_end - tramp_gdt - 1
    dd 0                                ; patched: linear address of tramp_gdt
far_to_32:
    dd 0                                ; patched
    dw 0x08
far_to_64:
    dd 0                                ; patched
    dw 0x18

align 8
hvb_trampoline_params:
param_cr3:   dq 0
param_stack: dq 0
param_entry: dq 0
param_cpu:   dq 0
hvb_trampoline_end:
