#!/usr/bin/env bash
# scripts/libvirtd.sh start|stop DIR [PORT] — a libvirtd of hvbench's own,
# for a machine where none runs (no systemd to start libvirt-daemon-system's
# sockets, as in a container or CI): libvirtd run as root, its sockets in
# DIR/sock (URI qemu:///system?socket=DIR/sock/libvirt-sock), with PORT
# listening for qemu+tcp on 127.0.0.1 only, without authentication
# (loopback, for the tests' remote-style URI), and virtlogd (which the QEMU
# driver needs) when none is running. `stop` ends the daemons this script
# started, by the pids it recorded, and waits for them: nothing is left
# running. Users: run.sh (`--vmm libvirt` without `--connect` where no
# daemon answers) and the libvirt tests' fixture (tests/libvirt).
#
# When the daemon cannot start (not root, libvirtd not installed, another
# libvirt daemon already running, which must not be disturbed), `start`
# writes why into DIR/unavailable and exits 0; every libvirt test then
# reports "libvirt unavailable: <why>" and is skipped, never passed.
set -u
action=$1 dir=$2 port=${3:-}

stop_pid() {  # the daemon whose pid file is $1, if this script started it
    local f=$1 pid
    [[ -f $f ]] || return 0
    pid=$(cat "$f")
    rm -f "$f"
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
}

if [[ $action == stop ]]; then
    stop_pid "$dir/libvirtd.pid"
    stop_pid "$dir/virtlogd.pid"
    exit 0
fi

rm -rf "$dir"
mkdir -p "$dir/sock"
unavailable() { echo "$*" > "$dir/unavailable"; echo "libvirt unavailable: $*"; exit 0; }
[[ $(id -u) -eq 0 ]] || unavailable "hvbench's own libvirtd must run as root (qemu:///system)"
command -v libvirtd >/dev/null || unavailable "libvirtd is not installed (package libvirt-daemon)"
command -v virsh >/dev/null || unavailable "virsh is not installed (package libvirt-clients)"
compgen -G "/usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so" >/dev/null ||
    unavailable "libvirt's QEMU driver is not installed (package libvirt-daemon-driver-qemu)"
for d in libvirtd virtqemud; do
    pgrep -x "$d" >/dev/null && unavailable "a $d is already running (use it, or stop it): a daemon of hvbench's own would disturb it"
done

{
    echo 'listen_tls = 0'
    if [[ -n $port ]]; then
        echo 'listen_tcp = 1'
        echo 'listen_addr = "127.0.0.1"'
        echo "tcp_port = \"$port\""
        echo 'auth_tcp = "none"'
    else
        echo 'listen_tcp = 0'
    fi
    echo 'auth_unix_rw = "none"'
    echo "unix_sock_dir = \"$dir/sock\""
} > "$dir/libvirtd.conf"
if [[ ! -S /run/libvirt/virtlogd-sock ]] || ! pgrep -x virtlogd >/dev/null; then
    mkdir -p /run/libvirt
    virtlogd -d -p "$dir/virtlogd.pid" || unavailable "virtlogd did not start"
fi
libvirtd -d ${port:+--listen} -f "$dir/libvirtd.conf" -p "$dir/libvirtd.pid" 2> "$dir/libvirtd.err" ||
    unavailable "libvirtd did not start: $(head -c 300 "$dir/libvirtd.err")"
uri="qemu:///system?socket=$dir/sock/libvirt-sock"
tcp_uri=${port:+qemu+tcp://127.0.0.1:$port/system}
for _ in $(seq 100); do
    if virsh -c "$uri" version >/dev/null 2>&1 && { [[ -z $tcp_uri ]] || virsh -c "$tcp_uri" version >/dev/null 2>&1; }; then
        echo "libvirtd running: $uri${tcp_uri:+ and $tcp_uri}"
        exit 0
    fi
    sleep 0.1
done
"$0" stop "$dir"
unavailable "libvirtd started but did not answer on $uri within 10 s"
