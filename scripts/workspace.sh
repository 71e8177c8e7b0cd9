#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# workspace.sh [-t TREE] [-w WORKSPACE] [-l LOGDIR] [-K] ARCH...
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
#   -l LOGDIR     each step's output in LOGDIR/kernel-ARCH.log and
#                 LOGDIR/guest-ARCH.log; a failed step is reported (the
#                 log's last 20 lines, then one line naming it), appended
#                 to LOGDIR/failed (the caller empties it first) as
#                 "STEP-ARCH WHY", and the next ARCH
#                 is still built; exit 1 when a step failed. Without -l
#                 the output goes through and the first failure ends it.

. "$(dirname "$0")/lib.sh"

usage="usage: workspace.sh [-t TREE] [-w WORKSPACE] [-l LOGDIR] [-K] ARCH..."
tree=$TREE
ws=$BUILD
logs=
guest=1
while getopts ":t:w:l:K" o; do
	case $o in
	t) tree=$OPTARG ;;
	w) ws=$OPTARG ;;
	l) logs=$OPTARG ;;
	K) guest=0 ;;
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

for a in "$@"; do
	s=$(date +%s)
	run "kernel-$a" "the $a test kernel does not build" \
		"$TOP/scripts/kernel.sh" -t "$tree" -o "$ws/obj/$a" "$a" || continue
	[ $guest = 0 ] ||
		run "guest-$a" "edu_gpu or the IGT tests do not build for $a" \
			"$TOP/scripts/guest.sh" -t "$tree" -o "$ws/obj/$a" -d "$ws/guest/$a" "$a" ||
		continue
	note "$a: $(($(date +%s) - s))s"
done
exit $failed
