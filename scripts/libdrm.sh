#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# libdrm.sh ARCH: Debian's libdrm-dev for ARCH (x86_64 or arm64: headers
# and static libraries), downloaded into the cache and unpacked there
# once per package version. Prints the directory (the root of the
# unpacked package: usr/include, usr/lib/TRIPLET), for igt-tests' LIBDRM=.

. "$(dirname "$0")/lib.sh"

[ $# = 1 ] || die "usage: libdrm.sh x86_64|arm64"
case $1 in
x86_64) debarch=amd64 ;;
arm64) debarch=arm64 ;;
*) die "unknown architecture '$1' (x86_64 or arm64)" ;;
esac
need dpkg-deb

libdrm_deb() {	# the newest downloaded package, if any
	local d
	for d in "$CACHE"/pkgs/libdrm-dev_*_"$debarch".deb; do
		[ -f "$d" ] && echo "$d"
	done | sort -V | tail -n1
}
deb=$(libdrm_deb) || true
if [ -z "$deb" ]; then
	"$TOP/scripts/fetch-debs.sh" "libdrm-dev:$debarch" >&2
	deb=$(libdrm_deb) || true
	[ -n "$deb" ] || die "libdrm-dev:$debarch: downloaded, but no package in $CACHE/pkgs"
fi
dir=$CACHE/libdrm/$(basename "$deb" .deb)
if [ ! -d "$dir" ]; then
	# Unpacked beside and renamed: a concurrent run sees all or nothing.
	mkdir -p "$CACHE/libdrm"
	tmp=$(mktemp -d "$CACHE/libdrm/.unpack.XXXXXX")
	dpkg-deb -x "$deb" "$tmp" || { rm -rf "$tmp"; die "cannot unpack $deb"; }
	mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
fi
echo "$dir"
