#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hw-kernel.sh [options] CONFIG: a kernel with the series for a tester's
# own machine (make hw-kernel CONFIG=...).
#
# CONFIG is the tester's configuration (/boot/config-$(uname -r), or any
# kernel .config). On top of it: configs/hw.config (the series' ownership
# check, DMA-API debug, debugfs, userptr, no debug info, a test kernel's
# name), then olddefconfig; every option of the fragment must stick. The
# tree is build/linux (base + patches/, made by 'make tree' when missing),
# or KSRC=. Built with ccache into build/hw/ARCH.
#
# Options:
#   -a ARCH     x86_64 (default) or arm64 (cross-built)
#   -f FORMAT   deb (default: bindeb-pkg, Debian packages) or tar (a
#               .tar.gz of /boot and /lib/modules: tar-pkg)
#   -l LSMOD    an 'lsmod' listing of the target machine: modules not in
#               it are left out (make localmodconfig), except the GPU
#               drivers the tests need, which are always kept
#   -o DIR      output and object directory (default build/hw/ARCH)
#   -t TREE     a kernel tree with the series applied, instead of
#               build/linux (make check: its check tree)
#   -n          configure only: write DIR/.config and check it, no build
#
# The packages land in DIR; the last line says which and how to install.

. "$(dirname "$0")/lib.sh"

usage="usage: hw-kernel.sh [-a x86_64|arm64] [-f deb|tar] [-l LSMOD] [-o DIR] [-t TREE] [-n] CONFIG"
arch=x86_64
format=deb
lsmod=
obj=
configure_only=0
tree=
while getopts "a:f:l:o:t:n" o; do
	case $o in
	a) arch=$OPTARG ;;
	f) format=$OPTARG ;;
	l) lsmod=$OPTARG ;;
	o) obj=$OPTARG ;;
	t) tree=$OPTARG ;;
	n) configure_only=1 ;;
	*) die "$usage" ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 1 ] || die "$usage"
config=$1

case $arch in
x86_64) cross='' debarch=amd64 ;;
arm64) cross=aarch64-linux-gnu- debarch=arm64 ;;
*) die "unknown architecture '$arch' (x86_64 or arm64)" ;;
esac
case $format in
# The packaging's declared build dependencies include libdw-dev, which
# only a BTF/DWARF build needs (configs/hw.config turns debug information
# off): not checked. debhelper it does need (dh_listpackages).
deb) target=(bindeb-pkg DPKG_FLAGS=-d) ;;
tar) target=(targz-pkg) ;;
*) die "unknown package format '$format' (deb or tar)" ;;
esac
# Bad input is refused before anything is written.
if [ ! -f "$config" ] || [ ! -r "$config" ]; then
	die "no readable configuration file '$config'"
fi
grep -q '^CONFIG_[A-Z0-9_]*=' "$config" ||
	die "'$config' is not a kernel configuration (no CONFIG_ lines)"
if [ "$arch" = x86_64 ] && ! grep -qx 'CONFIG_X86_64=y' "$config"; then
	die "'$config' is not an x86_64 configuration (no CONFIG_X86_64=y; arm64: -a arm64)"
fi
if [ "$arch" = arm64 ] && ! grep -qx 'CONFIG_ARM64=y' "$config"; then
	die "'$config' is not an arm64 configuration (no CONFIG_ARM64=y)"
fi
if [ -n "$lsmod" ]; then
	if [ ! -f "$lsmod" ] || [ ! -r "$lsmod" ]; then
		die "no readable lsmod listing '$lsmod'"
	fi
	grep -q '^Module ' "$lsmod" || die "'$lsmod' is not the output of lsmod (no 'Module' header line)"
fi
need make "${cross}gcc" ccache flex bison bc perl
[ "$format" = deb ] && need dpkg-buildpackage dh_listpackages
config=$(realpath "$config")
[ -z "$lsmod" ] || lsmod=$(realpath "$lsmod")

# The tree: build/linux as 'make kernel' makes it (or KSRC=), or -t.
if [ -n "$tree" ]; then
	[ -d "$tree" ] || die "-t: no kernel tree at '$tree'"
elif [ -z "${KSRC:-}" ]; then
	tree_ready
fi
tree=${tree:-$TREE}
[ -f "$tree/Makefile" ] || die "no kernel tree at $tree"
grep -qs 'ttm_tt_sync_for_device' "$tree/include/drm/ttm/ttm_tt.h" ||
	die "$tree does not have the series applied (no ttm_tt_sync_for_device())"

