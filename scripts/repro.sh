#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make repro: the edu_gpu IGT tests on the UNPATCHED base tree and on the
# series, side by side, written to docs/repro.md.
#
# Before: the base tree's kernels, edu_gpu set up the way amdgpu and
# radeon set up TTM today, once plain (no coherent allocations) and once
# with the drm_need_swiotlb() band-aid forced on (coherent allocations).
# After: the kernels of 'make kernel' (base + patches/), where TTM chooses.
#
# Options: PLATFORMS="x86 xen arm64-nc" (default), REPRO_OUT=file.

. "$(dirname "$0")/lib.sh"

platforms=${PLATFORMS:-x86 xen arm64-nc}
out=${REPRO_OUT:-$TOP/docs/repro.md}
for p in $platforms; do
	platform_arch "$p" >/dev/null
done
arches=$(for p in $platforms; do platform_arch "$p"; done | sort -u)
# The series' kernels first: without them nothing below is worth
# downloading or building.
for a in $arches; do
	[ -f "$BUILD/obj/$a/Module.symvers" ] || die "no $a kernel in build/obj: run 'make kernel' first"
done

# The base tree and its kernels, kept in the cache (one repro at a time).
"$TOP/scripts/base.sh" >/dev/null
base=$(base_rev)
lock "$CACHE/repro"
rt=$CACHE/repro/linux
if [ ! -d "$rt/.git" ]; then
	git clone -q --shared --no-checkout "$(base_repo)" "$rt"
fi
git -C "$rt" checkout -q -f --detach "$base"
# (the pipeline of make kernel and make check, on this workspace)
# shellcheck disable=SC2086 # $arches: a list of names
"$TOP/scripts/workspace.sh" -t "$rt" -w "$CACHE/repro" $arches
for a in $arches; do
	# After: the series' kernels from 'make kernel'.
	"$TOP/scripts/guest.sh" -o "$BUILD/obj/$a" -d "$BUILD/repro/guest-after/$a" "$a"
done

runs=$BUILD/repro
mkdir -p "$runs"
list() {	# MODULE_ARGS
	printf 'module edu_gpu %s\nigt /usr/bin/edu_gpu_dma\n' "$1"
}
for p in $platforms; do
	for cfg in plain coherent; do
		list "pool=$cfg" >"$runs/$p-$cfg.list"
		note "$p, unpatched, $cfg"
		"$TOP/scripts/vm.sh" -r -T 1800 -l "$runs/$p-$cfg.list" -o "$runs/$p-$cfg" \
			-t "$rt" -k "$CACHE/repro/obj" -g "$CACHE/repro/guest" "$p" || true
	done
	list "" >"$runs/$p-series.list"
	note "$p, series"
	"$TOP/scripts/vm.sh" -T 1800 -l "$runs/$p-series.list" -o "$runs/$p-series" \
		-g "$BUILD/repro/guest-after" "$p" || true
done

# shellcheck disable=SC2086 # $platforms: a list of names
python3 "$TOP/scripts/repro_report.py" --runs "$runs" --out "$out" $platforms
