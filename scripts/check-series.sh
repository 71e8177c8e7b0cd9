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
#      The tip also builds with amdgpu's DC, KFD and SI (configs/dc.config);
#   5. in the files the series touches: scripts/kernel-doc -none reports
#      nothing new, and sparse (C=2) and W=1 report nothing new compared
#      with the base;
#   6. Coccinelle: the project's semantic patches (scripts/coccinelle/)
#      find nothing left to convert in the drivers at the tip, and the
#      kernel's own (make coccicheck MODE=report) report nothing new in
#      the C files the series touches, compared with the base.
# Prints one KTAP document, so make check counts each step as a test.
#
# -k arm64 -l LOGDIR (make check): once the tip has built, build make
# check's arm64 test kernel and guest (scripts/workspace.sh -C; its logs,
# failures and LOGDIR/alongside, "ARCH STATUS SECONDS", in LOGDIR) while
# the checks after the tip's build run: those keep one core of two busy
# most of the time (a prefix's build is a few objects after kbuild's own
# start, kernel-doc and checkpatch are one process), so on a cold machine
# the arm64 kernel (11 minutes alone) costs make check about half of that.
# Waited for before the end. Not x86_64: its test kernel is the tip's
# build, which the checks here read.

. "$(dirname "$0")/lib.sh"

usage="usage: check-series.sh [-k arm64 -l LOGDIR]"
along=()
alog=
while getopts ":k:l:" o; do
	case $o in
	k)
		case $OPTARG in
		arm64) along+=("$OPTARG") ;;
		*) die "-k $OPTARG: only arm64's test kernel builds alongside ($usage)" ;;
		esac
		;;
	l) alog=$OPTARG ;;
	:) die "-$OPTARG needs an argument ($usage)" ;;
	*) die "unknown option -$OPTARG ($usage)" ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 0 ] || die "unexpected argument '$1' ($usage)"
