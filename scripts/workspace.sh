#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# workspace.sh [-t TREE] [-w WORKSPACE] [-l LOGDIR] [-K] [-C] ARCH...
#
# The one pipeline that builds test kernels, for every target that needs
# them: for each ARCH, the kernel from TREE into WORKSPACE/obj/ARCH
# (kernel.sh) and, against it, edu_gpu and the IGT tests into
# WORKSPACE/guest/ARCH (guest.sh), which vm.sh boots with. The
# workspaces:
#   build/                  make kernel (make test), from build/linux
#   ~/.cache/ttm-dma/check  make check, from its own checkout of patches/
#   ~/.cache/ttm-dma/repro  make repro and make bench, the unpatched base
#
#   -t TREE       the kernel tree (default build/linux)
#   -w WORKSPACE  default build/
#   -K            kernels only (make bench's base: no guest payload)
#   -C            make check's kernels: what lib.sh's check_left_out names
#                 is left out of the link (kernel.sh -x), and the C files
#                 of its directories that the tree changes against the
#                 base and WORKSPACE/obj/x86_64 built are compiled
#                 (kernel.sh -c); the guest payload's
#                 /etc/ttm-dma-left-out names the modules, whose VM tests
#                 then skip
#   -l LOGDIR     each step's output in LOGDIR/kernel-ARCH.log and
#                 LOGDIR/guest-ARCH.log; a failed step is reported (the
#                 log's last 20 lines, then one line naming it), appended
#                 to LOGDIR/failed (the caller empties it first) as
#                 "STEP-ARCH WHY", and the next ARCH
#                 is still built; exit 1 when a step failed. Without -l
#                 the output goes through and the first failure ends it.

. "$(dirname "$0")/lib.sh"

usage="usage: workspace.sh [-t TREE] [-w WORKSPACE] [-l LOGDIR] [-K] [-C] ARCH..."
tree=$TREE
ws=$BUILD
logs=
guest=1
check=0
while getopts ":t:w:l:KC" o; do
	case $o in
	t) tree=$OPTARG ;;
	w) ws=$OPTARG ;;
	l) logs=$OPTARG ;;
	K) guest=0 ;;
	C) check=1 ;;
	:) die "-$OPTARG needs an argument ($usage)" ;;
	*) die "unknown option -$OPTARG ($usage)" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || die "$usage"
for a in "$@"; do
	case $a in
	x86_64 | arm64) ;;
	*) die "unknown architecture '$a' (x86_64 or arm64)" ;;
	esac
done
[ -z "$logs" ] || mkdir -p "$logs"

failed=0
# One step: its output to the terminal, or to LOGDIR/NAME.log and, when
# it fails, reported and recorded (returns 1).
run() {	# NAME WHY COMMAND...
	local name=$1 why=$2
	shift 2
	if [ -z "$logs" ]; then
		"$@" || exit $?
		return 0
	fi
	if "$@" >"$logs/$name.log" 2>&1; then
		return 0
	fi
	tail -n 20 "$logs/$name.log" >&2
	echo "$name: $why; see $logs/$name.log" >&2
	echo "$name $why; see $logs/$name.log" >>"$logs/failed"
	failed=1
	return 1
}

# kernel.sh's options for make check's kernel of ARCH (-C), and the
# modules that leaves out
leave_out() {	# ARCH
	local sym mod dir f base
	kopts=()
	mods=()
	[ $check = 1 ] || return 0
	while read -r sym mod dir; do
		kopts+=(-x "$sym")
		mods+=("$mod")
		if [ -z "${base:-}" ]; then
			base=$(base_rev)
			[ -n "$base" ] || return 1
		fi
		while read -r f; do
			# (only what the configuration builds: a file of an option
			# it leaves unset may not compile on its own, as
			# amdgpu_amdkfd_gpuvm.c without HSA_AMD; the drivers'
			# options are x86_64's, whose build make check's series
			# checks leave in the workspace first)
			[ -f "$ws/obj/x86_64/${f%.c}.o" ] || continue
			kopts+=(-c "${f%.c}.o")
		done < <(git -C "$tree" diff --name-only --diff-filter=AM "$base" HEAD -- "$dir" | grep '\.c$' || true)
	done < <(check_left_out "$1")
}

for a in "$@"; do
	s=$(date +%s)
	leave_out "$a" || die "no base to compare $tree with"
	run "kernel-$a" "the $a test kernel does not build" \
		"$TOP/scripts/kernel.sh" -t "$tree" -o "$ws/obj/$a" "${kopts[@]}" "$a" || continue
	[ $guest = 0 ] ||
		run "guest-$a" "edu_gpu or the IGT tests do not build for $a" \
			"$TOP/scripts/guest.sh" -t "$tree" -o "$ws/obj/$a" -d "$ws/guest/$a" "$a" ||
		continue
	if [ $guest = 1 ]; then
		if [ ${#mods[@]} != 0 ]; then
			mkdir -p "$ws/guest/$a/etc"
			printf '%s\n' "${mods[@]}" >"$ws/guest/$a/etc/ttm-dma-left-out"
		else
			rm -f "$ws/guest/$a/etc/ttm-dma-left-out"
		fi
	fi
	note "$a: $(($(date +%s) - s))s"
done
exit $failed
