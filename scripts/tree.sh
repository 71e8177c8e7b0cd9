#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make tree: build/linux = base + 'git am' of patches/, one commit per
# patch, committer date = author date, so the hashes are the same on
# every machine. Refuses to replace a work tree holding work that was not
# exported (FORCE=1 overrides). With KSRC=/path the base is KSRC's HEAD.

. "$(dirname "$0")/lib.sh"

need git python3
"$TOP/scripts/base.sh" >/dev/null
base=$(base_rev)

if [ -e "$TREE" ] && [ "${FORCE:-0}" != 1 ]; then
	git -C "$TREE" rev-parse --git-dir >/dev/null 2>&1 ||
		die "$TREE exists but is not a git tree; move it away or use FORCE=1"
	"$TOP/scripts/series.py" unexported "$TREE" "$PATCHES" ||
		die "$TREE holds work not exported to patches/ (run 'make export', or FORCE=1 to discard it)"
fi

mapfile -t series < <("$TOP/scripts/series.py" list "$PATCHES")
tmp=$BUILD/linux.tmp
rm -rf "$tmp"
mkdir -p "$BUILD"
trap 'rm -rf "$tmp"' EXIT
git clone -q --shared --no-checkout "$(base_repo)" "$tmp"
git -C "$tmp" checkout -q -B series "$base"
git -C "$tmp" update-ref refs/ttm-dma/base "$base"
i=0
for p in "${series[@]}"; do
	i=$((i + 1))
	if ! out=$(git -C "$tmp" am -q --no-3way --committer-date-is-author-date "$p" 2>&1); then
		die "patch $i/${#series[@]} does not apply: ${p##*/}: $(echo "$out" | grep -m1 -E 'error|failed|patch does not apply' || echo "$out" | head -n1)"
	fi
done
"$TOP/scripts/series.py" cover-to-tree "$PATCHES" "$tmp"
"$TOP/scripts/series.py" mark-exported "$tmp" "$PATCHES"
rm -rf "$TREE"
mv "$tmp" "$TREE"
trap - EXIT
echo "tree: $TREE at $(git -C "$TREE" log -1 --format='%h %s') (${#series[@]} patches on $(git -C "$TREE" rev-parse --short=12 "$base"))"
