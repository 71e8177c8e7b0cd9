#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-series: the series in patches/ as a maintainer would receive
# it. Works in its own tree in the cache (never in build/linux):
#   1. git am applies every patch to the base;
#   2. b4 am applies the series from an mbox, giving the same tree;
#   3. scripts/checkpatch.pl --strict is clean on every patch;
#   4. every prefix of the series builds (x86_64 test config, drivers
#      included; incremental, so each step rebuilds what the patch touched).
#      Commit hashes are the same on every machine, so a commit that built
#      with the same configuration and compiler is remembered in the cache
#      and not built again (TTM_DMA_REBUILD=1 builds everything);
#   5. in the files the series touches: scripts/kernel-doc -none reports
#      nothing new, and sparse (C=2) and W=1 report nothing new compared
#      with the base.
# Prints one KTAP document, so make check counts each step as a test.

. "$(dirname "$0")/lib.sh"

need git b4 python3 perl
"$TOP/scripts/base.sh" >/dev/null
base=$(base_rev)
mapfile -t series < <("$TOP/scripts/series.py" list "$PATCHES")
n=${#series[@]}
ck=${CHECK_DIR:-$CACHE/check}
tree=$ck/linux
obj=$ck/obj/x86_64
log=$BUILD/check-series
mkdir -p "$ck" "$log"

if [ ! -d "$tree/.git" ] || ! git -C "$tree" cat-file -e "$base^{commit}" 2>/dev/null; then
	rm -rf "$tree"
	git clone -q --shared --no-checkout "$(base_repo)" "$tree"
fi
g() { git -C "$tree" "$@"; }
g am --abort >/dev/null 2>&1 || true
g checkout -q -f -B check "$base"

results=()
fails=0
result() {	# ok|"not ok"|skip NAME [DIAGNOSTIC]
	results+=("$1|$2|${3:-}")
	[ "$1" != "not ok" ] || fails=$((fails + 1))
	echo "check-series: ${1/not ok/FAIL}: $2${3:+ ($3)}" >&2
}

# 1. git am
commits=()
ok=1
for p in "${series[@]}"; do
	if ! out=$(g am -q --no-3way --committer-date-is-author-date "$p" 2>&1); then
		result "not ok" "git am" "${p##*/} does not apply: $(echo "$out" | head -n1)"
		g am --abort >/dev/null 2>&1 || true
		ok=0
		break
	fi
	commits+=("$(g rev-parse HEAD)")
done
[ $ok = 1 ] && result ok "git am" "$n patches"
[ $n != 0 ] || note "the series is empty"
tip=$(g rev-parse HEAD)

# 2. b4 am from the mbox
if [ $ok = 1 ]; then
	rm -rf "$log/b4" && mkdir -p "$log/b4"
	"$TOP/scripts/series.py" mbox "$PATCHES" "$log/series.mbox" >/dev/null
	if [ $n = 0 ]; then
		result skip "b4 am" "empty series: nothing to apply"
	# b4 gives up without a word when git has no user.name/user.email
	# (a CI runner's fresh HOME); it only needs one to exist, so lend it
	# the project identity, which lib.sh already gives git.
	elif ! out=$(cd "$log/b4" && GIT_CONFIG_COUNT=2 \
			GIT_CONFIG_KEY_0=user.name GIT_CONFIG_VALUE_0="$IDENT_NAME" \
			GIT_CONFIG_KEY_1=user.email GIT_CONFIG_VALUE_1="$IDENT_EMAIL" \
			b4 --offline-mode -q am -m "$log/series.mbox" -o "$log/b4" 2>&1); then
		result "not ok" "b4 am" "$(echo "$out" | tail -n1)"
	else
		mbx=$(ls "$log"/b4/*.mbx 2>/dev/null | grep -v cover | head -n1)
		g checkout -q -f -B check-b4 "$base"
		if [ -z "$mbx" ] || ! g am -q --no-3way "$mbx" >/dev/null 2>&1; then
			g am --abort >/dev/null 2>&1 || true
			result "not ok" "b4 am" "b4's mbox ${mbx:-(none)} does not apply"
		elif [ "$(g rev-parse HEAD^{tree})" != "$(g rev-parse "$tip^{tree}")" ]; then
			result "not ok" "b4 am" "b4's series gives a different tree than git am"
		elif [ "$(g rev-list --count "$base..HEAD")" != "$n" ]; then
			result "not ok" "b4 am" "b4 applied $(g rev-list --count "$base..HEAD") of $n patches"
		else
			result ok "b4 am" "$n patches, same tree as git am"
		fi
		g checkout -q -f check
	fi
fi

# 3. checkpatch --strict
bad=()
for p in "${series[@]}"; do
	if ! "$tree/scripts/checkpatch.pl" --strict --quiet --no-summary --no-tree \
		"$p" >"$log/checkpatch-${p##*/}.txt" 2>&1; then
		bad+=("${p##*/}")
	fi
done
if [ $n = 0 ]; then
	result skip "checkpatch --strict" "empty series: nothing to check"
elif [ ${#bad[@]} = 0 ]; then
	result ok "checkpatch --strict" "$n patches clean"
else
	result "not ok" "checkpatch --strict" "${bad[*]}; see $log/checkpatch-*.txt"
fi

# 4. every prefix builds
cfgid=$( (cat "$TOP"/configs/*.config; gcc --version | head -n1) | sha1sum | cut -c1-16)
mkdir -p "$ck/built"
if [ $ok = 1 ]; then
	i=0
	for c in "${commits[@]}"; do
		i=$((i + 1))
		stamp=$ck/built/$c-x86_64-$cfgid
		if [ -f "$stamp" ] && [ "${TTM_DMA_REBUILD:-0}" != 1 ]; then
			result ok "build $i/$n: $(g log -1 --format=%s "$c")" "built before (same commit and configuration)"
			continue
		fi
		g checkout -q -f "$c"
		if "$TOP/scripts/kernel.sh" -t "$tree" -o "$obj" x86_64 \
			>"$log/build-$i.log" 2>&1; then
			touch "$stamp"
			result ok "build $i/$n: $(g log -1 --format=%s "$c")"
		else
			result "not ok" "build $i/$n: $(g log -1 --format=%s "$c")" \
				"$(grep -m1 -E 'error|Error' "$log/build-$i.log")"
		fi
	done
	[ $n != 0 ] || result skip "build" "empty series: nothing to build"
fi

# 5. kernel-doc, sparse and W=1 in the touched files, base against tip
if [ $ok = 1 ] && [ $n != 0 ]; then
	mapfile -t files < <(g diff --name-only --diff-filter=AM "$base" "$tip" -- '*.c' '*.h')
	mapfile -t cfiles < <(printf '%s\n' "${files[@]}" | grep '\.c$' || true)
	warnings() {	# REV OUT: kernel-doc, sparse and W=1 warnings in $files at REV
		g checkout -q -f "$1"
		: >"$2"
		local f o objs=()
		for f in "${files[@]}"; do
			[ -f "$tree/$f" ] || continue
			"$tree/scripts/kernel-doc" -none -Wall "$tree/$f" 2>&1 |
				sed "s|$tree/||" >>"$2" || true
		done
		for f in "${cfiles[@]}"; do
			[ -f "$tree/$f" ] || continue
			o=${f%.c}.o
			# only objects the test configuration builds
			[ -f "$obj/$o" ] && objs+=("$o")
		done
		if [ ${#objs[@]} -gt 0 ]; then
			make -s -C "$tree" O="$obj" C=2 CHECK="$TOP/scripts/sparse.sh" \
				W=1 CC="ccache gcc" -j"$(nproc)" \
				"${objs[@]}" 2>&1 | grep -E '(warning|error):' |
				sed "s|$tree/||; s|^\.\./\.\./linux/||" >>"$2" || true
		fi
		# A warning belongs to a touched file; line numbers move.
		grep -F -f <(printf '%s:\n' "${files[@]}") "$2" |
			sed -E 's/(\.[ch]):[0-9]+(:[0-9]+)?/\1/' | sort -u >"$2.norm" || true
	}
	wstamp=$ck/built/warnings-$base-$tip-$cfgid
	cached=
	if [ -f "$wstamp" ] && [ "${TTM_DMA_REBUILD:-0}" != 1 ]; then
		new=$(cat "$wstamp")
		sparse_ok=1
		cached=", checked before (same commits and configuration)"
	else
	# sparse must be able to speak at all: a known-bad module source,
	# built the way the touched files are, has to draw its warning.
	canary=$log/sparse-canary
	rm -rf "$canary" && mkdir -p "$canary/src"
	cat >"$canary/src/canary.c" <<'CANARY'
#include <linux/io.h>
#include <linux/module.h>
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("sparse canary");
int sparse_canary(void __iomem *p);
int sparse_canary(void __iomem *p)
{
	return *(int *)p;
}
EXPORT_SYMBOL(sparse_canary);
CANARY
	echo 'obj-m += canary.o' >"$canary/src/Kbuild"
	sparse_ok=1
	make -s -C "$obj" M="$canary/src" MO="$canary/out" C=2 \
		CHECK="$TOP/scripts/sparse.sh" CC="ccache gcc" modules \
		>"$canary/log" 2>&1 || true
	grep -q "canary.c:.*removes address space" "$canary/log" || sparse_ok=0

	warnings "$base" "$log/warnings-base.txt"
	warnings "$tip" "$log/warnings-tip.txt"
	new=$(comm -13 "$log/warnings-base.txt.norm" "$log/warnings-tip.txt.norm")
	[ $sparse_ok = 0 ] || printf '%s\n' "$new" >"$wstamp"
	fi
	kd=$(echo "$new" | grep -v -E '(warning|error): ' | grep -c . || true)
	cw=$(echo "$new" | grep -E '(warning|error): ' | grep -c . || true)
	[ "$kd" = 0 ] && result ok "kernel-doc" "${#files[@]} touched files$cached" ||
		result "not ok" "kernel-doc" "$kd new; see $log/warnings-tip.txt"
	if [ $sparse_ok = 0 ]; then
		result "not ok" "sparse C=2 and W=1" "sparse reports nothing on a known-bad file; see $canary/log"
	elif [ "$cw" = 0 ]; then
		result ok "sparse C=2 and W=1" "${#cfiles[@]} touched C files$cached"
	else
		result "not ok" "sparse C=2 and W=1" "$cw new; see $log/warnings-tip.txt"
	fi
	echo "$new" | grep . | sed 's/^/check-series: new: /' >&2 || true
fi
# Leave the tree at the tip: make check tests the kernel built from it.
[ $ok = 0 ] || g checkout -q -f "$tip"

echo "KTAP version 1"
echo "1..1"
echo "    KTAP version 1"
echo "    # Subtest: check-series"
echo "    1..${#results[@]}"
i=0
for r in "${results[@]}"; do
	i=$((i + 1))
	IFS='|' read -r st name diag <<<"$r"
	if [ "$st" = skip ]; then
		echo "    ok $i $name # SKIP $diag"
	else
		echo "    $st $i $name${diag:+ # $diag}"
	fi
done
[ $fails = 0 ] && echo "ok 1 check-series" || echo "not ok 1 check-series"
echo "ttm-dma: done"
[ $fails = 0 ]
