#!/bin/sh
# tests/golden/run/fake_xl.sh — Xen's xl as `hvbench run --vmm xl` uses it,
# with the fake VMM (tests/fakes/fake_vmm.cpp) as the domain: `info`
# answers, `create -c CFG` runs the fake with the config's cmdline (its
# console on stdout, as xl's PV console is), `destroy NAME` is a no-op. Every
# call is appended to $HVB_FAKE_XL_LOG when set. $HVB_FAKE_ARGS holds the
# scenario (--crash NAME, ...).
[ -n "${HVB_FAKE_XL_LOG:-}" ] && echo "$*" >> "$HVB_FAKE_XL_LOG"
case "$1" in
  info) echo "xen_major : 4"; echo "xen_minor : 17"; exit 0 ;;
  destroy) exit 0 ;;
  create)
    [ "$2" = -c ] && [ -f "$3" ] || { echo "fake xl: create -c CFG expected" >&2; exit 1; }
    cmdline=$(sed -n 's/^cmdline = "\(.*\)"$/\1/p' "$3")
    # shellcheck disable=SC2086 # the scenario is a list of words
    exec "$HVB_FAKE_VMM" $HVB_FAKE_ARGS --cpu xen --cmdline "$cmdline" ;;
esac
echo "fake xl: unknown command $1" >&2
exit 1
