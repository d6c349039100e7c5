; arch/x86_64/boot.asm — the three ways into hvbench and the switch to long mode.
;
; multiboot1 and multiboot2 loaders enter hvb_multiboot_entry in 32-bit
; protected mode with the magic in EAX and the info pointer in EBX; a PVH
; loader (QEMU -kernel, Xen, Firecracker, cloud-hypervisor) enters
; hvb_pvh_entry the same way with the hvm_start_info pointer in EBX and no
; magic, so it supplies its own. Both then share one path: our own GDT, a
; cleared BSS, a stack, an identity map of the low 4 GiB with 2 MiB pages,
; long mode, and a call to hvb_kmain(magic, info).

bits 32

%include "arch/x86_64/long_mode.inc"

MB1_MAGIC       equ 0x1BADB002
MB1_FLAGS       equ (1 << 0) | (1 << 1)     ; page-aligned modules, memory info
MB2_MAGIC       equ 0xE85250D6
MB2_ARCH_I386   equ 0
PVH_START_MAGIC equ 0x336EC578              ; hvm_start_info.magic
XEN_ELFNOTE_PHYS32_ENTRY equ 18

PTE_P           equ 1 << 0
PTE_W           equ 1 << 1
PTE_PWT         equ 1 << 3
PTE_PCD         equ 1 << 4
PTE_PS          equ 1 << 7

SEL_CODE32      equ 0x08
SEL_DATA        equ 0x10
SEL_CODE64      equ 0x18

BOOT_STACK_SIZE equ 16384

extern hvb_kmain
extern hvb_bss_start
extern hvb_bss_end

; ---- headers -------------------------------------------------------------
; The linker script places .multiboot2 first and .multiboot1 at an offset of
; its choosing (see linker/kernel.ld for why the offset matters to QEMU).

section .multiboot2 progbits alloc noexec nowrite align=8
mb2_header:
    dd MB2_MAGIC
    dd MB2_ARCH_I386
    dd mb2_header_end - mb2_header
    dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    ; end tag
    dw 0, 0
    dd 8
mb2_header_end:

section .multiboot1 progbits alloc noexec nowrite align=4
mb1_header:
    dd MB1_MAGIC
    dd MB1_FLAGS
    dd -(MB1_MAGIC + MB1_FLAGS)

; Xen ELF note (xen/include/public/elfnote.h): the 32-bit PVH entry point.
; QEMU reads the descriptor of an ELF64 note as 8 bytes, Xen takes 4 or 8.
section .note.hvb.pvh note alloc noexec nowrite align=4
    dd 4                            ; namesz ("Xen\0")
    dd 8                            ; descsz
    dd XEN_ELFNOTE_PHYS32_ENTRY
    db "Xen", 0
    dq hvb_pvh_entry

; ---- 32-bit entry ----------------------------------------------------------
section .boot.text progbits alloc exec nowrite align=16

global hvb_multiboot_entry
hvb_multiboot_entry:
    cli
    cld
    mov ebp, eax                    ; magic: 0x2BADB002 (mb1) or 0x36D76289 (mb2)
    jmp common_entry

global hvb_pvh_entry
hvb_pvh_entry:
    cli
    cld
    mov ebp, PVH_START_MAGIC
    ; fall through

common_entry:
    ; The TSC at kernel entry, before anything else (time to first result).
    ; EAX and EDX are free here: the magic is in EBP, the info pointer in EBX.
    ; It lives in .data, which the BSS clear below leaves alone; the loader's
    ; flat data segment is still in DS.
    rdtsc
    mov [hvb_entry_tsc], eax
    mov [hvb_entry_tsc + 4], edx

    ; The loader's GDT must not be relied on (multiboot spec 3.2; PVH gives
    ; flat segments but no GDT we own). Load ours.
    lgdt [gdt32_pointer]
    jmp SEL_CODE32:.reload_cs
