#!/usr/bin/env bash
# scripts/debian-foreign.sh — fetches Debian packages of another architecture
# (arm64 for the aarch64 runs under Xen and nested KVM) and unpacks them,
# without changing the host's package configuration: apt runs with a private
# state, cache, status file and sources list under
#   <cache>/<arch>/apt/
# (no `dpkg --add-architecture`, nothing written under /etc/apt or
# /var/lib/apt; nothing is installed or run). The sources are the host's
# Debian entries (URI, suite and component as `apt-get indextargets` reports
# them from /etc/apt), so the same mirror serves both architectures; the
# host's keys and apt.conf.d (proxies) still apply.
#
#   debian-foreign.sh [--deps] ARCH CACHE DEST PACKAGE...
#   debian-foreign.sh --query ARCH CACHE APT-CACHE-ARGUMENTS...
#
# Downloads each PACKAGE (with --deps: and everything it depends on, as
# apt resolves it for an empty system) and `dpkg-deb -x`es it into DEST.
# --query runs `apt-cache` with the arguments against the private lists
# (e.g. `depends linux-image-arm64`) and prints what it prints.
# Prints the .deb files it unpacked, one a line, on stdout. The package
# lists are refreshed when they are older than a day.
set -euo pipefail

deps=0 query=0
[[ ${1:-} == --deps ]] && { deps=1; shift; }
[[ ${1:-} == --query ]] && { query=1; shift; }
(( $# >= 4 - query )) || { echo "usage: debian-foreign.sh [--deps] ARCH CACHE DEST PACKAGE... | --query ARCH CACHE ARGS..." >&2; exit 64; }
arch=$1 cache=$2 dest=
shift 2
(( query )) || { dest=$1; shift; }

apt_dir=$cache/$arch/apt
mkdir -p "$apt_dir"/{lists/partial,archives/partial,etc/sources.list.d,etc/preferences.d} ${dest:+"$dest"}
: >> "$apt_dir/status"
opts=(-q -o "Dir::State=$apt_dir" -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::State::status=$apt_dir/status"
      -o "Dir::Cache=$apt_dir" -o "Dir::Cache::Archives=$apt_dir/archives"
      -o "Dir::Etc::SourceList=$apt_dir/etc/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/etc/sources.list.d"
      -o "Dir::Etc::Preferences=$apt_dir/etc/preferences" -o "Dir::Etc::PreferencesParts=$apt_dir/etc/preferences.d"
      -o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
      -o "APT::Install-Recommends=false" -o "Debug::NoLocking=true" -o "APT::Sandbox::User=$(id -un)")

# One fetch at a time per cache (two boot tests may start together).
exec 9> "$apt_dir/.lock"
flock 9

# The host's Debian sources, for this architecture.
sources=$(apt-get indextargets --format '$(ORIGIN) $(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' 2>/dev/null |
          awk '$1 == "Debian" { print "deb [arch='"$arch"'] " $2 " " $3 " " $4 }' | sort -u)
[[ -n $sources ]] || { echo "debian-foreign: no Debian sources in the host's apt configuration (apt-get update?)" >&2; exit 1; }
if [[ $sources != "$(cat "$apt_dir/etc/sources.list" 2>/dev/null)" ]] ||
   [[ -z $(find "$apt_dir/lists" -maxdepth 1 -name '*Packages*' -mtime -1 -print -quit) ]]; then
    printf '%s\n' "$sources" > "$apt_dir/etc/sources.list"
    apt-get "${opts[@]}" update >&2
fi

if (( query )); then
    apt-cache "${opts[@]}" "$@"
    exit
fi

# apt's own resolver picks the versions (and, with --deps, the closure);
# --download-only against the empty private status installs nothing.
if (( deps )); then
    apt-get "${opts[@]}" -y --download-only install "$@" >&2
    # "Inst NAME (VERSION SUITE [ARCH])" for each package of the closure.
    list=$(apt-get "${opts[@]}" -y -s install "$@" | awk '/^Inst / {print $2, substr($3, 2)}')
else
    list=$(apt-cache "${opts[@]}" policy "$@" | awk '/^[^ ].*:$/ {name = substr($1, 1, length($1) - 1)}
                                                      /Candidate:/ {print name, $2}')
    for p in "$@"; do
        grep -q "^${p%%:*} " <<< "$list" || { echo "debian-foreign: no package $p for $arch" >&2; exit 1; }
    done
fi
while read -r name version; do
    name=${name%%:*}
    [[ -n $version && $version != "(none)" ]] || { echo "debian-foreign: no $name for $arch" >&2; exit 1; }
    file=${name}_${version/:/%3a}_  # apt's name for the .deb, epoch and all
    deb=$(ls "$apt_dir/archives/$file"*.deb 2>/dev/null | head -1 || true)
    if [[ -z $deb ]]; then
        (cd "$apt_dir/archives" && apt-get "${opts[@]}" download "$name:$arch=$version" >&2)
        deb=$(ls "$apt_dir/archives/$file"*.deb | head -1)
    fi
    dpkg-deb -x "$deb" "$dest"
    echo "$deb"
done <<< "$list"