[ ${#along[@]} = 0 ] || [ -n "$alog" ] || die "-k needs -l LOGDIR ($usage)"
[ -z "$alog" ] || [ ${#along[@]} != 0 ] || die "-l without -k ($usage)"

need git b4 python3 perl spatch flock
# (first, and not as 'mapfile < <(series.py list)', which would hide a
# failure: a gap in the patch numbers ends us here, before anything)
list=$("$TOP/scripts/series.py" list "$PATCHES")
series=()
[ -z "$list" ] || mapfile -t series <<<"$list"
n=${#series[@]}
"$TOP/scripts/base.sh" >/dev/null
base=$(base_rev)
ck=${CHECK_DIR:-$CACHE/check}
tree=$ck/linux
# The tree stays at the series' tip, where make check's kernels build:
# a checkout of another commit there rewrites the files the series
# changes, and make then recompiles everything that includes them (the
# kernel step after a cold check-series: 308 s, mostly that). git am, b4
# and every other commit (the prefixes, the base) go to a worktree.
wt=$ck/work
obj=$ck/obj/x86_64
log=$BUILD/check-series
# One run at a time in the workspace (make check holds it already, for
# the kernels and VMs that follow, and so does not wait here).
lock "$ck"
mkdir -p "$log"

if [ ! -d "$tree/.git" ] || ! git -C "$tree" cat-file -e "$base^{commit}" 2>/dev/null; then
	rm -rf "$tree" "$wt"
	git clone -q --shared --no-checkout "$(base_repo)" "$tree"
fi
g() { git -C "$tree" "$@"; }
w() { git -C "$wt" "$@"; }
g am --abort >/dev/null 2>&1 || true
if [ "$(w rev-parse --path-format=absolute --git-common-dir 2>/dev/null)" != \
	"$(g rev-parse --path-format=absolute --git-common-dir 2>/dev/null)" ]; then
	rm -rf "$wt"
	g worktree prune
	g worktree add -q --detach "$wt" "$base"
fi
w am --abort >/dev/null 2>&1 || true
w checkout -q -f --detach "$base"

# The kernels alongside: a job of their own (lib.sh's bg_start), so
# that the waits for coccicheck's lanes below do not wait for them too.
# LOGDIR/alongside.lock is held until the job has ended: check.sh waits
# for it too, in case this script was killed without its EXIT trap.
astarted=
alongside_job() {
	local s=$SECONDS rc=0 a
	"$TOP/scripts/workspace.sh" -C -t "$tree" -w "$ck" -l "$alog" "${along[@]}" || rc=$?
	for a in "${along[@]}"; do
		echo "$a $rc $((SECONDS - s))"
	done >"$alog/alongside.tmp"
	mv "$alog/alongside.tmp" "$alog/alongside"
}
alongside() {
	[ ${#along[@]} != 0 ] || return 0
	mkdir -p "$alog"
	rm -f "$alog/alongside"
	bg_start "$alog/alongside.lock" "$alog/alongside.log" alongside_job
	astarted=1
	note "building the ${along[*]} test kernel alongside (log: $alog/alongside.log)"
}
await_alongside() {	# (also on exit: never leave it building unwatched)
	[ -n "$astarted" ] || return 0
	local s=$SECONDS
	bg_wait "$alog/alongside.lock"
	astarted=
	note "waited $((SECONDS - s)) s for the ${along[*]} test kernel built alongside"
}
trap await_alongside EXIT

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
	if ! out=$(w am -q --no-3way --committer-date-is-author-date "$p" 2>&1); then
		result "not ok" "git am" "${p##*/} does not apply: $(echo "$out" | head -n1)"
		w am --abort >/dev/null 2>&1 || true
		ok=0
		break
	fi
	commits+=("$(w rev-parse HEAD)")
done
[ $ok = 1 ] && result ok "git am" "$n patches"
[ "$n" != 0 ] || note "the series is empty"
tip=$(w rev-parse HEAD)
# (only the files that differ from what the tree holds are written)
g checkout -q -f "$tip"
# Back at the tip before each step that reads the tree, in case: it does
# not leave it. A checkout only when something differs, since the arm64
# kernel may be building from the tree alongside: a checkout would take
# the index's lock, and fail on a build's git that holds it.
tip_tree() {
	if [ "$(g rev-parse HEAD)" != "$tip" ] || ! g --no-optional-locks diff --quiet HEAD; then
		g checkout -q -f "$tip"
	fi
}
g branch -f check "$tip"

# 2. b4 am from the mbox
if [ $ok = 1 ]; then
	rm -rf "$log/b4" && mkdir -p "$log/b4"
	"$TOP/scripts/series.py" mbox "$PATCHES" "$log/series.mbox" >/dev/null
	if [ "$n" = 0 ]; then
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
		mbx=
		for f in "$log"/b4/*.mbx; do
			case $f in *cover*) ;; *) [ -e "$f" ] && mbx=$f && break ;; esac
		done
		w checkout -q -f --detach "$base"
		if [ -z "$mbx" ] || ! w am -q --no-3way "$mbx" >/dev/null 2>&1; then
			w am --abort >/dev/null 2>&1 || true
			result "not ok" "b4 am" "b4's mbox ${mbx:-(none)} does not apply"
		elif [ "$(w rev-parse "HEAD^{tree}")" != "$(w rev-parse "$tip^{tree}")" ]; then
			result "not ok" "b4 am" "b4's series gives a different tree than git am"
		elif [ "$(w rev-list --count "$base..HEAD")" != "$n" ]; then
			result "not ok" "b4 am" "b4 applied $(w rev-list --count "$base..HEAD") of $n patches"
		else
			result ok "b4 am" "$n patches, same tree as git am"
		fi
	fi
fi

# The cover letter: "[PATCH 0/N]" for the N patches, and a body of prose
# before the generated shortlog (not some patch's message and diff).
cover=$PATCHES/0000-cover-letter.patch
if [ ! -f "$cover" ]; then
	result "not ok" "cover letter" "no $cover"
elif ! grep -q "^Subject: \[PATCH 0/$n\] " "$cover"; then
	result "not ok" "cover letter" "its Subject is not [PATCH 0/$n]"
elif ! why=$(awk '
	/^$/ && !inbody { inbody = 1; next }
	!inbody { next }
	/^Series generated by / { gen = 1; exit }
	/^diff --git / { print "it holds a diff"; bad = 1; exit }
	/^Signed-off-by: / { print "it holds a Signed-off-by"; bad = 1; exit }
	/[^ ]/ { words++ }
	END {
		if (bad) exit 1
		if (!gen) { print "no generated shortlog"; exit 1 }
		if (words < 3) { print "its body is empty"; exit 1 }
	}' "$cover"); then
	result "not ok" "cover letter" "$why"
else
	result ok "cover letter" "[PATCH 0/$n], $(sed -n 's/^Subject: \[PATCH 0\/[0-9]*\] //p' "$cover")"
fi

# 3. checkpatch --strict. Two checks cannot be met here and are left to
# the submitter's tree: UNKNOWN_COMMIT_ID, because the base is a release
# tree without git history, so no Fixes: commit can be looked up (the
# commit ids were checked against upstream's history when they were
# written); FILE_PATH_CHANGES, which asks whether MAINTAINERS needs a
# line for each new file: the new KUnit files are under directories
# MAINTAINERS covers, and drivers/xen/swiotlb-xen-kunit.c gets its line.
bad=()
for p in "${series[@]}"; do
	if ! "$tree/scripts/checkpatch.pl" --strict --quiet --no-summary --no-tree \
		--ignore UNKNOWN_COMMIT_ID,FILE_PATH_CHANGES \
		"$p" >"$log/checkpatch-${p##*/}.txt" 2>&1; then
		bad+=("${p##*/}")
	fi
done
if [ "$n" = 0 ]; then
	result skip "checkpatch --strict" "empty series: nothing to check"
elif [ ${#bad[@]} = 0 ]; then
	result ok "checkpatch --strict" "$n patches clean"
else
	result "not ok" "checkpatch --strict" "${bad[*]}; see $log/checkpatch-*.txt"
fi

# 4. every prefix builds. The tip builds whole (vmlinux and the modules:
# the x86_64 test kernel, which make check boots). An earlier prefix
# compiles, in its own objdir, the objects it can break: the files it
# changes and every object that uses a declaration it changes (see
# scripts/prefix_objs.py; decided from kbuild's dependency files of the
# tip's build). A change to a TTM header would otherwise recompile four
# drivers, one to <linux/dma-mapping.h> most of the kernel, at each of a
# dozen prefixes: on a machine with nothing cached that alone is over an
# hour. TTM_DMA_FULL=1 (make check-series FULL=1) builds every prefix
# whole, linking included. A prefix that built whole counts for both.
# The stamps depend on the fragments the x86_64 builds use, not on the
# others of configs/ (arm64's, the bench's).
cfgid=$( (for f in $(test_fragments x86_64); do cat "$TOP/configs/$f.config"; done
	gcc --version | sed -n 1p) | sha1sum | cut -c1-16)
full=${TTM_DMA_FULL:-0}
case $full in 0 | 1) ;; *) die "TTM_DMA_FULL (make check-series FULL=) is '$full': 0 or 1" ;; esac
pobj=$ck/obj/x86_64-prefix
mkdir -p "$ck/built"
subject() { g log -1 --format=%s "$1"; }
# The object files make TARGETs build in OBJDIR (a directory target is
# not one: kbuild fails the build when it cannot make what one holds).
# Removed before a build, looked for after it: an object left from an
# earlier build must not pass for one kbuild quietly did not make.
objfiles() {	# OBJDIR TARGET...
	local d=$1 t
	shift
	for t in "$@"; do
		case $t in */) ;; *) echo "$d/$(realpath -ms "/$t" | cut -c2-)" ;; esac
	done
}
missing() {	# FILE...: those that do not exist
	local f
	for f in "$@"; do
		[ -f "$f" ] || echo "${f##*/obj/}"
	done
}
built() {	# COMMIT: built before, whole (or, unless FULL, its objects)
	[ "${TTM_DMA_REBUILD:-0}" != 1 ] || return 1
	[ -f "$ck/built/$1-x86_64-$cfgid" ] ||
		{ [ "$full" = 0 ] && [ -f "$ck/built/$1-x86_64-$cfgid-objs" ]; }
}
if [ $ok = 1 ] && [ "$n" != 0 ]; then
	tipres=()
	if built "$tip"; then
		tipres=(ok "build $n/$n: $(subject "$tip")" "built before (same commit and configuration)")
	else
		tip_tree
		t0=$SECONDS
		if "$TOP/scripts/kernel.sh" -t "$tree" -o "$obj" x86_64 >"$log/build-$n.log" 2>&1; then
			touch "$ck/built/$tip-x86_64-$cfgid"
			tipres=(ok "build $n/$n: $(subject "$tip")" "whole, $((SECONDS - t0)) s")
		else
			tipres=("not ok" "build $n/$n: $(subject "$tip")" \
				"$(grep -m1 -E 'error|Error' "$log/build-$n.log")")
		fi
	fi
	# (the tree is at the tip, and stays there: see above)
	[ "${tipres[0]}" != ok ] || alongside
	todo=()
	for c in "${commits[@]:0:n-1}"; do
		built "$c" || todo+=("$c")
	done
	declare -A ptargets=()
	if [ ${#todo[@]} != 0 ] && [ "$full" = 0 ]; then
		if [ "${tipres[0]}" != ok ]; then
			full=1
			note "the tip does not build: every prefix builds whole"
		else
			tip_tree
			"$TOP/scripts/prefix_objs.py" targets -v --tree "$tree" --obj "$obj" \
				"${todo[@]}" >"$log/prefix-objs.txt" 2>"$log/prefix-objs.log" ||
				die "scripts/prefix_objs.py failed: $(tail -n1 "$log/prefix-objs.log")"
			while read -r c t; do
				ptargets[$c]=$t
			done <"$log/prefix-objs.txt"
		fi
	fi
	i=0
	for c in "${commits[@]:0:n-1}"; do
		i=$((i + 1))
		name="build $i/$n: $(subject "$c")"
		if built "$c"; then
			result ok "$name" "built before (same commit and configuration)"
			continue
		fi
		w checkout -q -f "$c"
		t0=$SECONDS
		targets=()
		whole=$full
		if [ "$full" = 0 ]; then
			case ${ptargets[$c]:--} in
			-)
				touch "$ck/built/$c-x86_64-$cfgid-objs"
				result ok "$name" "no object to compile: nothing built uses what it changes"
				continue
				;;
			'*') whole=1 ;;	# a file it deletes, or gone at the tip
			*) read -r -a targets <<<"${ptargets[$c]}" ;;
			esac
		fi
		mapfile -t ofiles < <(objfiles "$pobj" "${targets[@]}")
		rm -f "${ofiles[@]}"
		if ! "$TOP/scripts/kernel.sh" -t "$wt" -o "$pobj" x86_64 "${targets[@]}" \
			>"$log/build-$i.log" 2>&1; then
			result "not ok" "$name" "$(grep -m1 -E 'error|Error' "$log/build-$i.log")"
			continue
		fi
		if [ "$whole" = 1 ]; then
			touch "$ck/built/$c-x86_64-$cfgid"
			result ok "$name" "whole, $((SECONDS - t0)) s"
			continue
		fi
		if [ -n "$(missing "${ofiles[@]}")" ]; then
			result "not ok" "$name" "not built: $(missing "${ofiles[@]}" | paste -sd' ' -); see $log/build-$i.log"
		else
			touch "$ck/built/$c-x86_64-$cfgid-objs"
			result ok "$name" "${#targets[@]} objects (the changed files and their users; see $log/prefix-objs.log), $((SECONDS - t0)) s"
		fi
	done
	result "${tipres[@]}"
fi
[ "$n" != 0 ] || [ $ok = 0 ] || result skip "build" "empty series: nothing to build"

# 4b. the tip also builds amdgpu as distributions do (configs/dc.config:
# its display code DC, KFD, SI), which the test configuration leaves out
# to keep every prefix build short: the driver patches touch amdgpu. Its
# own objdir. What it compiles: the objects of the tip's build whose
# code that only one of the two configurations compiles (#if branches
# on an option in which they differ, what an #include there brings)
# meets the series: a changed C file, a changed line in such code, a
# name the series changes used there, a name declared there used by a
# line the series adds; and each C file the series changes that the
# tip's build does not compile (amdgpu_amdkfd_gpuvm.c, gmc_v6_0.c: no
# other build would). A name the series' headers change counts with the
# macros built on it. All of amdgpu (with DC, 7 minutes on a cold
# machine) when a file under drivers/gpu/drm/amd/ that only the DC
# configuration builds uses one, or the series changes a KFD or DC C
# file (amdgpu's Makefile builds those), or FULL=1; the whole kernel
# when such a file is elsewhere in drivers/ and its Makefiles name an
# option in which the two configurations differ (CEC's, say), or a
# header drops an #include (scripts/prefix_objs.py variant).
cfgvals() {	# CONFIG: SYMBOL=VALUE lines, "n" for not set
	sed -n 's/^CONFIG_\([A-Za-z0-9_]*=.*\)/\1/p; s/^# CONFIG_\([A-Za-z0-9_]*\) is not set/\1=n/p' "$1" | sort
}
if [ $ok = 1 ] && [ "$n" != 0 ]; then
	dcfrags=()
	for f in $(test_fragments x86_64) dc; do
		dcfrags+=(-f "$f")
	done
	dcid=$( (for f in $(test_fragments x86_64) dc; do cat "$TOP/configs/$f.config"; done
		gcc --version | sed -n 1p) | sha1sum | cut -c1-16)
	stamp=$ck/built/$tip-x86_64-dc-$dcid
	amddir=drivers/gpu/drm/amd/amdgpu/
	dcobj=$ck/obj/x86_64-dc
	if [ "${TTM_DMA_REBUILD:-0}" != 1 ] &&
		{ [ -f "$stamp" ] || { [ "$full" = 0 ] && [ -f "$stamp-objs" ]; }; }; then
		result ok "build tip with amdgpu DC, KFD, SI" "built before (same commit and configuration)"
	else
		tip_tree
		t0=$SECONDS
		whole=$full
		targets=()
		if [ "$full" = 0 ]; then
			# (the configuration alone first: where does it differ?)
			if "$TOP/scripts/kernel.sh" -t "$tree" -o "$dcobj" "${dcfrags[@]}" x86_64 \
				olddefconfig >"$log/build-dc.log" 2>&1 && [ -f "$obj/.config" ] &&
				syms=$(comm -3 <(cfgvals "$obj/.config") <(cfgvals "$dcobj/.config") |
					sed 's/^[[:space:]]*//; s/=.*//' | sort -u | paste -sd, -) &&
				[ -n "$syms" ] &&
				out=$("$TOP/scripts/prefix_objs.py" variant -v --tree "$tree" --obj "$obj" \
					--symbols "$syms" --under drivers --whole "$amddir" \
					"$base" "$tip" 2>>"$log/prefix-objs.log"); then
				case $out in
				'*') whole=2 ;;
				-) ;;
				*) read -r -a targets <<<"$out" ;;
				esac
			else
				whole=1
				note "the DC configuration could not be compared with the tip's: all of amdgpu with DC"
			fi
		fi
		# (whole=1: all of amdgpu with DC; 2: the whole kernel, when a
		# file only DC's configuration may build outside amdgpu's
		# directories uses what the series changes)
		[ "$whole" != 1 ] || targets=("$amddir")
		[ "$whole" != 2 ] || targets=()
		mapfile -t ofiles < <(objfiles "$dcobj" "${targets[@]}")
		rm -f "${ofiles[@]}"
		if [ "$whole" = 0 ] && [ ${#targets[@]} = 0 ]; then
			touch "$stamp-objs"
			result ok "build tip with amdgpu DC, KFD, SI" "nothing the series changes compiles differently with DC"
		elif "$TOP/scripts/kernel.sh" -t "$tree" -o "$dcobj" "${dcfrags[@]}" x86_64 \
			"${targets[@]}" >>"$log/build-dc.log" 2>&1; then
			# (amdgpu's Makefile builds DC into the module; a whole
			# build that compiled none of DC proves nothing, and so
			# does an object kbuild did not build)
			dcobjs=$(find "$dcobj/drivers/gpu/drm/amd/display" -name '*.o' 2>/dev/null | wc -l)
			if { [ "$whole" != 0 ] || [[ " ${targets[*]} " = *" $amddir "* ]]; } &&
				[ "$dcobjs" = 0 ]; then
				result "not ok" "build tip with amdgpu DC, KFD, SI" "no DC object built; see $log/build-dc.log"
			elif [ -n "$(missing "${ofiles[@]}")" ]; then
				result "not ok" "build tip with amdgpu DC, KFD, SI" "not built: $(missing "${ofiles[@]}" | paste -sd' ' -); see $log/build-dc.log"
			elif [ "$whole" != 0 ]; then
				touch "$stamp"
				result ok "build tip with amdgpu DC, KFD, SI" "$dcobjs DC objects, $((SECONDS - t0)) s"
			else
				touch "$stamp-objs"
				result ok "build tip with amdgpu DC, KFD, SI" "${#targets[@]} objects whose code for $syms meets what the series changes (see $log/prefix-objs.log); no file only DC builds uses what the series changes; $((SECONDS - t0)) s"
			fi
		else
			result "not ok" "build tip with amdgpu DC, KFD, SI" \
				"$(grep -m1 -E 'error|Error' "$log/build-dc.log")"
		fi
	fi
fi

# 5. kernel-doc, sparse and W=1 in the touched files, base against tip
if [ $ok = 1 ] && [ "$n" != 0 ]; then
	mapfile -t files < <(g diff --name-only --diff-filter=AM "$base" "$tip" -- '*.c' '*.h')
	mapfile -t cfiles < <(printf '%s\n' "${files[@]}" | grep '\.c$' || true)
	warnings() {	# REV OUT: kernel-doc, sparse and W=1 warnings in $files at REV
		w checkout -q -f "$1"
		: >"$2"
		local f o objs=()
		for f in "${files[@]}"; do
			[ -f "$wt/$f" ] || continue
			"$wt/scripts/kernel-doc" -none -Wall "$wt/$f" 2>&1 |
				sed "s|$wt/||" >>"$2" || true
		done
		for f in "${cfiles[@]}"; do
			[ -f "$wt/$f" ] || continue
			o=${f%.c}.o
			# only objects the test configuration builds
			[ -f "$obj/$o" ] && objs+=("$o")
		done
		# (in the worktree and the prefixes' objdir: a build at the
		# base in the tip's objdir would rewrite its .config, and make
		# check's kernel step then rebuild every object a file of the
		# series' reaches)
		if [ ${#objs[@]} -gt 0 ]; then
			# (never configured when every prefix was built before:
			# the tip's configuration, which kbuild syncs)
			[ -f "$pobj/.config" ] || { mkdir -p "$pobj" && cp "$obj/.config" "$pobj/"; }
			make -s -C "$wt" O="$pobj" C=2 CHECK="$TOP/scripts/sparse.sh" \
				W=1 CC="ccache gcc" -j"$(nproc)" \
				"${objs[@]}" 2>&1 | grep -E '(warning|error):' |
				sed "s|$wt/||; s|^\.\./\.\./work/||" >>"$2" || true
		fi
		# (a path left as make printed it would match no touched file,
		# and every warning in it would look old: say so instead)
		if grep -qE '^(/|\.\./).*(warning|error):' "$2"; then
			sparse_ok=0
			note "$1: a warning's path in $2 is not relative to the tree"
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
	if [ "$kd" = 0 ]; then
		result ok "kernel-doc" "${#files[@]} touched files$cached"
	else
		result "not ok" "kernel-doc" "$kd new; see $log/warnings-tip.txt"
	fi
	if [ $sparse_ok = 0 ]; then
		result "not ok" "sparse C=2 and W=1" "sparse reports nothing on a known-bad file, or a warning's path is not the tree's; see $canary/log and $log/warnings-*.txt"
	elif [ "$cw" = 0 ]; then
		result ok "sparse C=2 and W=1" "${#cfiles[@]} touched C files$cached"
	else
		result "not ok" "sparse C=2 and W=1" "$cw new; see $log/warnings-tip.txt"
	fi
	echo "$new" | grep . | sed 's/^/check-series: new: /' >&2 || true
fi
# 6. Coccinelle. Results are remembered like the warnings of step 5, by
# commit hashes and the spatch version (and, for 6a, the script's text).
sver=$(spatch --version | sed -n '1s/^spatch version \([^ ]*\).*/\1/p')
# 6a. The driver series' conversions: each of the project's semantic
# patches with a report mode (scripts/coccinelle/*.cocci; not
# ownership-sites.cocci, which lists sites for make mutants) on the tip,
# in drivers/gpu/drm/ except TTM's core, drivers/gpu/drm/ttm/, which
# defines what the drivers must stop using. Any match fails. With
# --use-gitgrep spatch parses only the files git grep finds the script's
# words in: about 1 s a script, where all of drivers/gpu/drm/ takes
# minutes.
if [ $ok = 1 ] && [ "$n" != 0 ]; then
	mapfile -t checks < <(grep -l 'virtual[[:space:]]\+report' "$TOP"/scripts/coccinelle/*.cocci || true)
	[ ${#checks[@]} != 0 ] || result skip "coccinelle" "no semantic patch with a report mode in scripts/coccinelle/"
	tip_tree
	for c in "${checks[@]}"; do
		name=${c##*/}
		out=$log/cocci-${name%.cocci}.txt
		astamp=$ck/built/cocci-${name%.cocci}-$tip-$(sha1sum <"$c" | cut -c1-16)-$sver
		t0=$SECONDS
		if [ -f "$astamp" ] && [ "${TTM_DMA_REBUILD:-0}" != 1 ]; then
			cp "$astamp" "$out"
			took="checked before (same commit, script and spatch)"
		else
			opt=$(sed -n 's|^// Options:||p' "$c")
			# shellcheck disable=SC2086 # $opt: the script's options, one word each
			if ! (cd "$tree" && spatch -D report --no-show-diff --very-quiet $opt \
				--cocci-file "$c" --use-gitgrep --dir drivers/gpu/drm) \
				>"$out.raw" 2>"$out.err"; then
				result "not ok" "coccinelle: $name" "spatch failed: $(tail -n1 "$out.err"); see $out.err"
				continue
			fi
			grep -E '^drivers/gpu/drm/[^ ]+:[0-9]+:' "$out.raw" |
				grep -v '^drivers/gpu/drm/ttm/' | sort -u >"$out" || true
			cp "$out" "$astamp"
			took="$((SECONDS - t0)) s"
		fi
		m=$(grep -c . "$out" || true)
		if [ "$m" = 0 ]; then
			result ok "coccinelle: $name" "nothing in drivers/gpu/drm/ outside ttm/, $took"
		else
			result "not ok" "coccinelle: $name" "$m left, first $(head -n1 "$out" | cut -d: -f1,2), $took; see $out"
			sed 's/^/check-series: match: /' "$out" >&2
		fi
	done
fi
# 6b. make coccicheck MODE=report, the kernel's semantic patches, in the C
# files the series touches: nothing new at the tip compared with the base
# (a report moves with its line, so line numbers do not count). coccicheck
# takes a directory (M=), and drivers/gpu/drm/ alone costs many minutes;
# so each of its scripts with a report mode runs here as scripts/coccicheck
# runs it (the script's Options: and Requires:, make coccicheck's x86
# include options), on the touched files only, one script a core. Python
# and OCaml scripting are both used (make deps: libpython3.11, ocaml-nox).
if [ $ok = 1 ] && [ "$n" != 0 ]; then
	kinc=(-I arch/x86/include -I arch/x86/include/generated -I include
		-I arch/x86/include/uapi -I arch/x86/include/generated/uapi
		-I include/uapi -I include/generated/uapi
		--include include/linux/compiler-version.h
		--include include/linux/kconfig.h)
	cocci1() {	# COCCI OUT FILE...: one kernel semantic patch in report mode
		local c=$1 out=$2 opt
		shift 2
		opt=$(grep "Options:" "$c" | cut -d: -f2 || true)
		# shellcheck disable=SC2086 # $opt: the script's options, one word each
		if (cd "$wt" && spatch -D report --no-show-diff --very-quiet \
			--cocci-file "$c" $opt "${kinc[@]}" "$@") >"$out" 2>"$out.err"; then
			echo 0 >"$out.rc"
		else
			echo $? >"$out.rc"
		fi
	}
	coccicheck() {	# REV OUT COCCIS FILES: reports of the kernel's semantic patches in COCCIS (a list, one a line) on the touched FILES (a list) at REV
		w checkout -q -f "$1"
		local c f i=0 req fs=()
		rm -rf "$2.d" && mkdir -p "$2.d"
		: >"$2"
		while IFS= read -r f; do
			[ -f "$wt/$f" ] || continue
			fs+=("$f")
		done <"$4"
		if [ ${#fs[@]} != 0 ]; then
			while IFS= read -r c; do
				grep -q 'virtual[[:space:]]\+report' "$wt/$c" || continue
				req=$(grep "Requires:" "$wt/$c" | cut -d: -f2 | sed 's| ||' || true)
				if [ -n "$req" ] && ! printf '%s\n' "$req" "$sver" | sort -CV; then
					continue
				fi
				i=$((i + 1))
				while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do
					wait -n || true
				done
				echo "$c" >"$2.d/$i.cocci"
				cocci1 "$wt/$c" "$2.d/$i" "${fs[@]}" &
			done <"$3"
			wait
			for f in "$2.d"/*.rc; do
				[ -e "$f" ] || continue
				[ "$(cat "$f")" = 0 ] || cat "${f%.rc}.cocci" >>"$2.d/failed"
				# which script said what: the base runs only those that spoke
				sed "s|^|$(cat "${f%.rc}.cocci")\t|" "${f%.rc}" >>"$2"
			done
		fi
		# A report belongs to a touched file; line numbers move.
		cut -f2- "$2" | grep -F -f <(printf '%s:\n' "${fs[@]}" /dev/null) |
			sed -E 's/(\.[ch]):[0-9]+(:[0-9]+(-[0-9]+)?)?/\1/g; s/\<line [0-9]+/line N/g' |
			sort -u >"$2.norm" || true
	}
	cstamp=$ck/built/coccicheck-$base-$tip-$sver
	cfail=
	if [ ${#cfiles[@]} = 0 ]; then
		result skip "coccicheck" "the series touches no C file"
	else
		if [ -f "$cstamp" ] && [ "${TTM_DMA_REBUILD:-0}" != 1 ]; then
			cnew=$(cat "$cstamp")
			took="checked before (same commits and spatch)"
		else
			# The tip first, with every script; the base then only
			# with the scripts that reported in a touched file at the
			# tip, on those files (nothing, when the tip is clean).
			t0=$SECONDS
			ct=$log/coccicheck-tip.txt cb=$log/coccicheck-base.txt
			tip_tree
			(cd "$tree" && find scripts/coccinelle -name '*.cocci' -type f | sort) >"$ct.scripts"
			printf '%s\n' "${cfiles[@]}" >"$ct.files"
			coccicheck "$tip" "$ct" "$ct.scripts" "$ct.files"
			grep -F -f <(sed 's|$|:|' "$ct.files") "$ct" >"$ct.touched" || true
			cut -f1 "$ct.touched" | sort -u >"$cb.scripts"
			cut -f2 "$ct.touched" | cut -d: -f1 | sort -u >"$cb.files"
			coccicheck "$base" "$cb" "$cb.scripts" "$cb.files"
			cfail=$(cat "$ct.d/failed" "$cb.d/failed" 2>/dev/null | sort -u | tr '\n' ' ' || true)
			cnew=$(comm -13 "$cb.norm" "$ct.norm")
			[ -n "$cfail" ] || printf '%s\n' "$cnew" >"$cstamp"
			took="$(find "$ct.d" -name '*.cocci' | wc -l) semantic patches ($(find "$cb.d" -name '*.cocci' | wc -l) at the base), $((SECONDS - t0)) s"
		fi
		cn=$(echo "$cnew" | grep -c . || true)
		if [ -n "$cfail" ]; then
			result "not ok" "coccicheck" "spatch failed on ${cfail% }; see $log/coccicheck-*.txt.d/"
		elif [ "$cn" = 0 ]; then
			result ok "coccicheck" "${#cfiles[@]} touched C files, $took"
		else
			result "not ok" "coccicheck" "$cn new; see $log/coccicheck-tip.txt"
		fi
		echo "$cnew" | grep . | sed 's/^/check-series: new: /' >&2 || true
	fi
fi
# Leave the tree at the tip: make check tests the kernel built from it.
[ $ok = 0 ] || tip_tree
await_alongside

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
[ $fails = 0 ] || exit 1
