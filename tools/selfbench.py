#!/usr/bin/env python3
"""tools/selfbench.py — measures hvbench itself (docs/performance.md).

For each accelerator it runs N invocations of the default `hvbench run`
(build/hvbench; by default each invocation is launches of fresh VMs that
agree, tools/agreement.h; `-- --quick` measures one launch each) and
reports issue 21's figures:

  * per benchmark, the spread of the reported headline over the N
    invocations and whether it passes (>= 100 cycles, flagged in none, within
    3% on TCG / 5% on KVM);
  * per invocation, the ok results flagged noisy (the rule: <= 10%);
  * silent errors: unflagged results of benchmarks >= 100 cycles more than
    10% above the N invocations' lowest (TCG) or from their median (KVM);
  * wall time and launches per invocation, and the host's load average
    before each one (`uptime`): the conditions.

--loaded runs a second QEMU TCG guest meanwhile (the suite's cpuid loop,
one VM, -smp 1, over and over) so the host is not quiet.

It also reports:

  * wall time of each run, QEMU start and firmware included;
  * time from kernel entry (the TSC read at the first instruction) to the
    platform header and to the first result, from the kernel's own records;
  * time from kernel entry to the first begin record (t_us), ok results
    flagged noisy per VM, and every pass's yardstick (timer call / empty
    loop);
  * per benchmark, the run-to-run spread (max/min - 1) of the headline (the
    kernel's cycles.estimate, docs/measurement.md) and, side by side, of the
    median of the same VMs; the verdicts apply issue 12's rule: a benchmark
    costing at least 100 cycles passes when it was measured in every run,
    flagged noisy in none, and varies by at most the limit (3% TCG, 5% KVM).

--reuse reports on the logs and JSON already in --workdir (each run's wall
time is kept in a .wall file beside them).

Writes a Markdown report (stdout, or --output) and keeps every run's JSON
and serial log in --workdir. Needs only the Python 3 standard library.

With --runs K every one of the N measurements is itself `hvbench run
--runs K` (the median of K fresh VMs, tools/aggregate.h), so the table
shows how far such aggregated answers move from one invocation to the next.

With --linearity it instead runs the suite once per accelerator with
`hvbench run --linearity` (HyperBench section 6.2) and tabulates, per
benchmark, the per-iteration medians at N, 10N and 100N and their ratios to
N's. A pair of levels agrees when the two medians are within 5% or within 2
cycles (two measurements each good to the target's 1-cycle floor, the same
floor the kernel's second look uses). Pairs where neither level is noisy
are the ones judged; pairs with a noisy level are shown and counted apart.

usage: tools/selfbench.py [--accel tcg,kvm] [--vms 5] [--runs 1] [--smp 2] [--linearity] [--reuse]
                          [--loaded] [--tool build/hvbench] [--workdir DIR] [--output FILE]
                          [-- extra hvbench run arguments, e.g. --quick]
"""
import argparse
import contextlib
import datetime
import json
import os
import platform
import statistics
import subprocess
import signal
import sys
import threading
import time

LIMITS = {"tcg": 0.03, "kvm": 0.05}
MIN_CYCLES = 100.0
SILENT_LIMIT = 0.10  # issue 21: no unflagged result this far above the lowest (TCG) / from the median (KVM)
FLAGGED_LIMIT = 0.10  # at most this share of an invocation's ok results flagged


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


