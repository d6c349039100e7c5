#!/usr/bin/env bash
# tests/boot/check_disasm.sh — proves from the kernel's disassembly that a
# benchmark's loop really executes its instruction: the function exists, the
# instruction is in it, and a backward conditional branch closes a loop around
# it (the compiler neither deleted the work nor hoisted it out of the loop).
#
#   check_disasm.sh build/hvbench.elf cpuid_loop:cpuid 'set_cr3_loop:mov .*,%cr3' ...
#
# The part after the colon is an extended regular expression matched against
# the start of "mnemonic operands" as objdump prints them (AT&T syntax on
# x86_64; for aarch64 set OBJDUMP=llvm-objdump). A loop is closed by a
# backward conditional branch: j<cc> on x86_64; b.<cc>, cbz/cbnz or
# tbz/tbnz on aarch64.
set -euo pipefail
elf=$1
shift
objdump=${OBJDUMP:-objdump}
disasm=$("$objdump" -d --no-show-raw-insn -C "$elf")
failed=0
for spec in "$@"; do
    fn=${spec%%:*}
    op=${spec#*:}
    verdict=$(awk -v fn="$fn" -v op="$op" '
        function hex(s,    i, n) {  # POSIX awk has no strtonum
            n = 0
            for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
            return n
        }
        # Function headers look like: 0000000000102340 <(anonymous namespace)::cpuid_loop(unsigned long)>:
        /^[0-9a-f]+ <.*>:$/ { inside = index($0, "::" fn "(") > 0 || index($0, "<" fn "(") > 0; next }
        !inside || NF < 2 { next }
        {
            addr = hex(substr($1, 1, length($1) - 1))
            mnem = $2
            insn = (NF >= 3) ? $2 " " $3 : $2
            if (!first_op && (insn ~ ("^" op) || mnem ~ ("^" op "[a-z]*$"))) first_op = addr
            if ((mnem ~ /^j[a-z]+$/ && mnem != "jmp") || mnem ~ /^(b\.[a-z]+|cbn?z|tbn?z)$/) {
                target = -1
                for (i = 3; i <= NF && target < 0; i++) {
                    t = $i
                    sub(/,$/, "", t)
                    if (t ~ /^0x[0-9a-f]+$/) target = hex(substr(t, 3))
                    else if (t ~ /^[0-9a-f]+$/) target = hex(t)
                }
                if (target >= 0 && first_op && target <= first_op && addr > first_op) loop = 1
            }
            found_fn = 1
        }
        END {
            if (!found_fn) print "no function " fn
            else if (!first_op) print "no " op " in " fn
            else if (!loop) print op " in " fn " is not inside a loop"
            else print "ok"
        }' <<<"$disasm")
    if [[ $verdict == ok ]]; then
        echo "ok  : $fn executes $op inside its loop"
    else
        echo "FAIL: $verdict"
        failed=1
    fi
done
exit $failed
