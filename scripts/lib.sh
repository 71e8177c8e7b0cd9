# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Shared settings for the project's scripts. Sourced, never run.
# (Variables set here are used by the scripts that source it.)
# shellcheck disable=SC2034

set -euo pipefail
# The exit status of a failure already reported on stderr in one line:
# die() here, series.py's die(). A script or command substitution that
# died ends its caller silently with this status, so a bad input is one
# line, not one line per script on the way.
DIED=3
# set -e ends a script at the first failing command, silently; say which
# (unless it said so itself).
on_err() {
	local rc=$?
	[ "$rc" = "$DIED" ] ||
		echo "${0##*/}: error: line ${BASH_LINENO[0]}: \"$BASH_COMMAND\" failed (exit $rc)" >&2
}
trap on_err ERR

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${TTM_DMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ttm-dma}
BUILD=${BUILD:-$TOP/build}
TREE=$BUILD/linux
PATCHES=$TOP/patches
BASE_REPO=$CACHE/base/linux.git

# The project identity: every commit the tooling makes, and the series.
IDENT_NAME="TTM DMA backends"
IDENT_EMAIL="ttm-dma@localhost"

# What the series is built on. patches/BASE names it for humans; these
# are the machine-readable facts behind that line.
BASE_PKG=linux-source-7.3
BASE_PKG_VERSION=7.3.4-1~bpo13+1
BASE_SUITE=trixie-backports
BASE_DATE="2026-11-15T23:30:52+01:00"	# the package's changelog date
XEN_PKG=xen-hypervisor-4.17-amd64

# Keep git's output independent of whoever runs us: no user or system
# config (diff.noprefix, format.signature, am.threeWay ... would all
# change bytes), a fixed identity for commits the tooling makes.
export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL=/dev/null
export GIT_COMMITTER_NAME=$IDENT_NAME GIT_COMMITTER_EMAIL=$IDENT_EMAIL
export LC_ALL=C TZ=UTC

die() {
	echo "${0##*/}: error: $*" >&2
	exit "$DIED"
}

# Hold an exclusive lock on DIR (a workspace or a cache entry other
# clones share) until this script ends; children inherit it, so a script
# called by one holding the lock does not wait for its caller. Waits,
# saying for what, while another run holds it.
lock() {	# DIR
	local dir=$1 fd
	case ":${TTM_DMA_LOCKS:-}:" in *":$dir:"*) return 0 ;; esac
	mkdir -p "$dir"
	exec {fd}>"$dir/.lock"
	if ! flock -n "$fd"; then
		note "waiting for another run that uses $dir (lock $dir/.lock)"
		flock "$fd"
	fi
	export TTM_DMA_LOCKS="${TTM_DMA_LOCKS:-}:$dir"
}

# A job alongside: run COMMAND... in the background, out of the job
# table (a script's plain "wait" does not wait for it), output to LOG,
# holding the lock on LOCK (a file) until it and everything it started
# have ended. bg_wait waits for that lock, so it waits for the right job
# whoever calls it, even after bg_start's caller was killed: a PID may
# be another process's by then. A job of the same LOCK still running
# from before is waited for first.
bg_start() {	# LOCK LOG COMMAND...
	local lk=$1 lg=$2 fd
	shift 2
	exec {fd}>"$lk"
	flock "$fd"
	"$@" </dev/null >"$lg" 2>&1 &
	disown $!
	exec {fd}>&-
}
bg_wait() {	# LOCK
	flock "$1" true
}

# The VM platforms: one file each in platforms/ (platforms/README).
platform_list() {
	local f
	for f in "$TOP"/platforms/*.conf; do
		f=${f##*/}
		echo "${f%.conf}"
	done
}

