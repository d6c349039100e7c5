#!/bin/sh
# tests/tool_xl.sh — `hvbench run --vmm xl` end to end against a stand-in xl
# (tests/golden/run/fake_xl.sh, the fake VMM as the domain): the suite's
# records come back from `xl create -c`, a benchmark that crashes its domain
# is recorded `crashed` and the run resumes in a fresh domain, each domain
# is destroyed after it ends, and a host where `xl info` fails gets a clear
# error (a real Xen dom0 is not available here: docs/running.md).
#
#   tool_xl.sh HVBENCH FAKE_VMM WORKDIR
set -u
tool=$1 fake=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2
fail() { echo "FAIL: $*"; for f in out.stdout out.stderr calls.log; do [ -f $f ] && { echo "--- $f:"; cat $f; }; done; exit 1; }
: > hvbench.elf
export HVB_FAKE_VMM="$fake" HVB_FAKE_XL_LOG="$work/calls.log"

HVB_FAKE_ARGS="--crash idle" "$tool" run --vmm xl --xl "$here/golden/run/fake_xl.sh" --kernel hvbench.elf --quick \
  --json out.json > out.stdout 2> out.stderr
rc=$?
[ $rc -eq 32 ] || fail "exit status $rc, expected 32 (a benchmark crashed its VM)"
grep -q '"status": "crashed"' out.json || fail "no crashed result"
grep -q '"name": "pushf_popf"' out.json || fail "the run did not resume after the crash"
grep -q '"boot": "xl-pvh-domu"' out.json || fail "the context does not say xl"
[ "$(grep -c '^create -c ' calls.log)" -eq 2 ] || fail "expected two domains (one crashed, one resumed)"
[ "$(grep -c '^destroy hvbench-' calls.log)" -eq 2 ] || fail "each domain is destroyed after it ends"

# A host that is not a Xen dom0: xl info fails.
printf '#!/bin/sh\necho "xc: error: Could not obtain handle on privileged command interface" >&2\nexit 1\n' > no-xen-xl
chmod +x no-xen-xl
"$tool" run --vmm xl --xl ./no-xen-xl --kernel hvbench.elf --quick > out.stdout 2> out.stderr
rc=$?
[ $rc -eq 64 ] || fail "not a dom0: exit status $rc, expected 64"
grep -q "hvbench: --vmm xl: .*info. failed.*privileged command interface" out.stderr || fail "not a dom0: no clear error"
"$tool" run --vmm xl --boot mb2 --kernel hvbench.elf > out.stdout 2> out.stderr && fail "--boot mb2 accepted"
grep -q "PVH domU" out.stderr || fail "--boot mb2: no clear error"
echo "tool_xl: ok"
