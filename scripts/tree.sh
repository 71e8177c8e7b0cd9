#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make tree: build/linux = base + 'git am' of patches/, one commit per
# patch, committer date = author date, so the hashes are the same on
# every machine. Refuses to replace a work tree holding work that was not
# exported (FORCE=1 overrides). With KSRC=/path the base is KSRC's HEAD.

. "$(dirname "$0")/lib.sh"

need git python3 flock
# (before anything else: a gap in the patch numbers or a missing
# directory ends us here, with nothing changed; a bare 'mapfile <
# <(series.py list)' would hide that failure and apply no patch at all)
list=$("$TOP/scripts/series.py" list "$PATCHES")
series=()
[ -z "$list" ] || mapfile -t series <<<"$list"
"$TOP/scripts/base.sh" >/dev/null
base=$(base_rev)

mkdir -p "$BUILD"
lock "$BUILD"
if [ -e "$TREE" ] && [ "${FORCE:-0}" != 1 ]; then
	git -C "$TREE" rev-parse --git-dir >/dev/null 2>&1 ||
		die "$TREE exists but is not a git tree; move it away or use FORCE=1"
	"$TOP/scripts/series.py" unexported "$TREE" "$PATCHES" ||
		die "$TREE holds work not exported to patches/ (run 'make export', or FORCE=1 to discard it)"
fi

tmp=$(mktemp -d "$BUILD/.linux.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
git clone -q --shared --no-checkout "$(base_repo)" "$tmp/linux"
g() { git -C "$tmp/linux" "$@"; }
g checkout -q -B series "$base"
g update-ref refs/ttm-dma/base "$base"
i=0
for p in "${series[@]}"; do
	i=$((i + 1))
	if ! out=$(g am -q --no-3way --committer-date-is-author-date "$p" 2>&1); then
		die "patch $i/${#series[@]} does not apply: ${p##*/}: $(echo "$out" | grep -m1 -E 'error|failed|patch does not apply' || echo "$out" | head -n1)"
	fi
done
"$TOP/scripts/series.py" cover-to-tree "$PATCHES" "$tmp/linux"
"$TOP/scripts/series.py" mark-exported "$tmp/linux" "$PATCHES"
rm -rf "$TREE"
mv "$tmp/linux" "$TREE"
echo "tree: $TREE at $(git -C "$TREE" log -1 --format='%h %s') (${#series[@]} patches on $(git -C "$TREE" rev-parse --short=12 "$base"))"
