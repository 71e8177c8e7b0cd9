#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make fresh-test: README's two commands on a fresh Debian 12 system.
# debootstraps a minimal Debian 12 root (--variant=minbase: no compiler,
# no git, no make), installs only what README asks a new user to install
# first (git, make, ca-certificates), copies a clean clone of this
# repository's HEAD into it, and runs, as root in that root with empty
# caches (no ccache, no base tree, no downloaded packages):
#     make check      (which installs the rest of the packages itself)
#     make kernel
# timing each. The report (build/fresh-test/report.txt) ends with the
# cold times and make check's final count. Not part of make check: it
# takes an hour of both cores.
#
#   fresh-test.sh [-r ROOT] [-m MIRROR] [-k]
#     -r ROOT    where the Debian root goes (default /var/tmp/ttm-dma-fresh;
#                emptied first)
#     -m MIRROR  the Debian mirror (default: the first of this system's
#                apt sources, else http://deb.debian.org/debian)
#     -k         keep the root afterwards (default: removed)
#     -c         make check only (not make kernel)

. "$(dirname "$0")/lib.sh"

root=/var/tmp/ttm-dma-fresh
mirror=
keep=0
checkonly=0
while getopts "r:m:kc" o; do
	case $o in
	r) root=$OPTARG ;;
	m) mirror=$OPTARG ;;
	k) keep=1 ;;
	c) checkonly=1 ;;
	*) die "usage: fresh-test.sh [-r ROOT] [-m MIRROR] [-k] [-c]" ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 0 ] || die "unexpected argument '$1' (usage: fresh-test.sh [-r ROOT] [-m MIRROR] [-k] [-c])"
case $root in
/ | /usr | /var | /var/tmp | /tmp | /root | /home | "$TOP" | "$TOP"/*)
	die "-r $root: not a directory to empty" ;;
/*) ;;
*) die "-r $root: an absolute path, please" ;;
esac
if [ -z "$mirror" ]; then
	mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	mirror=${mirror:-http://deb.debian.org/debian}
fi
case $mirror in http://* | https://*) ;; *) die "-m $mirror: an http(s) URL, please" ;; esac
# Only a root this script made is ever emptied.
marker=.ttm-dma-fresh-root
if [ -e "$root" ] && [ ! -e "$root/$marker" ] &&
	[ -n "$(ls -A "$root" 2>/dev/null || echo x)" ]; then
	die "-r $root: exists and is not a root fresh-test made: nothing removed"
fi
[ "$(id -u)" = 0 ] || die "needs root: debootstrap, chroot and mounts (run 'sudo make fresh-test')"
need debootstrap chroot mount umount
[ -z "$(git -C "$TOP" status --porcelain --untracked-files=no)" ] ||
	note "uncommitted changes are not tested: the clone holds HEAD ($(git -C "$TOP" rev-parse --short HEAD))"

out=$BUILD/fresh-test
mkdir -p "$out"
lock "$root.lock"
report=$out/report.txt
: >"$report"
say() { echo "fresh-test: $*" | tee -a "$report" >&2; }

mounts=()
cleanup() {
	local m i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		m=${mounts[i]}
		umount -l "$m" 2>/dev/null || true
	done
	if [ $keep = 0 ]; then
		# nothing may still be mounted below the root we remove
		if ! grep -q " $root/" /proc/mounts; then
			rm -rf "$root"
		fi
	fi
}
trap cleanup EXIT
# a root left mounted by a killed run
while read -r _ m _; do
	case $m in "$root"/*) umount -l "$m" || true ;; esac
done < <(tac /proc/mounts)
rm -rf "$root"
mkdir -p "$root"
touch "$root/$marker"

t0=$SECONDS
say "debootstrap --variant=minbase bookworm $root $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$out/debootstrap.log" 2>&1 ||
	die "debootstrap failed; see $out/debootstrap.log"
say "debootstrap: $((SECONDS - t0)) s"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# the same sources as a stock Debian 12 installation
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
for m in proc sys dev dev/pts; do
	mkdir -p "$root/$m"
	case $m in
	proc) mount -t proc proc "$root/proc" ;;
	sys) mount -t sysfs sys "$root/sys" ;;
	dev) mount --bind /dev "$root/dev" ;;
	dev/pts) mount -t devpts devpts "$root/dev/pts" ;;
	esac
	mounts+=("$root/$m")
done
mkdir -p "$root/dev/shm"

# A clean clone of HEAD: what a new user gets from git clone.
git clone -q --no-hardlinks "$TOP" "$root/root/ttm-dma"
git -C "$root/root/ttm-dma" log -1 --format='fresh-test: testing %h %s' | tee -a "$report" >&2

inroot() {	# COMMAND: run in the fresh root, as root, with a login's environment
	chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c "$1"
}
t=$SECONDS
inroot 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends git make ca-certificates >/dev/null' \
	>"$out/prereq.log" 2>&1 || die "installing git and make failed; see $out/prereq.log"
say "README's prerequisites (git make ca-certificates): $((SECONDS - t)) s"

rc=0
t=$SECONDS
inroot 'cd /root/ttm-dma && make check' >"$out/check.log" 2>&1 || rc=$?
check_s=$((SECONDS - t))
count=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/check.log" | tail -n1 || true)
say "make check: exit $rc, $((check_s / 60))m$((check_s % 60))s, ${count:-no final count}; see $out/check.log"
# where the time went: check.sh's steps, check-series' builds
grep -E '^check\.sh: [^:]+: [0-9]+s$|^check-series: .*: build ' "$out/check.log" | tee -a "$report" >&2 || true

krc=skipped
if [ $checkonly = 0 ]; then
	t=$SECONDS
	krc=0
	inroot 'cd /root/ttm-dma && make kernel' >"$out/kernel.log" 2>&1 || krc=$?
	kernel_s=$((SECONDS - t))
	say "make kernel (after make check): exit $krc, $((kernel_s / 60))m$((kernel_s % 60))s; see $out/kernel.log"
fi
say "total: $(((SECONDS - t0) / 60))m$(((SECONDS - t0) % 60))s"
[ "$rc" = 0 ] && [ -n "$count" ] || exit 1
[ "$krc" = 0 ] || [ "$krc" = skipped ] || exit 1