@contextlib.contextmanager
def loaded_host(tool, workdir, enabled):
    """A second QEMU TCG guest looping while the body runs (--loaded)."""
    if not enabled:
        yield
        return
    stop = threading.Event()
    current = {}

    def loop():
        while not stop.is_set():
            proc = subprocess.Popen([tool, "run", "--accel", "tcg", "--smp", "1", "--quick", "--only", "cpuid",
                                     "--budget-ms", "600000", "--quiet", "--timeout", "900"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            current["proc"] = proc
            proc.wait()

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    time.sleep(2)  # its VM is running before the first measurement
    try:
        yield
    finally:
        stop.set()
        proc = current.get("proc")
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the load's own process group, started above
            proc.wait()
        t.join(timeout=10)


def records(log_path):
    """The kernel's @hvb records, in order, from a serial log."""
    out = []
    with open(log_path, "rb") as f:
        for raw in f:
            line = raw.decode("ascii", "replace")
            i = line.find("@hvb {")
            if i < 0:
                continue
            try:
                out.append(json.loads(line[i + 5:]))
            except json.JSONDecodeError:
                pass  # a line the VM's death cut short
    return out


def kvm_usable():
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
        os.close(fd)
        return True
    except OSError:
        return False


class _Kept:
    """A run read back from --reuse: no process, its wall time unknown."""
    returncode = 0
    stderr = ""


def one_run(tool, accel, smp, workdir, index, extra, per_run=1, reuse=False):
    stem = os.path.join(workdir, "%s-%d" % (accel, index))
    cmd = [tool, "run", "--accel", accel, "--smp", str(smp), "--json", stem + ".json",
           "--log", stem + ".log", "--label", accel, "--quiet"] + extra
    if per_run > 1:
        cmd += ["--runs", str(per_run)]
    load = load_average()
    start = time.monotonic()
    if reuse:
        proc, wall = _Kept(), float("nan")
        try:
            with open(stem + ".wall") as f:
                wall = float(f.read())
        except (OSError, ValueError):
            pass
    else:
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.monotonic() - start
        with open(stem + ".wall", "w") as f:
            f.write("%.3f\n" % wall)
    recs = records(stem + ".log")
    headers = [r for r in recs if r.get("type") == "header"]
    # Kernels since 2026-12-05 send the header's measurement fields in a
    # method record after pass 1's first benchmark: the first one completes
    # the first header.
    methods = [r for r in recs if r.get("type") == "method"]
    if headers and methods:
        for key, value in methods[0].items():
            headers[0].setdefault(key, value)
    results = [r for r in recs if r.get("type") == "result"]
    begins = [r for r in recs if r.get("type") == "begin" and "t_us" in r]
    yardsticks = [r for r in recs if r.get("type") == "yardstick"]
    run = {
        "runs": per_run,
        "wall": wall,
        "exit": proc.returncode,
        "stderr": proc.stderr.strip().splitlines()[-3:],
        "vms": len(headers),
        "header": headers[0] if headers else {},
        "first_result_us": results[0].get("t_us") if results else None,
        "first_begin_us": begins[0].get("t_us") if begins else None,
        "yardsticks": ["%s/%s" % (y.get("timer_cycles"), y.get("empty_loop_cycles")) for y in yardsticks],
        "results": {},
        "load": load,
        "launches": 1,
    }
    # The tool's JSON has the crash-and-resume view (every benchmark once).
    try:
        with open(stem + ".json") as f:
            doc = json.load(f)
        for b in doc.get("benchmarks", []):
            run["results"][b["name"]] = b
        notes = doc.get("context", {}).get("notes", []) or []
        run["launches"] = max([1] + [int(n.split(":")[0].split()[-1]) for n in notes
                                     if n.startswith("launch ") and n.split(":")[0].split()[-1].isdigit()])
    except (OSError, json.JSONDecodeError) as e:
        run["stderr"].append("no results JSON: %s" % e)
    # Kernel-side fields straight from the records where the JSON lacks them.
    for r in results:
        entry = run["results"].setdefault(r["name"], {"name": r["name"], "status": r.get("status")})
        entry["_record"] = r
    return run


def median_cycles(b):
    # The tool's figure first: with --runs it is the median over the runs.
    if "cycles_median" in b:
        return float(b["cycles_median"])
    rec = b.get("_record") or {}
    cyc = rec.get("cycles") or {}
    if "median" in cyc:
        return float(cyc["median"])
    return None


def headline_cycles(b):
    """The headline: the kernel's estimate (cycles_estimate) where there is one, else the median."""
    if "cycles_estimate" in b:
        return float(b["cycles_estimate"])
    rec = b.get("_record") or {}
    cyc = rec.get("cycles") or {}
    if "estimate" in cyc:
        return float(cyc["estimate"])
    return median_cycles(b)


def is_noisy(b):
    # The tool's view first: it includes the kernel's second look (verify
    # records), which can mark a result noisy after its record was sent.
    if "noisy" in b:
        return bool(b["noisy"])
    rec = b.get("_record") or {}
    return bool(rec.get("noisy", False))


def status(b):
    # The tool's status first: with several launches the last record seen
    # is one launch's, the JSON the answer.
    return b.get("status") or (b.get("_record") or {}).get("status")


def report(accel, runs, limit):
    lines = []
    walls = [r["wall"] for r in runs]
    boot = [r["header"].get("boot_us") for r in runs if r["header"].get("boot_us") is not None]
    first = [r["first_result_us"] for r in runs if r["first_result_us"] is not None]
    h = runs[0]["header"]
    per = runs[0].get("runs", 1)
    if per > 1:
        lines.append("### %s (%d invocations of `hvbench run --runs %d`, %d fresh suite runs in all)\n" % (
            accel.upper(), len(runs), per, len(runs) * per))
    else:
        lines.append("### %s (%d invocations of `hvbench run`%s)\n" % (
            accel.upper(), len(runs), ", %d launches in all" % sum(r.get("launches", 1) for r in runs)))
    lines.append("Guest: %s, %s, timer %s Hz (%s), timer call %s cycles (MAD %s), counter read %s cycles%s, "
                 "loop target %s cycles, budget %s ms, target +-%s%%.\n" % (
                     # the names of kernels since issue 22, else the older ones
                     h.get("cpu_model", "?"), h.get("hypervisor", "?"), h.get("timer_hz", h.get("tsc_hz", "?")),
                     h.get("rate_source", h.get("tsc_source", "?")), h.get("timer_cycles", "?"), h.get("timer_mad", "?"),
                     h.get("counter_read_cycles", h.get("rdtsc_cycles", "?")),
                     " (intercepted)" if h.get("counter_intercepted", h.get("rdtsc_intercepted")) else "",
                     h.get("loop_target_cycles", "?"), h.get("budget_ms", "?"),
                     (h.get("target_permille", 10) or 10) / 10))
    lines.append("| | min | median | max |")
    lines.append("|---|---|---|---|")
    lines.append("| wall time of the default suite, QEMU start included (s) | %.2f | %.2f | %.2f |" % (
        min(walls), statistics.median(walls), max(walls)))
    if boot:
        lines.append("| kernel entry to platform header (ms) | %.1f | %.1f | %.1f |" % (
            min(boot) / 1000, statistics.median(boot) / 1000, max(boot) / 1000))
    if first:
        lines.append("| kernel entry to first result (ms) | %.1f | %.1f | %.1f |" % (
            min(first) / 1000, statistics.median(first) / 1000, max(first) / 1000))
    fb = [r["first_begin_us"] for r in runs if r.get("first_begin_us") is not None]
    if fb:
        lines.append("| kernel entry to first begin record (ms) | %.1f | %.1f | %.1f |" % (
            min(fb) / 1000, statistics.median(fb) / 1000, max(fb) / 1000))
    noisy_per_vm, over_flag_limit = [], 0
    for r in runs:
        ok = [e for e in r["results"].values() if status(e) == "ok"]
        flagged = sum(1 for e in ok if is_noisy(e))
        over_flag_limit += bool(ok) and flagged > FLAGGED_LIMIT * len(ok)
        noisy_per_vm.append("%d/%d" % (flagged, len(ok)))
    lines.append("| ok results flagged noisy, per invocation (%d over %d%%) | %s | | |" % (
        over_flag_limit, round(FLAGGED_LIMIT * 100), ", ".join(noisy_per_vm)))
    launches = [r.get("launches", 1) for r in runs]
    lines.append("| launches per invocation (%s) | %d | %d | %d |" % (
        ", ".join(str(n) for n in launches), min(launches), statistics.median(launches), max(launches)))
    lines.append("| host load average (1, 5, 15 min) before each invocation | %s | | |" % (
        "; ".join(r.get("load", "?") for r in runs)))
    timers = [r["header"].get("timer_cycles") for r in runs if r["header"].get("timer_cycles") is not None]
    if timers:
        # The host's mode shows here first (docs/performance.md): a VM that
        # started in a slow phase pays more for its timer call.
        lines.append("| timer call at boot (cycles; per VM: %s) | %.0f | %.0f | %.0f |" % (
            ", ".join("%.0f" % t for t in timers), min(timers), statistics.median(timers), max(timers)))
    lines.append("| VMs per invocation (crash-and-resume%s) | %d | %d | %d |" % (
        ", x %d runs" % per if per > 1 else "",
        min(r["vms"] for r in runs), statistics.median(r["vms"] for r in runs), max(r["vms"] for r in runs)))
    lines.append("")
    lines.append("| benchmark | headline, run 1..%d; * noisy | spread | median (typical), run 1..%d | spread | noisy | verdict (headline) | verdict (median) |" % (len(runs), len(runs)))
    lines.append("|---|---|---|---|---|---|---|---|")
    names = sorted({n for r in runs for n in r["results"]})
    failures = median_failures = judged = 0
    silent = []
    for name in names:
        entries = [r["results"].get(name) for r in runs]
        heads, meds, noisy_count, statuses, marks, mmarks = [], [], 0, set(), [], []
        for e in entries:
            if e is None:
                statuses.add("missing")
                continue
            st = status(e)
            statuses.add(st)
            if st == "ok":
                h, m = headline_cycles(e), median_cycles(e)
                if h is not None:
                    heads.append(h)
                    meds.append(m)
                    marks.append("%.1f%s" % (h, "*" if is_noisy(e) else ""))
                    mmarks.append("%.1f" % m)
                if is_noisy(e):
                    noisy_count += 1
        if not heads:
            lines.append("| %s | %s | | | | | n/a | n/a |" % (name, "/".join(sorted(s for s in statuses if s))))
            continue

        def spread_of(v):
            lo, hi = min(v), max(v)
            return (hi / lo - 1) if lo > 0 else float("inf")

        def verdict_of(v, flagged):
            # Issue 12's rule: >= 100 cycles, every run measured, none flagged
            # noisy, spread within the limit.
            if statistics.median(v) < MIN_CYCLES:
                return "n/a (< 100 cycles)", None
            if len(v) < len(runs):
                return "FAIL (not measured in every run)", False
            if flagged:
                return "FAIL (noisy in %d run(s))" % flagged, False
            if spread_of(v) <= limit:
                return "pass", True
            return "FAIL", False

        # Silent errors: an unflagged figure far from the others (issue 21).
        if statistics.median(heads) >= MIN_CYCLES:
            ref = min(heads) if accel == "tcg" else statistics.median(heads)
            for k, e in enumerate(entries):
                if e is None or status(e) != "ok" or is_noisy(e) or headline_cycles(e) is None:
                    continue
                h = headline_cycles(e)
                off = (h / ref - 1) if accel == "tcg" else abs(h / ref - 1)
                if ref > 0 and off > SILENT_LIMIT:
                    silent.append("%s %.1f in invocation %d (%+.1f%% against the %s %.1f)" % (
                        name, h, k + 1, (h / ref - 1) * 100, "lowest" if accel == "tcg" else "median", ref))
        hv, hok = verdict_of(heads, noisy_count)
        mv, mok = verdict_of(meds, noisy_count)
        if hok is not None:
            judged += 1
            failures += not hok
            median_failures += not mok
        st = lambda v: "%.1f%%" % (spread_of(v) * 100) if spread_of(v) != float("inf") else "-"
        lines.append("| %s | %s | %s | %s | %s | %d/%d | %s | %s |" % (
            name, " ".join(marks), st(heads), " ".join(mmarks), st(meds), noisy_count, len(runs), hv, mv))
    lines.append("")
    lines.append("%s: of %d benchmarks >= 100 cycles, %d pass the %d%% rule by the headline (%.0f%%), %d by the median "
                 "(a benchmark flagged noisy in any VM fails).\n" % (
                     accel.upper(), judged, judged - failures, round(limit * 100),
                     100.0 * (judged - failures) / judged if judged else 0, judged - median_failures))
    lines.append("%s: silent errors (unflagged, benchmarks >= 100 cycles, more than %d%% %s): %d%s\n" % (
        accel.upper(), round(SILENT_LIMIT * 100),
        "above the invocations' lowest" if accel == "tcg" else "from the invocations' median",
        len(silent), (": " + "; ".join(silent)) if silent else ""))
    lines.append("Yardsticks per pass (timer call / empty loop per iteration, cycles), per VM: " +
                 "; ".join(" ".join(r.get("yardsticks", [])) or "-" for r in runs) + "\n")
    return lines, failures + len(silent)


LINEARITY_LIMIT = 0.05
LINEARITY_FLOOR = 2.0  # cycles: two levels each measured to the 1-cycle floor


def linearity_report(accel, tool, smp, workdir, extra):
    stem = os.path.join(workdir, "%s-linearity" % accel)
    cmd = [tool, "run", "--accel", accel, "--smp", str(smp), "--linearity", "--json", stem + ".json",
           "--log", stem + ".log", "--label", accel, "--quiet"] + extra
    start = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - start
    with open(stem + ".json") as f:
        doc = json.load(f)
    return linearity_table(accel, doc, wall)


def linearity_table(accel, doc, wall):
    lines = ["### %s linearity (one run, %.0f s)\n" % (accel.upper(), wall),
             "| benchmark | N | median at N | 10N: ratio | 100N: ratio | verdict |", "|---|---|---|---|---|---|"]
    judged = failed = noisy_pairs = noisy_failed = 0
    for b in sorted(doc.get("benchmarks", []), key=lambda x: x["name"]):
        levels = b.get("linearity") or []
        if b.get("status") != "ok" or not levels:
            continue
        base = levels[0]
        cells, verdicts = [], []
        for lv in levels[1:3]:
            cells.append("%s%s (%s)" % ("%.3f" % lv["ratio"], "*" if lv.get("noisy") else "", lv["iterations"]))
            diff = abs(lv["cycles_median"] - base["cycles_median"])
            ok = diff <= LINEARITY_FLOOR or (base["cycles_median"] != 0 and
                                             diff / abs(base["cycles_median"]) <= LINEARITY_LIMIT)
            noisy = base.get("noisy") or lv.get("noisy")
            if noisy:
                noisy_pairs += 1
                noisy_failed += not ok
            else:
                judged += 1
                failed += not ok
            verdicts.append("%dN %s%s" % (lv["iterations"] // max(base["iterations"], 1),
                                          "ok" if ok else "NONLINEAR", " (noisy)" if noisy else ""))
        while len(cells) < 2:
            cells.append("—")
        lines.append("| %s | %d | %.3f%s | %s | %s | %s |" % (
            b["name"], base["iterations"], base["cycles_median"], "*" if base.get("noisy") else "", cells[0], cells[1],
            ", ".join(verdicts) if verdicts else "N is the range's maximum"))
    lines.append("")
    lines.append("—: not measured: the count would pass the descriptor's maximum, or three pairs at it would "
                 "take more than 10 s.")
    lines.append("")
    lines.append("%s: %d level pairs without a noisy side judged, %d outside 5%% and 2 cycles; of %d pairs with a "
                 "noisy side, %d outside. `*`: noisy.\n" % (accel.upper(), judged, failed, noisy_pairs, noisy_failed))
    return lines, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accel", default=None, help="comma-separated: tcg,kvm (default: tcg, plus kvm when usable)")
    ap.add_argument("--vms", "--invocations", dest="vms", type=int, default=5,
                    help="invocations of hvbench run per accelerator")
    ap.add_argument("--loaded", action="store_true", help="a second QEMU TCG guest loops meanwhile")
    ap.add_argument("--runs", type=int, default=1, help="each measurement is `hvbench run --runs RUNS`")
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--tool", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build",
                                                   "hvbench"))
    ap.add_argument("--workdir", default="build/selfbench")
    ap.add_argument("--output", default=None)
    ap.add_argument("--linearity", action="store_true", help="tabulate a --linearity run instead")
    ap.add_argument("--reuse", action="store_true",
                    help="report on the logs and JSON already in --workdir instead of running VMs")
    ap.add_argument("extra", nargs="*", help="more hvbench run arguments (after --)")
    args = ap.parse_args()

    accels = args.accel.split(",") if args.accel else (["tcg", "kvm"] if kvm_usable() else ["tcg"])
    if "kvm" in accels and not kvm_usable():
        print("selfbench: /dev/kvm is not usable here; KVM skipped", file=sys.stderr)
        accels = [a for a in accels if a != "kvm"]
    if not args.reuse and not os.access(args.tool, os.X_OK):
        sys.exit("selfbench: %s not found or not executable (build first: scripts/build.sh)" % args.tool)
    os.makedirs(args.workdir, exist_ok=True)

    out = ["## Self-benchmark, %s" % datetime.date.today().isoformat(), "",
           "Machine: %s, %s, %d CPUs, Linux %s; `%s`, %d invocations per accelerator, -smp %d%s%s; "
           "load average at the start %s." % (
               platform.node(), platform.processor() or platform.machine(), os.cpu_count(), platform.release(),
               "tools/selfbench.py", args.vms, args.smp, ", loaded (a second QEMU TCG guest looping)" if args.loaded
               else "", (", extra: " + " ".join(args.extra)) if args.extra else "", load_average()), ""]
    total_failures = 0
    for accel in accels:
        if args.linearity:
            lines, failures = linearity_report(accel, args.tool, args.smp, args.workdir, args.extra)
            out += lines
            total_failures += failures
            continue
        runs = []
        with loaded_host(args.tool, args.workdir, args.loaded and not args.reuse):
            for i in range(1, args.vms + 1):
                run = one_run(args.tool, accel, args.smp, args.workdir, i, args.extra, args.runs, args.reuse)
                print("selfbench: %s invocation %d: %.2f s, exit %d, %d VM(s), %d launch(es), load %s" % (
                    accel, i, run["wall"], run["exit"], run["vms"], run["launches"], run["load"]), file=sys.stderr)
                runs.append(run)
        lines, failures = report(accel, runs, LIMITS.get(accel, 0.05))
        out += lines
        total_failures += failures
    text = "\n".join(out) + "\n"
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())
