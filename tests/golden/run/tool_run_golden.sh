#!/bin/sh
# tests/golden/run/tool_run_golden.sh — `hvbench run` end to end against the
# fake VMM (tests/golden/run/fake_qemu.sh): for each scenario below, the
# tool's stdout, stderr, exit status, JSON, CSV and log, with what varies
# from run to run or host to host masked (dates, host names and rates,
# paths, wall-clock times), must equal tests/golden/run/<scenario>.*.
# Outputs are promised byte-for-byte: a change here is a change users see.
#
#   tool_run_golden.sh HVBENCH FAKE_VMM WORKDIR [--update]
#   --update: rewrite the golden files from this build (then review the diff)
set -u
tool=$1 fake=$2 work=$3 update=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
export HVB_FAKE_VMM="$fake"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2
: > kernel.elf  # an image file to name; not an hvbench kernel, so no catalog

# Wall-clock figures and host facts, masked.
mask_text() {
  sed -E -e 's/[0-9]+(\.[0-9]+)? s\)/T s)/g' \
         -e 's/in [0-9]+(\.[0-9]+)? s,/in T s,/; s/in [0-9]+:[0-9]{2},/in T,/' \
         -e 's/[0-9]+ ms after/N ms after/g' \
         -e "s#$tool#HVBENCH#g" -e "s#$here#GOLDEN#g"
}
mask_json() {
  sed -E -e 's/^( *"(date|host_name|executable|num_cpus|mhz_per_cpu|host_tsc_hz)": ).*[^,](,?)$/\1MASKED\3/' \
         -e 's/[0-9]+(\.[0-9]+)? s\)/T s)/g' \
         -e "s#$tool#HVBENCH#g" -e "s#$here#GOLDEN#g"
}

status=0
# scenario NAME "FAKE VMM ARGS" HVBENCH-RUN-ARGS...
scenario() {
  name=$1 fake_args=$2
  shift 2
  rm -f out.json out.csv out.log
  HVB_FAKE_ARGS="$fake_args" "$tool" run --qemu "$here/fake_qemu.sh" --kernel kernel.elf --firmware default \
    --accel tcg --smp 2 "$@" > out.stdout 2> out.stderr
  echo "exit $?" >> out.stdout
  mask_text < out.stdout > "$name.stdout"
  if [ "$name" = verbose ]; then
    # --verbose echoes the guest's console as it is read, and the tool's own
    # lines fall between those chunks wherever the reads happened to split
    # them: only the tool's lines are compared, as a sorted list.
    mask_text < out.stderr | sed 's/hvbench: /\nhvbench: /g' | grep '^hvbench: ' | LC_ALL=C sort > "$name.stderr"
  else
    mask_text < out.stderr > "$name.stderr"
  fi
  compare_outputs "$name"
}

# compare_outputs NAME: out.* masked into NAME.*, each equal to its golden file.
compare_outputs() {
  name=$1
  for f in json csv log; do
    [ -f "out.$f" ] || continue
    if [ "$f" = json ]; then mask_json < out.json > "$name.json"; else cp "out.$f" "$name.$f"; fi
  done
  for f in "$name".*; do
    if [ "$update" = --update ]; then
      cp "$f" "$here/$f"
    elif ! cmp -s "$f" "$here/$f"; then
      echo "FAIL $name: $f differs from tests/golden/run/$f"
      diff -u "$here/$f" "$f" | head -40
      status=1
    fi
  done
  for g in "$here/$name".*; do
    [ -f "$(basename "$g")" ] || { echo "FAIL $name: no $(basename "$g") written"; status=1; }
  done
}

# import_log NAME LOG: `hvbench import` of a saved serial log (a real kernel's).
import_log() {
  name=$1 log=$2
  rm -f out.json out.csv out.log
  "$tool" import "$here/$log" --json out.json --csv out.csv > out.stdout 2> out.stderr
  echo "exit $?" >> out.stdout
  mask_text < out.stdout > "$name.stdout"
  mask_text < out.stderr > "$name.stderr"
  compare_outputs "$name"
}

files="--json out.json --csv out.csv --log out.log"
# shellcheck disable=SC2086
{
scenario clean "--benchmarks a:one,b:two,c:one" --quick $files
scenario crash "--benchmarks a,b,c,d --crash b" --quick $files
scenario timeout "--benchmarks a,b,c,d --hang c" --quick --timeout 2 $files
scenario boot-hang "--benchmarks a,b --hang-at-boot" --quick --boot-timeout 2 $files
scenario boot-death "--benchmarks a,b --die-at-boot" --quick $files
scenario rdtscp-timer "--benchmarks a,b,c --crash-if-rdtscp b" --quick --timer rdtscp $files
scenario rdtscp-bench "--benchmarks a,b,c --crash b" --quick --timer rdtscp $files
scenario vmm-stop "--benchmarks a,b,c --vmm-stop b --vmm-stop-code" --quick $files
scenario lose-end "--benchmarks a,b,c --lose-end --noise" --quick $files
scenario runs "--benchmarks a,b,c --crash b" --runs 2 $files
# The default: launches that agree (tools/agreement.h). d crashes launch 1's
# VM; launch 2 skips it, measures a, b and c again, and they agree. (No
# --passes: its "pass 2" line races the results in the progress output.)
scenario agree "--benchmarks a,b,c,d --crash d" --no-reference $files
scenario verbose "--benchmarks a,b --crash b" --quick --verbose --only a,b --label fake $files
scenario quiet "--benchmarks a,b,c --noise" --quick --quiet --skip c --reps 3 --linearity $files
scenario usage "--benchmarks a" --smp 0
import_log import-tcg tcg-cpuid-idle-ud2.log
}
[ $status = 0 ] && [ "$update" != --update ] && echo "PASS"
exit $status