obj=${obj:-$BUILD/hw/$arch}
mkdir -p "$obj"
obj=$(cd "$obj" && pwd)
ccache_env
export KBUILD_BUILD_USER=ttm-dma KBUILD_BUILD_HOST=localhost
kmake=(make -s -C "$tree" O="$obj" ARCH="$arch" CROSS_COMPILE="$cross"
       CC="ccache ${cross}gcc" HOSTCC="ccache gcc" -j"$(nproc)")

# Configure: the tester's configuration, optionally reduced to the modules
# the machine uses, then the fragment.
cp "$config" "$obj/.config"
"${kmake[@]}" olddefconfig >/dev/null
if [ -n "$lsmod" ]; then
	lsmod_plus=$(mktemp "$obj/.lsmod.XXXXXX")
	trap 'rm -f "$lsmod_plus"' EXIT
	cat "$lsmod" >"$lsmod_plus"
	# The GPU drivers the tests are for stay, whatever was loaded.
	for m in amdgpu radeon nouveau drm_ttm_helper ttm drm_exec \
		 drm_suballoc_helper gpu_sched drm_display_helper; do
		echo "$m 0 0" >>"$lsmod_plus"
	done
	"${kmake[@]}" LSMOD="$lsmod_plus" localmodconfig >/dev/null 2>&1 ||
		die "make localmodconfig failed with $lsmod"
fi
KCONFIG_CONFIG=$obj/.config "$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" \
	"$obj/.config" "$TOP/configs/hw.config" >/dev/null
# Key files named by a distribution's configuration exist only in its own
# build tree (Ubuntu's debian/canonical-certs.pem, ...): the build then
# signs the modules with a key it generates.
for k in SYSTEM_TRUSTED_KEYS SYSTEM_REVOCATION_KEYS; do
	if grep -q "^CONFIG_$k=\"..*\"" "$obj/.config"; then
		note "$arch: CONFIG_$k emptied (was $(grep "^CONFIG_$k=" "$obj/.config" | cut -d= -f2-))"
		"$tree/scripts/config" --file "$obj/.config" --set-str "$k" ""
	fi
done
if grep -q '^CONFIG_MODULE_SIG_KEY=' "$obj/.config" &&
   ! grep -qx 'CONFIG_MODULE_SIG_KEY="certs/signing_key.pem"' "$obj/.config"; then
	"$tree/scripts/config" --file "$obj/.config" --set-str MODULE_SIG_KEY certs/signing_key.pem
fi
"${kmake[@]}" olddefconfig >/dev/null
"$TOP/scripts/config-check.sh" "$TOP/configs/hw.config" "$obj/.config" "$tree" "$arch" ||
	die "$arch: configs/hw.config does not apply on top of $config"
drivers=$(grep -oE '^CONFIG_DRM_(AMDGPU|RADEON|NOUVEAU)=[ym]' "$obj/.config" |
	  sed 's/^CONFIG_DRM_//; s/=.*//' | tr 'A-Z\n' 'a-z ') || true
[ -n "$drivers" ] ||
	die "$config enables none of amdgpu, radeon, nouveau: nothing for the tests to test"
note "$arch: configuration in $obj/.config (drivers: ${drivers% })"
[ $configure_only = 0 ] || exit 0

start=$(date +%s)
"${kmake[@]}" "${target[@]}" >"$obj/build.log" 2>&1 ||
	die "$arch: the build failed: see the end of $obj/build.log"
release=$("${kmake[@]}" kernelrelease)
case $format in
deb)
	# bindeb-pkg writes its packages next to the object directory.
	mkdir -p "$obj/packages"
	mv "$obj"/../linux-*"$release"*_"$debarch".deb "$obj/packages/" 2>/dev/null || true
	# (linux-libc-dev is named after the version, not the release)
	mv "$obj"/../linux-libc-dev_*_"$debarch".deb "$obj/packages/" 2>/dev/null || true
	mv "$obj"/../linux-upstream_*"$debarch".{buildinfo,changes} "$obj/packages/" 2>/dev/null || true
	ls "$obj"/packages/linux-image-"$release"_*.deb >/dev/null 2>&1 ||
		die "$arch: the build succeeded but no linux-image-$release package is in $obj/packages"
	note "$arch: built $release in $(($(date +%s) - start))s"
	echo "install: sudo dpkg -i $obj/packages/linux-image-${release}_*.deb (see docs/hardware-testing.md)"
	;;
tar)
	tarball=
	for t in "$obj"/linux-"$release"-*.tar.gz; do
		[ -f "$t" ] && tarball=$t
	done
	[ -n "$tarball" ] ||
		die "$arch: the build succeeded but no linux-$release tarball is in $obj"
	note "$arch: built $release in $(($(date +%s) - start))s"
	echo "install: sudo tar -C / -xzf $tarball, then your boot loader (see docs/hardware-testing.md)"
	;;
esac
