#!/bin/sh
# scripts/compare_runs.sh — two hvbench binaries (say main's and a
# refactored one) run on the same fake-VMM scenario; their stdout, stderr,
# exit status, JSON, CSV and log compared after masking what varies from run
# to run (wall-clock times, dates, the host's TSC rate, scratch paths, the
# binary's own path). For a scenario tests/golden/run/ does not hold yet.
#
#   scripts/compare_runs.sh OLD NEW FAKE_VMM "FAKE VMM ARGS" [hvbench run args...]
#   e.g. scripts/compare_runs.sh /tmp/hvbench.main build/hvbench build/tests/hvb_fake_vmm \
#          "--benchmarks a,b,c --crash b" --pin --json out.json --csv out.csv --log out.log
# Outputs go to the current directory's files named out.*; exit 1 on any difference.
# Host-timed figures (--timing external) differ from run to run by nature.
set -u
[ $# -ge 4 ] || { sed -n '2,13p' "$0"; exit 2; }
old=$(realpath "$1") new=$(realpath "$2") fake=$(realpath "$3") fake_args=$4
shift 4
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/hvbench-compare.XXXXXX)
status=0
for side in old new; do
  bin=$old
  [ $side = new ] && bin=$new
  mkdir -p "$work/$side" && cd "$work/$side" || exit 2
  : > kernel.elf
  HVB_FAKE_VMM="$fake" HVB_FAKE_ARGS="$fake_args" "$bin" run --qemu "$here/tests/golden/run/fake_qemu.sh" \
    --kernel kernel.elf --firmware default --accel tcg "$@" > out.stdout 2> out.stderr
  echo "exit $?" >> out.stdout
  for f in out.*; do
    sed -E -e 's/[0-9]+(\.[0-9]+)? s\)/T s)/g; s/in [0-9.]+ s,/in T s,/; s/in [0-9]+:[0-9]{2},/in T,/' \
           -e 's/[0-9]+ ms after/N ms after/g; s#/tmp/hvbench\.[A-Za-z0-9]+#SCRATCH#g' \
           -e "s#$bin#HVBENCH#g" -e '/"(date|host_tsc_hz|mhz_per_cpu)"/d' "$f" > "$f.masked"
  done
done
for f in "$work"/old/*.masked; do
  name=$(basename "$f" .masked)
  if cmp -s "$f" "$work/new/$name.masked"; then
    echo "same $name"
  else
    echo "DIFF $name"
    diff "$f" "$work/new/$name.masked" | head -20
    status=1
  fi
done
rm -rf "$work"
exit $status
