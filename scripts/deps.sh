#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deps: the Debian packages the project needs, installed with
# apt-get (as root). Packages only downloaded, never installed (the
# kernel source, Xen, the guests' busybox) are fetched by the scripts
# that use them, into the cache.

. "$(dirname "$0")/lib.sh"

# deps.sh [mips]: mips adds the cross compiler of make check-mips, which
# make check does not need.
extra=() how="sudo make deps"
case "${1:-}:$#" in
:0) ;;
mips:1) extra=(gcc-mips64el-linux-gnuabi64) how="sudo scripts/deps.sh mips" ;;
*) die "usage: deps.sh [mips] (got: $*)" ;;
esac

pkgs=(
	git make gcc bc flex bison libelf-dev libssl-dev cpio xz-utils kmod
	python3 perl ccache sparse b4 rsync coccinelle flake8 shellcheck python3-matplotlib
	# The real-GPU IGT tests, built on the host against Debian's libdrm
	# (scripts/guest.sh downloads the guests' own copy).
	libdrm-dev
	# make hw-kernel: the kernel's bindeb-pkg (FORMAT=deb), and what a
	# distribution's configuration asks of the build (Debian's: a
	# zstd-compressed kernel, modules signed with a key the build makes)
	dpkg-dev debhelper zstd openssl
	# make fresh-test: a minimal Debian 12 root to run README's commands in
	debootstrap
	# make bench BENCH_PROFILE=KIB: perf, copied into the x86 guests
	linux-perf
	# Coccinelle's Python and OCaml scripting (ownership-sites.cocci,
	# make coccicheck): Debian's coccinelle loads libpython at run time
	# without depending on it, and compiles OCaml scripts with ocamlfind.
	libpython3.11 ocaml-nox
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	qemu-system-x86 qemu-system-arm qemu-system-data device-tree-compiler
)
pkgs+=("${extra[@]}")
missing=()
for p in "${pkgs[@]}"; do
	[[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == *'install ok installed'* ]] ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]} (run '$how')"
	note "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi
# The arm64 guests' busybox comes from Debian's arm64 archive.
if ! grep -qx arm64 <<<"$(dpkg --print-foreign-architectures)"; then
	[ "$(id -u)" = 0 ] || die "the arm64 busybox needs 'dpkg --add-architecture arm64' (as root)"
	dpkg --add-architecture arm64
	apt-get update -qq
fi
echo "deps: all ${#pkgs[@]} packages installed"
