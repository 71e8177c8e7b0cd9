#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hw-test.sh [options]: the series' tests on a tester's real GPU, and one
# report to send (docs/hardware-testing.md). POSIX sh: it runs on any
# distribution and in the project's busybox test VMs (--dry-run).
#
#   --bin DIR      where amd_ttm_dma, radeon_ttm_dma and nouveau_ttm_dma
#                  are (default: the directory of this script, then $PATH)
#   --igt DIR      IGT's test binaries (an IGT build's tests/ or
#                  /usr/libexec/igt-gpu-tools): also run the named subset
#                  of IGT's own tests for the GPUs bound (amdgpu: amd_basic
#                  cs-* and userptr-with-IP-DMA, amd_cp_dma_misc; nouveau:
#                  nouveau_crc, kms_pipe_crc_basic, kms_cursor_crc 64x64,
#                  kms_plane pixel-format)
#   --out DIR      where the report goes (default ./ttm-dma-report-HOST-DATE)
#   --dry-run      no GPU needed: preconditions are reported, not required;
#                  every step still runs (the tests skip) and the report is
#                  complete. What the project's CI runs in its VMs.
#   --timeout S    per test binary (default 1800)
#
# Needs root (debugfs, dmesg). Writes OUT/report.md, OUT/logs/ and
# OUT.tar.gz; the last line printed is the verdict. Exit status: 0 for a
# PASS (or a dry run in which nothing failed), 1 otherwise, 2 for bad
# arguments (nothing written then).

set -u
bin=
igt=
out=
dry=0
timeout_s=1800
die() { echo "hw-test.sh: error: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--bin) [ $# -ge 2 ] || die "--bin needs a directory"; bin=$2; shift 2 ;;
	--igt) [ $# -ge 2 ] || die "--igt needs a directory"; igt=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || die "--timeout needs seconds"; timeout_s=$2; shift 2 ;;
	--dry-run) dry=1; shift ;;
	-h|--help) sed -n '3,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (--help lists the options)" ;;
	esac
done
case $timeout_s in
''|*[!0-9]*|0) die "--timeout wants a positive number of seconds, not '$timeout_s'" ;;
esac
[ -z "$bin" ] || [ -d "$bin" ] || die "--bin: no directory '$bin'"
[ -z "$igt" ] || [ -d "$igt" ] || die "--igt: no directory '$igt'"
[ "$(id -u)" = 0 ] || die "run as root: the tests and this report read debugfs and dmesg"
host=$(uname -n)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${out:-./ttm-dma-report-$host-$stamp}
if [ -e "$out" ] || [ -e "$out.tar.gz" ]; then
	die "--out: '$out' or '$out.tar.gz' exists (nothing is overwritten)"
fi
mkdir -p "$out/logs" || die "cannot create '$out'"
report=$out/report.md
dbg=/sys/kernel/debug
mountpoint -q "$dbg" 2>/dev/null || mount -t debugfs none "$dbg" 2>/dev/null

# Where the tests are.
find_bin() {	# NAME: path or nothing
	for d in "$bin" "$(dirname "$0")"; do
		[ -n "$d" ] && [ -x "$d/$1" ] && { echo "$d/$1"; return; }
	done
	command -v "$1" 2>/dev/null
}

