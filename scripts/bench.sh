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
#   BENCH_KCONFIG        the kernels: "test" (default: make kernel's and make
#                        repro's test kernels), "debug" (their options but
#                        no GPU drivers, and perf's), "nodebug" (without
#                        configs/debug.config and KASAN); built here in
#                        $CACHE/bench/obj-KCONFIG; the report's name gets
#                        "-KCONFIG" unless it is "test"
#   BENCH_PROFILE=KIB    instead of the benchmark: a perf profile (perf
#                        record -e cpu-clock -g in the guest, Debian's
#                        linux-perf) of ttm_pool_alloc() + ttm_pool_free() of
#                        one KIB KiB tt, per backend and tree, on x86-nobounce
#                        and xen: docs/bench-profile-KIBk-STATE.md
#   BENCH_PROFILE_COLD=1 the profile with a fresh pool each allocation
#   BENCH_PROFILE_MS     how long each backend repeats (default 3000 ms)

. "$(dirname "$0")/lib.sh"

quick=${BENCH_QUICK:-0}
kobj=${BENCH_KOBJ:-$BUILD/obj}
stree=${BENCH_TREE:-$TREE}
kcfg=${BENCH_KCONFIG:-test}
prof=${BENCH_PROFILE:-}
[ -z "$prof" ] || kcfg=${BENCH_KCONFIG:-debug}
case $kcfg in
test) sfx= ;;
debug | nodebug) sfx=-$kcfg ;;
*) die "BENCH_KCONFIG=$kcfg: test, debug or nodebug" ;;
esac
pcold=${BENCH_PROFILE_COLD:-0}
pms=${BENCH_PROFILE_MS:-3000}
if [ -n "$prof" ]; then
	[[ "$prof" =~ ^[1-9][0-9]{0,6}$ && $((prof % 4)) = 0 ]] ||
		die "BENCH_PROFILE=$prof: a tt size in KiB, a multiple of 4 (e.g. 4 or 2048)"
	[[ "$pcold" =~ ^[01]$ ]] || die "BENCH_PROFILE_COLD=$pcold: 0 or 1"
	[[ "$pms" =~ ^[1-9][0-9]{0,5}$ ]] || die "BENCH_PROFILE_MS=$pms: 1 to 999999"
	[ "$quick" = 0 ] || die "BENCH_PROFILE and BENCH_QUICK: one or the other"
	state=warm
	[ "$pcold" = 1 ] && state=cold
	platforms=${BENCH_PLATFORMS:-x86-nobounce xen}
	trees=${BENCH_TREES:-base series}
	[ "$kcfg" != test ] || die "BENCH_PROFILE needs BENCH_KCONFIG=debug or nodebug (perf needs CONFIG_EVENTFD)"
	runs=$BUILD/bench/profile-${prof}k-$state$sfx
	out=${BENCH_OUT:-$TOP/docs/bench-profile-${prof}k-$state$sfx.md}
	margs="profile_kib=$prof profile_ms=$pms profile_cold=$pcold"
	# perf is the host's (x86_64), copied into the guest with its libraries.
	for p in $platforms; do
		case $p in
		arm64*) die "BENCH_PROFILE: x86_64 platforms only (the guest runs the host's perf)" ;;
		esac
	done
	perf=$(command -v perf) || die "no perf (Debian's linux-perf; run 'make deps' as root)"
elif [ "$quick" = 1 ]; then
	platforms=${BENCH_PLATFORMS:-x86}
	trees=${BENCH_TREES:-series}
	runs=$BUILD/bench/quick
	out=${BENCH_OUT:-$runs/bench.md}
	margs="quick=1"
else
	platforms=${BENCH_PLATFORMS:-x86-nobounce x86 xen arm64-nc}
	trees=${BENCH_TREES:-base series}
	runs=$BUILD/bench$sfx
	out=${BENCH_OUT:-$TOP/docs/bench$sfx.md}
	margs="runs=${BENCH_RUNS:-5}"
