#!/usr/bin/env bash
# tests/libvirt/libvirt_check.sh MODE TOOL DIR PORT OUT — `hvbench run --vmm
# libvirt` against the tests' own libvirtd (scripts/libvirtd.sh, in DIR):
#   tcg     a local qemu:/// URI, domain type qemu: the results, the context
#           naming libvirt's driver and host, no domain left behind
#   kvm     the same with --accel kvm (skipped where libvirt offers no kvm
#           domains); --only int3, which on a nested software KVM pauses the
#           domain with an internal error: recorded crashed, then resumed
#   crash   a domain paused from outside (virsh suspend) while a benchmark
#           runs: libvirt's lifecycle event makes it `crashed`, and the run
#           resumes in a fresh domain
#   remote  qemu+tcp://127.0.0.1:PORT/system: the kernel uploaded into a
#           storage volume, which is gone afterwards
#   hosts   two --connect URIs: one JSON per host and one comparison
# Prints "libvirt unavailable: <why>" (the test is then skipped) when the
# fixture could not start the daemon.
set -u
mode=$1 tool=$2 dir=$3 port=$4 out=$5
fail() { echo "FAIL: $*"; exit 1; }
[[ -f $dir/unavailable ]] && { echo "libvirt unavailable: $(cat "$dir/unavailable")"; exit 0; }
local_uri="qemu:///system?socket=$dir/sock/libvirt-sock"
tcp_uri="qemu+tcp://127.0.0.1:$port/system"
rm -rf "$out"
mkdir -p "$out"

json_count() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["benchmarks"]))' "$1"; }
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
no_domains_left() {
    local left
    left=$(virsh -c "$local_uri" list --all --name | grep -c hvbench)
    [[ $left -eq 0 ]] || fail "$left hvbench domain(s) left on the host"
}
run() {  # run ARGS...: the tool's output on ours, its exit status in $rc
    "$tool" run --vmm libvirt "$@" 2>&1 | tee "$out/output.txt"
    rc=${PIPESTATUS[0]}
}

case $mode in
tcg)
    run --connect "$local_uri" --accel tcg --only cpuid,idle,ud2 --json "$out/r.json"
    [[ $rc -eq 0 ]] || fail "exit status $rc, expected 0"
    [[ $(json_count "$out/r.json") -eq 3 ]] || fail "expected 3 benchmarks"
    [[ $(json_get "$out/r.json" 'd["context"]["boot"]') == libvirt-qemu-pvh ]] || fail "context.boot is not libvirt-qemu-pvh"
    json_get "$out/r.json" 'd["context"]["notes"]' | grep -q "libvirt $local_uri: QEMU" || fail "no note naming libvirt's driver"
    [[ $(json_get "$out/r.json" '[b["status"] for b in d["benchmarks"]]') == "['ok', 'ok', 'ok']" ]] || fail "not all ok"
    # Every domain's stream carried its end record (none was cut short when
    # the domain ended: tools/libvirt_vm.cpp).
    grep -q "without an end record" "$out/output.txt" && fail "a domain's console lost its end"
    ;;
kvm)
    run --connect "$local_uri" --accel kvm --only cpuid,int3,ud2 --json "$out/r.json"
    grep -q "offers no kvm domains" "$out/output.txt" && { echo "KVM is not usable through libvirt"; exit 0; }
    [[ $(json_count "$out/r.json") -eq 3 ]] || fail "expected 3 benchmarks"
    status=$(json_get "$out/r.json" '[b["status"] for b in d["benchmarks"] if b["name"] == "int3"][0]')
    if [[ $status == crashed ]]; then
        grep -q "the hypervisor stopped the guest" "$out/r.json" || fail "int3 crashed, but not through libvirt's event"
        [[ $(json_get "$out/r.json" 'd["context"]["vms"]') -ge 2 ]] || fail "no fresh domain after the crash"
    fi
    ;;
crash)
    ( for _ in $(seq 600); do
          d=$(virsh -c "$local_uri" list --name --state-running | grep hvbench | head -1)
          # Once the kernel measures (the first benchmark has begun): pause the domain.
          [[ -n $d ]] && grep -q '^\[1/5\]' "$out/output.txt" 2>/dev/null && { virsh -c "$local_uri" suspend "$d"; exit 0; }
          sleep 0.1
      done ) &
    # Each benchmark measured for ~2 s: time for the pause to land in one.
    run --connect "$local_uri" --accel tcg --only cpuid,idle,pushf_popf,rdtsc,ud2 --budget-ms 2000 --json "$out/r.json"
    wait
    [[ $rc -ne 0 && $((rc & 32)) -ne 0 ]] || fail "exit status $rc: expected the crashed bit (32)"
    [[ $(json_count "$out/r.json") -eq 5 ]] || fail "expected 5 benchmarks (the crashed one and the rest, resumed)"
    [[ $(json_get "$out/r.json" 'sum(b["status"] == "crashed" for b in d["benchmarks"])') -eq 1 ]] || fail "expected one crashed"
    grep -q "the hypervisor stopped the guest: domain paused" "$out/r.json" || fail "the crash does not name libvirt's pause"
    [[ $(json_get "$out/r.json" 'd["context"]["vms"]') -ge 2 ]] || fail "no fresh domain after the crash"
    ;;
remote)
    run --connect "$tcp_uri" --accel tcg --only cpuid,ud2 --json "$out/r.json"
    [[ $rc -eq 0 ]] || fail "exit status $rc, expected 0"
    [[ $(json_count "$out/r.json") -eq 2 ]] || fail "expected 2 benchmarks"
    grep -q "uploading .* to $tcp_uri" "$out/output.txt" || fail "the kernel was not uploaded"
    json_get "$out/r.json" 'd["context"]["notes"]' | grep -q "uploaded into pool" || fail "no note of the upload"
    virsh -c "$tcp_uri" vol-list default 2>/dev/null | grep -q hvbench && fail "the uploaded volume is left in pool default"
    virsh -c "$tcp_uri" pool-list --all --name | grep -q hvbench-upload && fail "the tool's pool is left behind"
    ;;
hosts)
    run --connect "$local_uri" --connect "$tcp_uri" --accel tcg --only cpuid,ud2 --json "$out/h.json"
    [[ $rc -eq 0 ]] || fail "exit status $rc, expected 0"
    [[ -f $out/h.qemu@local.json && -f $out/h.qemu@127.0.0.1_$port.json ]] || fail "not one JSON per host"
    grep -q "==== the hosts compared" "$out/output.txt" || fail "no comparison"
    # A figure may carry "noisy" (a launch in the host's slow phase says so).
    grep -Eq "^cpuid +privileged +[0-9.]+ ±[0-9.]+( noisy)? +[0-9.]+ ±[0-9.]+( noisy)? +[0-9.]+( ~)?$" "$out/output.txt" ||
        fail "the comparison has no cpuid row with both hosts"
    ;;
*) fail "unknown mode $mode" ;;
esac
no_domains_left
echo "PASS: libvirt $mode"