md() { printf '%s\n' "$*" >>"$report"; }
problems=""	# why the verdict cannot be PASS, one per line
problem() { problems="$problems$*
"; echo "hw-test.sh: $*" >&2; }

# --- the machine -----------------------------------------------------------
: >"$report"
md "# TTM DMA backends: hardware test report"
md ""
md "- host: $host"
md "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
md "- kernel: $(uname -r) ($(uname -m)); command line: \`$(cat /proc/cmdline)\`"
cpu=$(grep -m1 -E '^(model name|Hardware|CPU part)' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')
model=$(tr -d '\0' 2>/dev/null </proc/device-tree/model)
[ -n "$model" ] || model=$(cat /sys/class/dmi/id/product_name 2>/dev/null)
md "- machine: ${model:-unknown}; CPU: ${cpu:-unknown}; memory: $(awk '/MemTotal/ {print int($2/1024) " MiB"}' /proc/meminfo)"
md "- mode: $([ $dry = 1 ] && echo "dry run (no GPU required)" || echo "hardware run")"
md ""

# --- preconditions -------------------------------------------------------
md "## Preconditions"
md ""
md "| check | state | needed because |"
md "| --- | --- | --- |"
pre() {	# NAME OK(0/1) STATE WHY
	md "| $1 | $([ "$2" = 0 ] && echo "ok" || echo "**not met**"): $3 | $4 |"
	[ "$2" = 0 ] || problem "precondition not met: $1 ($3)"
}
if [ -e /sys/module/ttm/parameters/pool_backend ]; then
	pre "series kernel" 0 "ttm.pool_backend=$(cat /sys/module/ttm/parameters/pool_backend)" "the tests check the series' behaviour"
elif [ -d /sys/module/ttm ]; then
	pre "series kernel" 1 "TTM loaded without the series' pool_backend parameter" "the tests check the series' behaviour"
else
	pre "series kernel" 1 "TTM not loaded (no GPU driver bound?)" "the tests check the series' behaviour"
fi
if grep -qw 'swiotlb=force' /proc/cmdline; then
	pre "swiotlb=force" 0 "on the command line" "makes every streaming mapping bounce"
else
	pre "swiotlb=force" 1 "not on the command line" "makes every streaming mapping bounce"
fi
xen=none
if [ "$(cat /sys/hypervisor/type 2>/dev/null)" = xen ]; then
	if grep -qs control_d /proc/xen/capabilities; then xen=dom0; else xen=domU; fi
fi
md "| Xen | info: $xen | Xen PV dom0 maps through swiotlb-xen |"
nc=0
for g in /sys/kernel/iommu_groups/*/type; do
	[ -f "$g" ] || continue
	case $(cat "$g") in identity) ;; *) nc=$((nc + 1)) ;; esac
done
if [ $nc = 0 ]; then
	pre "IOMMU off or passthrough" 0 "no translated IOMMU group" "a translating IOMMU maps instead of bouncing"
else
	pre "IOMMU off or passthrough" 1 "$nc IOMMU group(s) translate (iommu=pt / amd_iommu=off / intel_iommu=off)" "a translating IOMMU maps instead of bouncing"
fi
[ -d "$dbg/swiotlb" ] && sw=0 || sw=1
pre "debugfs swiotlb/" "$sw" "$([ "$sw" = 0 ] && echo present || echo absent)" "slots in use and high-water before/after"
md ""

# --- the GPUs --------------------------------------------------------------
md "## GPUs"
md ""
md "| card | PCI | vendor:device | driver | DMA coherent | pool backend |"
md "| --- | --- | --- | --- | --- | --- |"
gpus=""
for c in /sys/class/drm/card[0-9]*; do
	case ${c##*/} in *-*) continue ;; esac
	[ -e "$c/device" ] || continue
	dev=$(readlink -f "$c/device")
	drv=$(basename "$(readlink -f "$dev/driver" 2>/dev/null)" 2>/dev/null)
	ven=$(sed 's/^0x//' "$dev/vendor" 2>/dev/null)
	did=$(sed 's/^0x//' "$dev/device" 2>/dev/null)
	n=${c##*/card}
	backend=$(head -n1 "$dbg/dri/$n/ttm_page_pool" 2>/dev/null | sed 's/^backend: //')
	coh=unknown
	if [ -d /proc/device-tree ]; then
		coh="see device tree"
		for p in /proc/device-tree/pcie@* /proc/device-tree/*/pcie@*; do
			[ -d "$p" ] || continue
			[ -e "$p/dma-coherent" ] && coh="dma-coherent (${p##*/})" || coh="not coherent (${p##*/})"
		done
	elif [ "$(uname -m)" = x86_64 ]; then
		coh="yes (x86)"
	fi
	md "| card$n | ${dev##*/} | ${ven:-?}:${did:-?} | ${drv:-none} | $coh | ${backend:-no debugfs file} |"
	gpus="$gpus $drv"
done
[ -n "$gpus" ] || md "| (none) | | | | | |"
md ""

# --- counters before --------------------------------------------------------
snap() {	# FILE: the counters
	{
		for f in io_tlb_nslabs io_tlb_used io_tlb_used_hiwater; do
			[ -r "$dbg/swiotlb/$f" ] && echo "swiotlb/$f $(cat "$dbg/swiotlb/$f")"
		done
		[ -r "$dbg/ttm/page_pool" ] && sed 's/^/ttm\/page_pool: /' "$dbg/ttm/page_pool"
		for p in "$dbg"/dri/*/ttm_page_pool; do
			[ -r "$p" ] && echo "${p#"$dbg"/}: $(head -n1 "$p")"
		done
	} >"$1" 2>/dev/null
}
snap "$out/logs/counters-before.txt"
[ -w "$dbg/swiotlb/io_tlb_used_hiwater" ] && echo 0 >"$dbg/swiotlb/io_tlb_used_hiwater" 2>/dev/null
dmesg >"$out/logs/dmesg-before.txt" 2>/dev/null
before=$(wc -l <"$out/logs/dmesg-before.txt")

# --- the tests --------------------------------------------------------------
md "## Results"
md ""
md "| test | subtest | result |"
md "| --- | --- | --- |"
npass=0 nfail=0 nskip=0
run() {	# LABEL COMMAND...: one binary; its subtests into the table
	label=$1; shift
	log=$out/logs/$label.log
	if command -v timeout >/dev/null 2>&1; then
		timeout "$timeout_s" "$@" >"$log" 2>&1
	else
		"$@" >"$log" 2>&1
	fi
	rc=$?
	found=0
	while read -r _ name res _; do
		name=${name%:}
		found=1
		case $res in
		SUCCESS) npass=$((npass + 1)) ;;
		SKIP) nskip=$((nskip + 1)) ;;
		*) nfail=$((nfail + 1)); problem "$label@$name: $res" ;;
		esac
		md "| $label | $name | $res |"
	done <<EOF
$(grep -E '^Subtest [^ ]+: (SUCCESS|SKIP|FAIL|CRASH|TIMEOUT)' "$log")
EOF
	case $rc in
	0|77) ;;
	124) problem "$label: timed out after ${timeout_s}s"; nfail=$((nfail + 1))
	     md "| $label | (binary) | TIMEOUT |" ;;
	*)
		# 98: IGT's exit code for failed subtests, counted above
		if [ $found = 0 ] || [ $rc != 98 ]; then
			problem "$label: exit code $rc"
			nfail=$((nfail + 1))
			md "| $label | (binary) | exit $rc |"
		fi ;;
	esac
	[ $found = 1 ] || [ $rc != 77 ] || { nskip=$((nskip + 1)); md "| $label | (all) | SKIP: $(grep -m1 -i 'skip\|no .* device' "$log" | tr '|' '/') |"; }
}
for t in amd_ttm_dma radeon_ttm_dma nouveau_ttm_dma; do
	p=$(find_bin $t)
	if [ -z "$p" ]; then
		problem "$t: not found (--bin DIR)"
		nfail=$((nfail + 1))
		md "| $t | (binary) | NOT FOUND |"
		continue
	fi
	run "$t" "$p"
done
# IGT's own tests that move data through TTM memory (named subset, for
# the drivers bound here): amdgpu's command submission and CP DMA copies;
# on nouveau, every KMS test that draws a framebuffer copies it between
# VRAM and GART with the copy engine (Kepler to Ampere in IGT 2.x).
igt_run() {	# DRIVER BINARY [--run-subtest PATTERN]
	drv=$1 t=$2; shift 2
	[ -x "$igt/$t" ] || { md "| igt:$t | (binary) | not in $igt |"; return; }
	label=igt-$t${2:+-$(echo "$2" | tr -c 'A-Za-z0-9_\n-' _)}
	run "$label" env IGT_FORCE_DRIVER="$drv" "$igt/$t" "$@"
}
if [ -n "$igt" ]; then
	case " $gpus " in *" amdgpu "*)
		igt_run amdgpu amd_basic --run-subtest 'cs-*'
		igt_run amdgpu amd_basic --run-subtest userptr-with-IP-DMA
		igt_run amdgpu amd_cp_dma_misc ;;
	esac
	case " $gpus " in *" nouveau "*)
		igt_run nouveau nouveau_crc
		igt_run nouveau kms_pipe_crc_basic
		igt_run nouveau kms_cursor_crc --run-subtest '*64x64*'
		igt_run nouveau kms_plane --run-subtest pixel-format ;;
	esac
fi
md ""

# radeon.test=1 (or 3): the driver's own GTT<->VRAM copy test at load,
# judged from the boot log (radeon_test.c's messages).
rt=$(cat /sys/module/radeon/parameters/test 2>/dev/null)
if grep -qE '(^| )radeon\.test=[13]( |$)' /proc/cmdline || [ "$rt" = 1 ] || [ "$rt" = 3 ]; then
	log=$out/logs/dmesg-before.txt
	bad=$(grep -E 'Incorrect (GTT->VRAM|VRAM->GTT) copy|Failed (GTT->VRAM|VRAM->GTT) copy|Failed to wait for (GTT->VRAM|VRAM->GTT) fence|Failed to (create|pin|map) (GTT|VRAM) object|Error while testing BO move' "$log")
	ok=$(grep -c 'Tested GTT->VRAM and VRAM->GTT copy' "$log")
	if [ -n "$bad" ]; then
		md "radeon.test: the driver's boot-time copy test **failed**: \`$(printf '%s' "$bad" | head -n1)\`"
		problem "radeon.test reported a failed copy"
		nfail=$((nfail + 1))
	elif grep -q 'acceleration disabled, skipping move tests' "$log"; then
		md "radeon.test: not run (acceleration disabled)."
	elif [ "$ok" -gt 0 ]; then
		md "radeon.test: the driver's boot-time copy test passed ($ok GTT objects of 1 MiB copied both ways)."
		npass=$((npass + 1))
	else
		md "radeon.test: set, but dmesg has no result line (no radeon GPU, or the log was rotated)."
		problem "radeon.test: no result in dmesg"
	fi
	md ""
fi

# --- counters and reports after -------------------------------------------
snap "$out/logs/counters-after.txt"
dmesg >"$out/logs/dmesg-after.txt" 2>/dev/null
tail -n +"$((before + 1))" "$out/logs/dmesg-after.txt" >"$out/logs/dmesg-during.txt"
md "## Counters"
md ""
md "Before the tests:"
md ""
md '```'
cat "$out/logs/counters-before.txt" >>"$report"
md '```'
md ""
md "After (the swiotlb high-water mark was reset to 0 before the tests):"
md ""
md '```'
cat "$out/logs/counters-after.txt" >>"$report"
md '```'
md ""
md "## Kernel reports during the run"
md ""
reports=$(grep -E 'WARNING: |BUG: |Oops|Kernel panic|general protection fault|KASAN: |UBSAN: |DMA-API: |ttm: DMA ownership:|INFO: task .* blocked' \
	"$out/logs/dmesg-during.txt" | grep -vE 'DMA-API: (preallocated [0-9]+ debug entries|debugging (enabled|out of memory))')
if [ -n "$reports" ]; then
	md '```'
	printf '%s\n' "$reports" | head -n 50 >>"$report"
	md '```'
	problem "$(printf '%s\n' "$reports" | wc -l) kernel report line(s) in dmesg during the run"
else
	md "None: no kernel warning, BUG, oops, KASAN or UBSAN report, DMA API debug report, TTM DMA ownership report or hung task."
fi
md ""

# --- verdict -----------------------------------------------------------------
md "## Summary"
md ""
md "$npass passed, $nfail failed, $nskip skipped."
md ""
if [ $dry = 1 ]; then
	verdict="DRY RUN: report complete; $npass passed, $nfail failed, $nskip skipped (not a hardware result)"
elif [ -z "$problems" ] && [ $npass -gt 0 ]; then
	verdict="PASS: $npass passed, 0 failed, $nskip skipped"
elif [ $npass = 0 ] && [ $nfail = 0 ]; then
	verdict="INCOMPLETE: nothing ran on a GPU"
else
	verdict="FAIL: $nfail failed"
fi
if [ -n "$problems" ]; then
	md "Problems:"
	md ""
	printf '%s' "$problems" | sed 's/^/- /' >>"$report"
	md ""
fi
md "VERDICT: $verdict"
tar -C "$(dirname "$out")" -czf "$out.tar.gz" "$(basename "$out")" ||
	die "cannot write $out.tar.gz"
echo "report: $report, archive: $out.tar.gz"
echo "VERDICT: $verdict"
case $verdict in
PASS*) exit 0 ;;
DRY*) [ $nfail = 0 ] ;;
*) exit 1 ;;
esac