.reload_cs:
    mov ax, SEL_DATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax

    ; Clear BSS (it holds the stack and the page tables, so this comes first).
    ; EBX (info pointer) and EBP (magic) survive rep stosd.
    mov edi, hvb_bss_start
    mov ecx, hvb_bss_end
    sub ecx, edi
    shr ecx, 2
    xor eax, eax
    rep stosd
    mov esp, boot_stack_top
    mov [saved_magic], ebp
    mov [saved_info], ebx

    ; Long mode is CPUID.80000001h:EDX[29].
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz no_long_mode

    ; PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages
    ; covering 0..4 GiB. The top GiB (PCI hole, LAPIC, IOAPIC, HPET) is mapped
    ; uncached so early MMIO never goes through the cache.
    mov eax, boot_pdpt
    or eax, PTE_P | PTE_W
    mov [boot_pml4], eax
    mov edi, boot_pdpt
    mov eax, boot_pd
    or eax, PTE_P | PTE_W
    mov ecx, 4
.fill_pdpt:
    mov [edi], eax
    add edi, 8
    add eax, 4096
    loop .fill_pdpt

    mov edi, boot_pd
    xor ecx, ecx                    ; 2 MiB page index 0..2047
.fill_pd:
    mov eax, ecx
    shl eax, 21
    or eax, PTE_P | PTE_W | PTE_PS
    cmp ecx, 3 * 512
    jb .cached
    or eax, PTE_PCD | PTE_PWT
.cached:
    mov [edi + ecx * 8], eax        ; high half stays 0 (BSS): all below 4 GiB
    inc ecx
    cmp ecx, 2048
    jb .fill_pd

    ; The first 2 MiB with 4 KiB pages: it mixes RAM with the legacy VGA
    ; window and ROMs, which MTRRs give other memory types, and a large page
    ; spanning ranges of different types is undefined (SDM vol. 3, 11.11.9).
    mov edi, boot_pt
    xor ecx, ecx
.fill_pt:
    mov eax, ecx
    shl eax, 12
    or eax, PTE_P | PTE_W
    mov [edi + ecx * 8], eax
    inc ecx
    cmp ecx, 512
    jb .fill_pt
    mov eax, boot_pt
    or eax, PTE_P | PTE_W
    mov [boot_pd], eax

    ENABLE_LONG_MODE boot_pml4
    jmp SEL_CODE64:long_mode_entry

no_long_mode:
    ; Say why on the serial port and the VGA text screen, then stop.
    mov esi, no_long_mode_msg
    mov edi, 0xB8000
.next:
    lodsb
    test al, al
    jz .halt
    mov dx, 0x3F8
    out dx, al
    mov ah, 0x4F
    stosw
    jmp .next
.halt:
    hlt
    jmp .halt

bits 64
long_mode_entry:
    mov ax, SEL_DATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top
    xor ebp, ebp                    ; end of the frame-pointer chain
    mov edi, [rel saved_magic]
    mov esi, [rel saved_info]
    call hvb_kmain
.halt:
    cli
    hlt
    jmp .halt

section .rodata
no_long_mode_msg: db "hvbench: this CPU has no 64-bit long mode", 13, 10, 0

align 8
gdt32:
    dq 0
    dq 0x00CF9A000000FFFF           ; 0x08: 32-bit code, flat
    dq 0x00CF92000000FFFF           ; 0x10: data, flat
    dq 0x00AF9A000000FFFF           ; 0x18: 64-bit code
gdt32_end:
gdt32_pointer:
    dw gdt32_end - gdt32 - 1
    dd gdt32

section .data
align 8
global hvb_entry_tsc
hvb_entry_tsc: dq 0

section .bss
alignb 4096
boot_pml4:  resb 4096
boot_pdpt:  resb 4096
boot_pd:    resb 4 * 4096
boot_pt:    resb 4096
alignb 16
boot_stack: resb BOOT_STACK_SIZE
boot_stack_top:
saved_magic: resd 1
saved_info:  resd 1
