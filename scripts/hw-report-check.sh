#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hw-report-check.sh OUT: is OUT (a report written by 'hw-test.sh --dry-run
# --out OUT') complete? What the test VMs check, without a GPU: every
# section, the machine and precondition lines, a row per test binary with
# the skip of every subtest, the counters, the archive, and a dry-run
# verdict with no failure. Prints each missing piece; exits 1 if any.

[ $# = 1 ] || { echo "usage: hw-report-check.sh OUT" >&2; exit 2; }
out=$1 r=$1/report.md bad=0
miss() { echo "hw-report-check: $*"; bad=1; }
[ -f "$r" ] || { echo "hw-report-check: no $r"; exit 1; }
for s in Preconditions GPUs Results Counters "Kernel reports during the run" Summary; do
	grep -qx "## $s" "$r" || miss "no section '## $s'"
done
for l in '^- kernel: ' '^- machine: ' '^- mode: dry run' \
	 '^| series kernel | ' '^| swiotlb=force | ' '^| IOMMU off or passthrough | ' \
	 '^| card[0-9]* | [0-9a-f:.]* | [0-9a-f]*:[0-9a-f]* | [a-z_]* | '; do
	grep -q "$l" "$r" || miss "no line matching '$l'"
done
for t in amd_ttm_dma radeon_ttm_dma nouveau_ttm_dma; do
	grep -q "^| $t | [a-z0-9-]* | SKIP |" "$r" || miss "no skipped subtest of $t"
	! grep -q "^| $t | .* | \(FAIL\|NOT FOUND\|TIMEOUT\|exit\)" "$r" || miss "$t did not skip cleanly"
	[ -s "$out/logs/$t.log" ] || miss "no log of $t"
done
for f in counters-before.txt counters-after.txt dmesg-before.txt dmesg-during.txt; do
	[ -f "$out/logs/$f" ] || miss "no logs/$f"
done
grep -q '^VERDICT: DRY RUN: report complete; [0-9]* passed, 0 failed, [1-9][0-9]* skipped' "$r" ||
	miss "no dry-run verdict with 0 failed: $(grep '^VERDICT' "$r")"
tar -tzf "$out.tar.gz" 2>/dev/null | grep -q "$(basename "$out")/report.md$" ||
	miss "no report in $out.tar.gz"
[ $bad = 0 ] && echo "hw-report-check: $r complete"
exit $bad