fi
need python3 flock
# What it reads and writes, under the locks of their owners: the series'
# kernel objects (build/ of make kernel, or make check's workspace, which
# make check holds while it runs the quick bench), make repro's base tree
# and kernels, and the bench kernels of their own.
lock "$(dirname "$kobj")"
[[ " $trees " != *" base "* ]] || lock "$CACHE/repro"
[ "$kcfg" = test ] || lock "$CACHE/bench"
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
	if [ "$kcfg" = test ]; then
		say "base kernels: ${arches//$'\n'/ }"
		# (make repro's pipeline and workspace; no guest payload)
		# shellcheck disable=SC2086 # $arches: a list of names
		"$TOP/scripts/workspace.sh" -K -t "$rt" -w "$CACHE/repro" $arches >/dev/null
	fi
fi

backends_of() {	# TREE -> the pool setups ttm_bench measures there
	case $1 in
	base) echo "streaming coherent" ;;
	series) echo "auto dma-pages streaming" ;;
	esac
}

tree_of() {	# TREE -> kernel tree, objects root
	local r=$CACHE/bench/obj$sfx/$1
	case $1 in
	base) [ -n "$sfx" ] || r=$CACHE/repro/obj
	      echo "$CACHE/repro/linux $r" ;;
	series) [ -n "$sfx" ] || r=$kobj
		echo "$stree $r" ;;
	esac
}

# Kernels of their own (BENCH_KCONFIG debug or nodebug): the fragments of
# the test kernels minus the GPU drivers (ttm_bench needs none), minus the
# debug ones for nodebug, plus perf's.
if [ "$kcfg" != test ]; then
	for t in $trees; do
		read -r ktree kroot < <(tree_of "$t")
		for a in $arches; do
			frags=()
			for f in $(test_fragments "$a") perf; do
				case $f in
				drivers) continue ;;
				debug | kasan) [ "$kcfg" = debug ] || continue ;;
				esac
				frags+=(-f "$f")
			done
			mkdir -p "$kroot"
			say "$t kernel $a ($kcfg; log $kroot/$a.log)"
			"$TOP/scripts/kernel.sh" -t "$ktree" -o "$kroot/$a" "${frags[@]}" "$a" \
				>"$kroot/$a.log" 2>&1 || die "$t $a kernel failed; see $kroot/$a.log"
		done
	done
fi

# The module, built against each kernel into the guest payload of its own
# (vm.sh copies it into the initramfs); W=1, as make check-series builds.
mkdir -p "$runs"
ccache_env
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
		"${kmake[@]}" W=1 modules
		"${kmake[@]}" INSTALL_MOD_PATH="$dest" INSTALL_MOD_STRIP=1 \
			DEPMOD=/bin/true modules_install >/dev/null
		find "$dest/lib/modules" -name 'modules.*' -delete
		say "ttm_bench.ko built for $t $a"
	done
done

# The profile's guest: perf and every library it loads, at their host
# paths, and scripts/guest-bench-profile.sh, which records one module
# load per backend.
if [ -n "$prof" ]; then
	for t in $trees; do
		dest=$runs/guest-$t/x86_64
		[ -d "$dest" ] || continue
		mkdir -p "$dest/usr/bin"
		cp "$(readlink -f "$perf")" "$dest/usr/bin/perf"
		ldd "$perf" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
		while read -r lib; do
			mkdir -p "$dest$(dirname "$lib")"
			cp -L "$lib" "$dest$lib"
		done
		install -m 755 "$TOP/scripts/guest-bench-profile.sh" "$dest/usr/bin/ttm-bench-profile"
	done
	say "perf $("$perf" --version 2>/dev/null | awk '{ print $3 }') in the guests"
fi

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
	if [ -n "$prof" ]; then
		local be
		: >"$d/bench.list"
		for be in $(backends_of "$t"); do
			printf 'sh profile:%s ttm-bench-profile %s %s max_mib=%s\n' \
				"$be" "$be" "$margs" "$max" >>"$d/bench.list"
		done
	else
		printf 'module ttm_bench %s max_mib=%s\n' "$margs" "$max" >"$d/bench.list"
	fi
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

if [ -n "$prof" ]; then
	say "report"
	exec python3 "$TOP/scripts/bench_profile.py" --kconfig "$kcfg" --runs "$runs" --out "$out" \
		--platforms "$platforms" --trees "$trees"
fi

rargs=(--kconfig "$kcfg")
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
