#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hw-tests.sh [-o DIR] [-t TREE] ARCH: the real-GPU test kit for a tester's machine
# (make hw-tests): amd_ttm_dma, radeon_ttm_dma and nouveau_ttm_dma built
# static for ARCH (x86_64 or arm64) against the series' UAPI headers and
# Debian's libdrm-dev, with scripts/hw-test.sh and hw-report-check.sh.
# Copy DIR to the machine and run 'sudo ./hw-test.sh' there
# (docs/hardware-testing.md). Default DIR: build/hw/tests-ARCH; TREE (for
# the UAPI headers): build/linux.

. "$(dirname "$0")/lib.sh"

usage="usage: hw-tests.sh [-o DIR] [-t TREE] x86_64|arm64"
dir=
tree=$TREE
while getopts "o:t:" o; do
	case $o in
	o) dir=$OPTARG ;;
	t) tree=$OPTARG ;;
	*) die "$usage" ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 1 ] || die "$usage"
arch=$1
case $arch in
x86_64) cross= ;;
arm64) cross=aarch64-linux-gnu- ;;
*) die "unknown architecture '$arch' (x86_64 or arm64)" ;;
esac
need make "${cross}gcc"
dir=${dir:-$BUILD/hw/tests-$arch}
[ -f "$tree/Makefile" ] || die "no kernel tree at $tree (run 'make tree')"

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
work=$dir.build	# beside the kit, which is copied to the test machine
mkdir -p "$work"
# The UAPI headers of the tree (no kernel build needed for them).
make -s -C "$tree" O="$work/obj" ARCH="$arch" headers_install \
	INSTALL_HDR_PATH="$work/hdr" >/dev/null || die "headers_install failed in $tree"
libdrm=$("$TOP/scripts/libdrm.sh" "$arch")
tests=(amd_ttm_dma radeon_ttm_dma nouveau_ttm_dma)
make -s -C "$TOP/igt-tests" CC="${cross}gcc" UAPI="$work/hdr/include" \
	LIBDRM="$libdrm" O="$work/igt" "${tests[@]/#/$work/igt/}" ||
	die "building the tests failed"
cp "${tests[@]/#/$work/igt/}" "$TOP/scripts/hw-test.sh" \
	"$TOP/scripts/hw-report-check.sh" "$dir/"
echo "hw-tests: $arch: ${tests[*]} hw-test.sh in $dir"
