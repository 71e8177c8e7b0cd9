#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make base: the tree the series applies to.
#
# Without KSRC: download Debian's linux-source-7.3 binary package, unpack
# it into the cache (outside the clone) and commit it as one deterministic
# commit (fixed identity, date and message), so the base and every commit
# of the series on top of it has the same hash on every machine.
# With KSRC=/path/to/git/tree: only check that the tree can be used.

. "$(dirname "$0")/lib.sh"

if [ -n "${KSRC:-}" ]; then
	[ -d "$KSRC" ] || die "KSRC=$KSRC does not exist"
	git -C "$KSRC" rev-parse --git-dir >/dev/null 2>&1 ||
		die "KSRC=$KSRC is not a git tree"
	rev=$(base_rev)
	[ -f "$KSRC/drivers/gpu/drm/ttm/ttm_pool.c" ] ||
		die "KSRC=$KSRC is not a Linux tree (no drivers/gpu/drm/ttm/ttm_pool.c)"
	echo "base: $KSRC at $(git -C "$KSRC" log -1 --format='%h %s' "$rev")"
	exit 0
fi

cached() {
	if rev=$(git -C "$BASE_REPO" rev-parse --verify -q refs/heads/base 2>/dev/null); then
		echo "base: $BASE_REPO at $rev (cached)"
		exit 0
	fi
}
cached
# Every clone of the project on this machine shares the base (their trees
# borrow its objects): one writer at a time, and a second one finds it
# made by the first.
need git tar xz dpkg-deb flock
lock "$(dirname "$BASE_REPO")"
cached
deb=$CACHE/pkgs/${BASE_PKG}_${BASE_PKG_VERSION}_all.deb
if [ ! -f "$deb" ]; then
	"$TOP/scripts/fetch-debs.sh" "$BASE_PKG=$BASE_PKG_VERSION"
	[ -f "$deb" ] || die "download of $BASE_PKG $BASE_PKG_VERSION left no $deb"
fi

mkdir -p "$CACHE"
tmp=$(mktemp -d "$CACHE/base.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
note "unpacking $BASE_PKG $BASE_PKG_VERSION"
mkdir "$tmp/src"
dpkg-deb --fsys-tarfile "$deb" |
	tar -xO "./usr/src/$BASE_PKG.tar.xz" |
	tar -xJ -C "$tmp/src" --strip-components=1
[ -f "$tmp/src/Makefile" ] || die "$deb did not contain a kernel tree"

# Debian's .gitignore ignores every top-level entry but debian/ (their
# packaging repository does not hold the kernel). In a kernel git tree
# that would hide every new file of the series, so the base undoes it.
python3 "$TOP/scripts/debian_gitignore.py" "$tmp/src/.gitignore"

git init -q --bare "$tmp/linux.git"
export GIT_DIR=$tmp/linux.git GIT_WORK_TREE=$tmp/src
export GIT_AUTHOR_NAME="$IDENT_NAME" GIT_AUTHOR_EMAIL="$IDENT_EMAIL"
export GIT_AUTHOR_DATE="$BASE_DATE" GIT_COMMITTER_DATE="$BASE_DATE"
git config core.bigFileThreshold 1m
# No automatic gc: one detached after the commit would still run when the
# repository is moved into place below ("bad tree object", a stale
# gc.log.lock left in the cache).
git config gc.auto 0
note "committing the base (about a minute)"
git add -A -f .
git commit -q -m "Linux 7.3.4 (Debian $BASE_PKG $BASE_PKG_VERSION)

The kernel tree of Debian's $BASE_PKG binary package, version
$BASE_PKG_VERSION, unchanged except for one hunk of Debian's .gitignore
(\"/*\" and \"!/debian/\": ignore everything at the top level but the
packaging), which would hide every file the series adds."
git branch -f base HEAD
unset GIT_DIR GIT_WORK_TREE
# (under the lock: a broken leftover without the base branch goes)
rm -rf "$BASE_REPO"
mv "$tmp/linux.git" "$BASE_REPO"
echo "base: $BASE_REPO at $(git -C "$BASE_REPO" rev-parse base)"
