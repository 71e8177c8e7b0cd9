#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh [--no-series] [--no-build] PLATFORM...: make check.
#   1. the series checks (scripts/check-series.sh), in their own tree;
#   2. make kernel (build/linux must hold exactly what patches/ holds);
#   3. every platform's VM run (scripts/vm.sh).
# Ends with one line counting every test case of every step on every
# platform: 'N passed, N failed' (', N skipped' when any). Exit status 1
# when anything failed.

. "$(dirname "$0")/lib.sh"

series=1
build=1
while [ $# -gt 0 ]; do
	case $1 in
	--no-series) series=0 ;;
	--no-build) build=0 ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || die "no platforms given"
for p in "$@"; do
	case $p in x86|xen|arm64-nc|arm64) ;; *) die "unknown platform '$p' (x86, xen, arm64-nc, arm64)" ;; esac
done

status=$("$TOP/scripts/series.py" status "$TREE" "$PATCHES")
case $status in
unexported*) die "$TREE holds work that is not in patches/ (${status#unexported: }): run 'make export' first, so that what is tested is the series" ;;
esac

t0=$(date +%s)
out=$BUILD/vm
mkdir -p "$out"
rm -f "$out"/*.json "$BUILD"/check-series/result.json
lines=()
step() {	# NAME SECONDS
	note "$1: $2s"
}

if [ $series = 1 ]; then
	s=$(date +%s)
	"$TOP/scripts/check-series.sh" >"$BUILD/check-series.ktap" || true
	lines+=("$("$TOP/scripts/ktap.py" --name series --json "$out/series.json" \
		"$BUILD/check-series.ktap" | tee /dev/stderr | head -n1)")
	step "series checks" $(($(date +%s) - s))
fi

built=1
if [ $build = 1 ]; then
	s=$(date +%s)
	if ! "$TOP/scripts/make-kernel.sh" >"$BUILD/make-kernel.log" 2>&1; then
		built=0
		tail -n 20 "$BUILD/make-kernel.log" >&2
		printf 'KTAP version 1\n1..1\nnot ok 1 make kernel\nttm-dma: done\n' >"$BUILD/make-kernel.ktap"
		"$TOP/scripts/ktap.py" --name kernel --json "$out/kernel.json" "$BUILD/make-kernel.ktap" >&2 || true
		note "make kernel failed (see $BUILD/make-kernel.log): no VM runs"
	fi
	step "make kernel" $(($(date +%s) - s))
fi

for p in "$@"; do
	[ $built = 1 ] || continue
	s=$(date +%s)
	"$TOP/scripts/vm.sh" -o "$out" "$p" | tee "$out/$p.summary" >&2 || true
	step "$p" $(($(date +%s) - s))
done

python3 - "$out" "$@" <<'PY'
import json, os, sys
out, plats = sys.argv[1], sys.argv[2:]
tot = {'pass': 0, 'fail': 0, 'skip': 0}
missing = []
names = [n for n in ('series', 'kernel')
         if os.path.exists(os.path.join(out, n + '.json'))] + plats
for name in names:
    path = os.path.join(out, name + '.json')
    if not os.path.exists(path):
        missing.append(name)
        tot['fail'] += 1
        continue
    for k, v in json.load(open(path))['counts'].items():
        tot[k] += v
for m in missing:
    print(f'{m}: no results (the run did not produce any)', file=sys.stderr)
line = f"{tot['pass']} passed, {tot['fail']} failed"
if tot['skip']:
    line += f", {tot['skip']} skipped"
print(line)
sys.exit(1 if tot['fail'] else 0)
PY
rc=$?
note "total: $(($(date +%s) - t0))s"
exit $rc
