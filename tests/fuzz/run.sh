#!/usr/bin/env bash
# tests/fuzz/run.sh — builds the libFuzzer targets with clang
# (-fsanitize=fuzzer,address,undefined; HVB_FUZZ=ON in a build directory of
# their own, the main build stays GCC) and runs each for a bounded time.
#
#   tests/fuzz/run.sh [--build DIR] [--seconds N] [--no-build | --build-only] [TARGET...]
#
# TARGET is a name such as `options` or `records` (default: all of them).
# Each target first runs every input of its checked-in corpus,
# tests/fuzz/corpus/TARGET/ (seeds and regression cases), then mutates them
# for N seconds (default 15; 0 runs the corpus only). New inputs go to a
# scratch corpus under the build directory, never into the checked-in one.
# Exits non-zero when any target finds a crash, a leak, undefined behaviour or
# a timeout; the input is saved as DIR/artifacts/TARGET-crash-... — once the
# bug is fixed, copy it into tests/fuzz/corpus/TARGET/ as a regression case.
# Exits 77 (skipped) when clang or libFuzzer is not installed.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$src/build-fuzz
seconds=15
mode=all
targets=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --build) build=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --no-build) mode=run; shift ;;
        --build-only) mode=build; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[[ $seconds =~ ^[0-9]+$ ]] || { echo "run.sh: --seconds needs a whole number, not '$seconds'" >&2; exit 2; }
all=(options multiboot1 multiboot2 pvh acpi memmap dtb records json results_json results_csv proc_stat)
[[ ${#targets[@]} -gt 0 ]] || targets=("${all[@]}")
for t in "${targets[@]}"; do
    [[ " ${all[*]} " == *" $t "* ]] || { echo "run.sh: no fuzz target '$t' (have: ${all[*]})" >&2; exit 2; }
done

if [[ $mode != run ]]; then
    if ! command -v clang++ >/dev/null || ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
        echo "run.sh: clang++ or libFuzzer (libclang-rt-dev) missing: fuzz targets skipped" >&2
        exit 77
    fi
    launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    CXX=clang++ cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHVB_FUZZ=ON \
        -DHVB_BUILD_KERNEL=OFF -DHVB_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
    cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}"
fi
[[ $mode != build ]] || exit 0

failed=()
mkdir -p "$build/artifacts"
for t in "${targets[@]}"; do
    bin=$build/tests/fuzz/fuzz_$t
    if [[ ! -x $bin ]]; then
        command -v clang++ >/dev/null || { echo "run.sh: clang++ missing: fuzz targets skipped" >&2; exit 77; }
        echo "run.sh: $bin not built (run without --no-build)" >&2
        exit 2
    fi
    scratch=$build/corpus/$t
    mkdir -p "$scratch"
    log=$build/fuzz-$t.log
    args=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-")
    if [[ $seconds -eq 0 ]]; then
        args+=(-runs=0)
    else
        args+=(-max_total_time="$seconds")
    fi
    [[ -f $src/tests/fuzz/$t.dict ]] && args+=(-dict="$src/tests/fuzz/$t.dict")
    # New inputs go to the first directory: the scratch one, never the checked-in corpus.
    dirs=("$scratch")
    [[ -d $src/tests/fuzz/corpus/$t ]] && dirs+=("$src/tests/fuzz/corpus/$t")
    if "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
        echo "fuzz_$t: ok, ${runs:-?} executions in ${seconds} s (${cov:-cov: ?})"
    else
        echo "fuzz_$t: FAILED (log: $log)"
        grep -E '^==[0-9]+==ERROR|SUMMARY|runtime error|Test unit written to|deadly signal|timeout' "$log" | head -8 | sed 's/^/    /'
        failed+=("$t")
    fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz targets with findings: ${failed[*]}; inputs in $build/artifacts/" >&2
    exit 1
fi
