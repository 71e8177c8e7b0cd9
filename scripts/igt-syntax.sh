#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# igt-syntax.sh IGT_SRC: compile the tests of igt-tests/ against a real
# IGT source tree (a checkout of igt-gpu-tools, or a bare git repository
# of it: its HEAD is used) instead of the stand-in in igt-tests/lib, as
# IGT's tests/ would (gcc -fsyntax-only with IGT's include paths and
# warnings). Needs the headers IGT's headers include (Debian:
# pkg-config libdrm-dev libcairo2-dev libpixman-1-dev libglib2.0-dev).
# An IGT whose igt_core.h spells igt_main and igt_fixture without
# parentheses (older than the IGT 2.5 the tests are written for) gets the
# tests with that spelling, as igt-tests/README.md says. Not part of
# make check: it needs an IGT tree, which the project does not ship.

. "$(dirname "$0")/lib.sh"

[ $# = 1 ] || die "usage: igt-syntax.sh IGT_SRC (an igt-gpu-tools checkout or git repository)"
src=$1
if ! command -v pkg-config >/dev/null ||
   ! pkg-config --exists cairo pixman-1 glib-2.0 libdrm; then
	die "missing headers: apt-get install pkg-config libdrm-dev libcairo2-dev libpixman-1-dev libglib2.0-dev"
fi
need gcc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -f "$src/lib/igt_core.h" ]; then
	cp -r "$src/lib" "$src/include" "$work/"
elif git -C "$src" rev-parse -q --verify HEAD:lib/igt_core.h >/dev/null 2>&1; then
	# Only the headers (a mirror may lack some large blobs).
	git -C "$src" ls-tree -r --name-only HEAD lib include | grep '\.h$' |
	while read -r f; do
		mkdir -p "$work/$(dirname "$f")"
		git -C "$src" show "HEAD:$f" >"$work/$f"
	done
else
	die "$src is not an igt-gpu-tools tree (no lib/igt_core.h)"
fi
: >"$work/config.h"	# meson's; nothing the tests use depends on it
old_spelling=0
if grep -q '^#define igt_main igt_main_args' "$work/lib/igt_core.h"; then
	old_spelling=1
fi
read -ra pkgflags <<<"$(pkg-config --cflags cairo pixman-1 glib-2.0 libdrm)"
flags=(-fsyntax-only -std=gnu11 -D_GNU_SOURCE -DHAVE_LIBDRM_NOUVEAU
       -Wall -Wextra -Wno-unused-parameter -Wno-clobbered -Werror
       -Wimplicit-function-declaration -Wmissing-prototypes -Wstrict-prototypes
       -I"$work" -I"$work/lib" -I"$work/include" -I"$work/include/drm-uapi"
       -I"$work/include/linux-uapi" -I"$TOP/drivers/edu-gpu" "${pkgflags[@]}")
bad=0
for t in "$TOP"/igt-tests/*.c; do
	n=$(basename "$t")
	if [ $old_spelling = 1 ]; then
		sed 's/^int igt_main()$/igt_main/; s/igt_fixture()/igt_fixture/' "$t" >"$work/$n"
	else
		cp "$t" "$work/$n"
	fi
	if gcc "${flags[@]}" "$work/$n" 2>"$work/$n.err"; then
		echo "igt-syntax: $n: ok"
	else
		echo "igt-syntax: $n: FAILED"
		sed 's/^/  /' "$work/$n.err" | head -20
		bad=1
	fi
done
exit $bad