# Load a platform's settings (DESC, ARCH, BOOT, ...); dies on an unknown one.
platform_load() {	# PLATFORM
	local f=$TOP/platforms/$1.conf
	[[ $1 =~ ^[a-z0-9][a-z0-9-]*$ && -f $f ]] ||
		die "unknown platform '$1' (one of: $(platform_list | tr '\n' ' '| sed 's/ $//'))"
	DESC='' ARCH='' BOOT='' MEM='' CMDLINE='' XEN_ARGS='' NONCOHERENT_PCIE='' SYNC_SENSITIVE=
	# shellcheck source=/dev/null
	. "$f"
}

# The architecture of a VM platform's kernel; dies on an unknown platform.
platform_arch() {	# PLATFORM
	platform_load "$1"
	echo "$ARCH"
}

# The configs/ fragments of an architecture's test kernel (kernel.sh's
# default, and what check-series' build stamps depend on).
test_fragments() {	# ARCH
	case $1 in
	x86_64) echo common debug x86_64 drivers ;;
	arm64) echo common debug kasan arm64 ;;
	*) die "unknown architecture '$1' (x86_64 or arm64)" ;;
	esac
}

# What make check's test kernel of an architecture leaves out of make
# kernel's (scripts/workspace.sh -C): "SYMBOL MODULE DIRECTORY" lines.
# arm64's amdgpu and nouveau are 1,150 of its 2,290 objects, compiled
# with KASAN: half of a cold make check's arm64 build (1981 s), for VM
# tests that load and unload them with no device. make check compiles,
# for arm64, the files of theirs the series changes instead; make kernel
# (and so make test) builds and loads them.
check_left_out() {	# ARCH
	case $1 in
	arm64)
		echo DRM_AMDGPU amdgpu drivers/gpu/drm/amd
		echo DRM_NOUVEAU nouveau drivers/gpu/drm/nouveau
		;;
	esac
}

# ccache as every kernel build here uses it: paths relative to the objdir
# (a workspace's objects hit the cache another workspace filled), and the
# depend mode: a miss compiles once, with the compiler's own dependency
# file (kbuild's -MMD), instead of running the preprocessor first to hash
# its output. A cold build of the check kernels costs about a quarter less
# (radeon, 101 objects, empty cache: 98 s, 75 s in depend mode); a warm
# cache still hits, by the direct mode's manifest, as before.
ccache_env() {
	export CCACHE_BASEDIR=/ CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS=time_macros CCACHE_DEPEND=1
}

note() {
	echo "${0##*/}: $*" >&2
}

need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			die "missing tool '$t' (run 'make deps' or install it with apt-get)"
	done
}

# The base commit of the series: KSRC's HEAD, or the cached Debian tree.
base_rev() {
	if [ -n "${KSRC:-}" ]; then
		git -C "$KSRC" rev-parse --verify -q 'HEAD^{commit}' ||
			die "KSRC=$KSRC is not a git tree with a commit"
	else
		git -C "$BASE_REPO" rev-parse --verify -q refs/heads/base ||
			die "no base tree in $BASE_REPO (run 'make base')"
	fi
}

base_repo() {
	if [ -n "${KSRC:-}" ]; then echo "$KSRC"; else echo "$BASE_REPO"; fi
}

# build/linux ready to build, as make kernel uses it: made from patches/
# when missing or older than patches/; work not exported yet is built as
# it is, with a note.
tree_ready() {
	local status
	# (series.py says what is wrong, in one line)
	status=$("$TOP/scripts/series.py" status "$TREE" "$PATCHES") || exit
	case $status in
	missing|stale) "$TOP/scripts/tree.sh" ;;
	unexported*) note "building $TREE as it is: ${status#unexported: } (not in patches/ yet)" ;;
	current) ;;
	*) die "unexpected work tree status: $status" ;;
	esac
}

# Commits in the work tree on top of the base.
tree_base() {
	git -C "$TREE" rev-parse --verify -q refs/ttm-dma/base ||
		die "$TREE has no recorded base (recreate it with 'make tree')"
}
