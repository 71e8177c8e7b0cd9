#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: what TTM's page pool costs, on the unpatched base tree and
# on the series, in the VMs, written to docs/bench.md with SVG plots.
#
# The module drivers/ttm-bench (ttm_bench.ko) binds to the edu device of
# each VM and measures every pool setup of its tree (base: streaming and
# the coherent band-aid; series: auto and each backend forced); its result
# lines are read by scripts/bench_report.py.
#
# Variables:
#   BENCH_QUICK=1        a ~2-minute subset: x86 (swiotlb=force), the series
#                        only, sizes up to 2 MiB, 3 runs; report in
#                        build/bench/quick/bench.md (make check runs it)
#   BENCH_PLATFORMS      default "x86-nobounce x86 xen arm64-nc"
#                        (x86-nobounce: platform x86 with swiotlb=noforce)
#   BENCH_TREES          default "base series"
#   BENCH_MAX_MIB        largest tt in MiB (default 512 on x86-nobounce, 64
#                        elsewhere; the module caps at a third of the VM's
#                        memory)
#   BENCH_RUNS           timed runs per measurement (default 5)
#   BENCH_OUT            the report (default docs/bench.md)
#   BENCH_KOBJ, BENCH_TREE  the series' kernel objects and tree (default
#                        build/obj and build/linux; make check passes its own)

. "$(dirname "$0")/lib.sh"

quick=${BENCH_QUICK:-0}
kobj=${BENCH_KOBJ:-$BUILD/obj}
stree=${BENCH_TREE:-$TREE}
if [ "$quick" = 1 ]; then
	platforms=${BENCH_PLATFORMS:-x86}
	trees=${BENCH_TREES:-series}
	runs=$BUILD/bench/quick
	out=${BENCH_OUT:-$runs/bench.md}
	margs="quick=1"
else
	platforms=${BENCH_PLATFORMS:-x86-nobounce x86 xen arm64-nc}
	trees=${BENCH_TREES:-base series}
	runs=$BUILD/bench
	out=${BENCH_OUT:-$TOP/docs/bench.md}
	margs="runs=${BENCH_RUNS:-5}"
fi
need python3
t0=$(date +%s)
say() {
	echo "bench: [$(($(date +%s) - t0))s] $*"
}

# A benchmark platform: a platform of platforms/, plus kernel arguments.
# dma_debug=off kmemleak=off: the test kernels are debug kernels; the
# DMA-API debug hash and kmemleak's object tracking would dominate the
# allocation paths. Lockdep (and KASAN on arm64) stay: same on both trees.
bench_platform() {	# NAME -> sets vplat, vargs
	vargs="dma_debug=off kmemleak=off"
	case $1 in
	x86-nobounce)
		# swiotlb=noforce after the platform's swiotlb=force: no
		# swiotlb at all, as on an x86 machine with less than 4 GiB.
		vplat=x86
		vargs+=" swiotlb=noforce" ;;
	*) vplat=$1 ;;
	esac
	platform_load "$vplat"
}

arches=$(for p in $platforms; do bench_platform "$p"; echo "$ARCH"; done | sort -u)

# The base tree and its kernels: those of 'make repro' (scripts/repro.sh),
# in the same cache, built once.
if [[ " $trees " = *" base "* ]]; then
	"$TOP/scripts/base.sh" >/dev/null
	rt=$CACHE/repro/linux
	if [ ! -d "$rt/.git" ]; then
		git clone -q --shared --no-checkout "$(base_repo)" "$rt"
	fi
	git -C "$rt" checkout -q -f --detach "$(base_rev)"
	for a in $arches; do
		say "base kernel $a"
		"$TOP/scripts/kernel.sh" -t "$rt" -o "$CACHE/repro/obj/$a" "$a" >/dev/null
	done
fi

tree_of() {	# TREE -> kernel tree, objects root
	case $1 in
	base) echo "$CACHE/repro/linux $CACHE/repro/obj" ;;
	series) echo "$stree $kobj" ;;
	esac
}

