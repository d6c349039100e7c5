#!/usr/bin/env bash
# tests/libvirt/libvirtd_fixture.sh start|stop DIR PORT — the libvirt tests'
# own daemon (ctest fixture libvirtd): libvirtd run as root without systemd,
# its sockets in DIR/sock, listening for qemu+tcp on 127.0.0.1:PORT only,
# without authentication (loopback, for the tests' remote-style URI), and
# virtlogd (which the QEMU driver needs) when none is running. `stop` ends
# the daemons this script started, by the pids it recorded, and waits for
# them: no daemon is left running after the tests.
#
# When the daemon cannot start (not root, libvirtd not installed, another
# libvirt daemon already running, which the tests must not disturb),
# `start` writes why into DIR/unavailable and exits 0; every libvirt test
# then reports "libvirt unavailable: <why>" and is skipped, never passed.
set -u
action=$1 dir=$2 port=$3

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
[[ $(id -u) -eq 0 ]] || unavailable "the tests' libvirtd must run as root (qemu:///system)"
command -v libvirtd >/dev/null || unavailable "libvirtd is not installed (package libvirt-daemon)"
command -v virsh >/dev/null || unavailable "virsh is not installed (package libvirt-clients)"
[[ -f /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so ]] ||
    unavailable "libvirt's QEMU driver is not installed (package libvirt-daemon-driver-qemu)"
for d in libvirtd virtqemud; do
    pgrep -x "$d" >/dev/null && unavailable "a $d is already running: the tests use a daemon of their own and leave that one alone"
done

cat > "$dir/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 1
listen_addr = "127.0.0.1"
tcp_port = "$port"
auth_tcp = "none"
auth_unix_rw = "none"
unix_sock_dir = "$dir/sock"
CONF
if [[ ! -S /run/libvirt/virtlogd-sock ]] || ! pgrep -x virtlogd >/dev/null; then
    mkdir -p /run/libvirt
    virtlogd -d -p "$dir/virtlogd.pid" || unavailable "virtlogd did not start"
fi
libvirtd -d --listen -f "$dir/libvirtd.conf" -p "$dir/libvirtd.pid" 2> "$dir/libvirtd.err" ||
    unavailable "libvirtd did not start: $(head -c 300 "$dir/libvirtd.err")"
uri="qemu:///system?socket=$dir/sock/libvirt-sock"
for _ in $(seq 100); do
    virsh -c "$uri" version >/dev/null 2>&1 && virsh -c "qemu+tcp://127.0.0.1:$port/system" version >/dev/null 2>&1 && {
        echo "libvirtd running: $uri and qemu+tcp://127.0.0.1:$port/system"
        exit 0
    }
    sleep 0.1
done
"$0" stop "$dir" "$port"
unavailable "libvirtd started but did not answer on $uri within 10 s"
