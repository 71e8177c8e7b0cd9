#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh [-t TREE] [-o OBJDIR] [-d DEST] ARCH: what the test VMs run
# besides the kernel, built against a built kernel:
#   - the edu_gpu module (drivers/edu-gpu), installed under DEST/lib/modules;
#   - the IGT tests (igt-tests/), static, in DEST/usr/bin, against the
#     kernel's own UAPI headers (make headers_install); the real-GPU tests
#     (amd_ttm_dma, radeon_ttm_dma, nouveau_ttm_dma) also against Debian's
#     libdrm-dev for ARCH, downloaded into the cache and unpacked there.
# scripts/vm.sh copies DEST into the initramfs (default build/guest/ARCH).

. "$(dirname "$0")/lib.sh"

tree=$TREE
obj=
dest=
# -t is accepted like kernel.sh's: the build in OBJDIR knows its tree.
# shellcheck disable=SC2034
while getopts "t:o:d:" o; do
	case $o in
	t) tree=$OPTARG ;;
	o) obj=$OPTARG ;;
	d) dest=$OPTARG ;;
	*) die "usage: guest.sh [-t TREE] [-o OBJDIR] [-d DEST] ARCH" ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 1 ] || die "usage: guest.sh [-t TREE] [-o OBJDIR] [-d DEST] ARCH"
arch=$1
case $arch in
x86_64) cross= ;;
arm64) cross=aarch64-linux-gnu- ;;
*) die "unknown architecture '$arch' (x86_64 or arm64)" ;;
esac
obj=${obj:-$BUILD/obj/$arch}
dest=${dest:-$BUILD/guest/$arch}
[ -f "$obj/Module.symvers" ] || die "no built $arch kernel in $obj (run 'make kernel')"
need make "${cross}gcc" ccache

work=$obj/.ttm-dma-guest
mkdir -p "$work"

# Debian's libdrm-dev for the guest's architecture (the real-GPU tests).
libdrm=$("$TOP/scripts/libdrm.sh" "$arch")

# Nothing to do when the kernel build, the sources and the destination
# are those of the last good run.
stampf=$work/stamp
stamp=$({
	cat "$obj/.ttm-dma-stamp" 2>/dev/null || echo "kernel $(date +%s%N)"
	echo "$dest $libdrm"
	cat "$TOP/scripts/hw-test.sh" "$TOP/scripts/hw-report-check.sh"
	find "$TOP/drivers/edu-gpu" "$TOP/igt-tests" -type f \
		\( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) -print0 |
		sort -z | xargs -0 cat
} | sha1sum | cut -d' ' -f1)
if [ "$(cat "$stampf" 2>/dev/null)" = "$stamp" ] && [ -d "$dest" ] &&
   [ "${TTM_DMA_REBUILD:-0}" != 1 ]; then
	echo "guest: $arch: $dest up to date"
	exit 0
fi
rm -f "$stampf"
# Another checkout may have built here last (the work directory belongs to
# the kernel objects, not to the sources): make's timestamps cannot tell,
# so the IGT tests are built from scratch (ccache keeps that quick).
rm -rf "$work/igt"
ccache_env
kmake=(make -s -C "$obj" ARCH="$arch" CROSS_COMPILE="$cross"
       CC="ccache ${cross}gcc" -j"$(nproc)")

# The edu_gpu module, built out of tree with its output kept out of the
# source directory (MO=), installed the way modules_install does.
rm -rf "$dest"
mkdir -p "$dest/usr/bin"
"${kmake[@]}" M="$TOP/drivers/edu-gpu" MO="$work/edu-gpu" modules
"${kmake[@]}" M="$TOP/drivers/edu-gpu" MO="$work/edu-gpu" \
	INSTALL_MOD_PATH="$dest" INSTALL_MOD_STRIP=1 DEPMOD=/bin/true modules_install >/dev/null
find "$dest/lib/modules" -name 'modules.*' -delete

# The kernel's UAPI headers, then the IGT tests against them.
"${kmake[@]}" headers_install INSTALL_HDR_PATH="$work/hdr" >/dev/null
make -s -C "$TOP/igt-tests" CC="ccache ${cross}gcc" UAPI="$work/hdr/include" \
	EDU_UAPI="$TOP/drivers/edu-gpu" LIBDRM="$libdrm" O="$work/igt"
hw_tests=(amd_ttm_dma radeon_ttm_dma nouveau_ttm_dma)
cp "$work/igt/edu_gpu_dma" "${hw_tests[@]/#/$work/igt/}" "$dest/usr/bin/"
# The testers' run-and-report script, which the VMs run in --dry-run mode.
cp "$TOP/scripts/hw-test.sh" "$TOP/scripts/hw-report-check.sh" "$dest/usr/bin/"
echo "$stamp" >"$stampf"
echo "guest: $arch: edu_gpu.ko, edu_gpu_dma and ${hw_tests[*]} in $dest"