# The module, built against each kernel into the guest payload of its own
# (vm.sh copies it into the initramfs); W=1, as make check-series builds.
mkdir -p "$runs"
for t in $trees; do
	read -r ktree kroot < <(tree_of "$t")
	for a in $arches; do
		cross=
		[ "$a" = arm64 ] && cross=aarch64-linux-gnu-
		[ -f "$kroot/$a/Module.symvers" ] || die "no $t $a kernel in $kroot/$a (run 'make kernel')"
		dest=$runs/guest-$t/$a
		mo=$kroot/$a/.ttm-bench
		rm -rf "$dest"
		mkdir -p "$dest"
		kmake=(make -s -C "$kroot/$a" ARCH="$a" CROSS_COMPILE="$cross"
		       CC="ccache ${cross}gcc" M="$TOP/drivers/ttm-bench" MO="$mo")
		CCACHE_BASEDIR=/ "${kmake[@]}" W=1 modules
		"${kmake[@]}" INSTALL_MOD_PATH="$dest" INSTALL_MOD_STRIP=1 \
			DEPMOD=/bin/true modules_install >/dev/null
		find "$dest/lib/modules" -name 'modules.*' -delete
		say "ttm_bench.ko built for $t $a"
	done
done

# One VM per platform and tree; two at a time (under icount a VM keeps
# one core busy). Progress: the module's progress lines as they come.
run_one() {	# PLATFORM TREE
	local p=$1 t=$2 d=$runs/$1-$2 ktree kroot
	read -r ktree kroot < <(tree_of "$t")
	bench_platform "$p"
	rm -rf "$d"
	mkdir -p "$d"
	# The issue's sizes up to 512 MiB on x86 without bounce, the goals'
	# reference; up to 64 MiB elsewhere, to keep make bench near 20 min.
	local max=64
	[ "$p" = x86-nobounce ] && max=512
	[ "$quick" = 1 ] || max=${BENCH_MAX_MIB:-$max}
	printf 'module ttm_bench %s max_mib=%s\n' "$margs" "$max" >"$d/bench.list"
	local s
	s=$(date +%s)
	"$TOP/scripts/vm.sh" -r -T 2400 -a "$vargs" -l "$d/bench.list" -o "$d" \
		-t "$ktree" -k "$kroot" -g "$runs/guest-$t" "$vplat" >"$d/vm.out" 2>&1 || true
	echo "$(($(date +%s) - s))" >"$d/seconds"
	mv "$d/$vplat.log" "$d/console.log" 2>/dev/null || true
	local n
	n=$(grep -c '^ttm_bench: R ' "$d/console.log" 2>/dev/null) || true
	say "$p $t: ${n:-0} results in $(cat "$d/seconds")s"
}
alive() {	# PID...: whether one of them still runs
	local p
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}
# A VM run left behind by an error would go on writing into the next run.
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
jobs_list=()
for p in $platforms; do
	for t in $trees; do
		jobs_list+=("$p $t")
	done
done
say "${#jobs_list[@]} VM runs: ${jobs_list[*]}"
i=0
while [ $i -lt ${#jobs_list[@]} ]; do
	# shellcheck disable=SC2086 # PLATFORM TREE
	run_one ${jobs_list[$i]} &
	pids=($!)
	if [ $((i + 1)) -lt ${#jobs_list[@]} ]; then
		# shellcheck disable=SC2086
		run_one ${jobs_list[$((i + 1))]} &
		pids+=($!)
	fi
	last=
	while alive "${pids[@]}"; do
		sleep 10
		pair="${jobs_list[$i]} ${jobs_list[$((i + 1))]:-}"
		for j in $(echo "$pair" | awk '{ for (k = 1; k < NF; k += 2) print $k "-" $(k + 1) }'); do
			l=
			for f in "$runs/$j"/*.log; do
				[ -f "$f" ] && l=$f && break
			done
			[ -n "$l" ] || continue
			m=$(grep -a 'ttm_bench: progress' "$l" | tail -n1 | sed 's/.*progress: //') || true
			[ -z "$m" ] || [[ "$last" = *"|$j:$m|"* ]] || { say "$j: $m"; last+="|$j:$m|"; }
		done
	done
	wait
	i=$((i + 2))
done

# Kernel hashes for the report, one file a tree (a run of one tree keeps
# the other's).
for t in $trees; do
	read -r ktree kroot < <(tree_of "$t")
	echo "$t $(git -C "$ktree" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)" \
		>"$runs/kernel-$t"
done

rargs=()
[ "$quick" = 1 ] && rargs+=(--quick)
# Debian's python3-matplotlib belongs to Debian's python3, which another
# python3 earlier in PATH (pyenv, a venv) may hide.
py=python3
python3 -c 'import matplotlib' 2>/dev/null ||
	! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null || py=/usr/bin/python3
say "report"
"$py" "$TOP/scripts/bench_report.py" "${rargs[@]}" --runs "$runs" --out "$out" \
	--platforms "$platforms" --trees "$trees"
say "done: $out"
