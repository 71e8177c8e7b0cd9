#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh [-t TREE] [-o OBJDIR] [-f FRAGMENT]... [-x SYMBOL]... [-c OBJECT]...
#           ARCH [TARGET...]
#
# Configure (tinyconfig + configs/ fragments) and build a test kernel for
# ARCH (x86_64 or arm64) with ccache. The .config is only rewritten when
# its content changes, so an unchanged configuration costs nothing.
#
#   -x SYMBOL  build the TARGETs as if CONFIG_SYMBOL were not set (make
#              CONFIG_SYMBOL=): kbuild leaves out what its Makefiles build
#              for it (a driver's directory), while .config, and so how
#              every other object compiles, stays the same (ccache hits
#              across workspaces that leave it out and those that do not)
#   -c OBJECT  compile OBJECT (a .o path) too, first, with the
#              configuration as it is: a compile check, not linked

. "$(dirname "$0")/lib.sh"

tree=$TREE
obj=
frags=()
leftout=()
compile=()
usage="usage: kernel.sh [-t TREE] [-o OBJDIR] [-f FRAGMENT]... [-x SYMBOL]... [-c OBJECT]... ARCH [TARGET...]"
while getopts "t:o:f:x:c:" o; do
	case $o in
	t) tree=$OPTARG ;;
	o) obj=$OPTARG ;;
	f) frags+=("$OPTARG") ;;
	x)
		[[ $OPTARG =~ ^[A-Z0-9_]+$ ]] || die "-x $OPTARG: a Kconfig symbol without CONFIG_, say DRM_AMDGPU"
		leftout+=("CONFIG_$OPTARG=")
		;;
	c)
		if [[ ! $OPTARG =~ ^[A-Za-z0-9_./-]+\.o$ ]] || [[ $OPTARG = /* ]] || [[ $OPTARG = *..* ]]; then
			die "-c $OPTARG: an object's path in the tree, say drivers/gpu/drm/ttm/ttm_pool.o"
		fi
		compile+=("$OPTARG")
		;;
	*) die "$usage" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || die "$usage"
arch=$1
shift

case $arch in
x86_64)
	kimage=vmlinux
	cross=
	;;
arm64)
	kimage=arch/arm64/boot/Image
	cross=aarch64-linux-gnu-
	;;
*) die "unknown architecture '$arch' (x86_64 or arm64)" ;;
esac
# shellcheck disable=SC2207 # fragment names are words
[ ${#frags[@]} -gt 0 ] || frags=($(test_fragments "$arch"))
[ $# -gt 0 ] || set -- "${kimage##*/}" modules
obj=${obj:-$BUILD/obj/$arch}

[ -f "$tree/Makefile" ] || die "no kernel tree at $tree (run 'make tree')"
need ccache make "${cross}gcc" flex bison bc
mkdir -p "$obj"
obj=$(cd "$obj" && pwd)

cfgfiles=()
for f in "${frags[@]}"; do
	[ -f "$f" ] || f=$TOP/configs/$f.config
	[ -f "$f" ] || die "no config fragment $f"
	cfgfiles+=("$f")
done

# Nothing to do when the tree (commit and uncommitted changes), the
# fragments, the targets and the configuration in $obj are those of the
# last good build here. The configuration counts too: a build of other
# objects in $obj at another commit (check-series' sparse run on the base)
# rewrites .config without the options that commit does not know.
stampf=$obj/.ttm-dma-stamp
treestate() {	# the commit and the uncommitted changes of $tree
	# (without the index's lock: check-series.sh may check out in the
	# tree while this builds the arm64 kernel from it)
	git -C "$tree" rev-parse HEAD
	git --no-optional-locks -C "$tree" diff HEAD --no-ext-diff
}
mkstamp() {
	{
		treestate
		cat "${cfgfiles[@]}"
		echo "$arch $*"
		echo "${leftout[*]} / ${compile[*]}"
		cat "$obj/.config" || true	# none yet in a new objdir
	} 2>/dev/null | sha1sum | cut -d' ' -f1
}
treeid() { treestate 2>/dev/null | sha1sum; }
stamp=$(mkstamp "$@")
tree_before=$(treeid)
if [ "$(cat "$stampf" 2>/dev/null)" = "$stamp" ] && [ "${TTM_DMA_REBUILD:-0}" != 1 ]; then
	echo "$arch: $* in $obj up to date"
	exit 0
fi
rm -f "$stampf"

ccache_env
export KBUILD_BUILD_TIMESTAMP="$BASE_DATE" KBUILD_BUILD_USER=ttm-dma KBUILD_BUILD_HOST=localhost
kmake=(make -s -C "$tree" O="$obj" ARCH="$arch" CROSS_COMPILE="$cross"
       CC="ccache ${cross}gcc" HOSTCC="ccache gcc" -j"$(nproc)")

# Configure into a scratch copy, then install it only if it differs.
# The result depends only on the fragments, the tree's Kconfig files and
# the toolchain (Kconfig tests the compiler); it is kept in the objdir by
# those, since making it (tinyconfig, merge, olddefconfig) costs 10 s,
# which check-series' prefix builds would pay at every prefix.
cfgkey=$({
	cat "${cfgfiles[@]}"
	echo "$arch"
	"${cross}gcc" --version | sed -n 1p
	"${cross}ld" --version | sed -n 1p
	git -C "$tree" ls-files -s -- '*Kconfig*' scripts/kconfig
	git --no-optional-locks -C "$tree" diff HEAD --no-ext-diff -- '*Kconfig*' scripts/kconfig
} | sha1sum | cut -c1-40)
cfgsaved=$obj/.ttm-dma-config-$cfgkey
cfgdir=$(mktemp -d "$obj/.cfg.XXXXXX")
trap 'rm -rf "$cfgdir"' EXIT
if [ -f "$cfgsaved" ] && [ "${TTM_DMA_REBUILD:-0}" != 1 ]; then
	cp "$cfgsaved" "$cfgdir/.config"
else
	cat "${cfgfiles[@]}" >"$cfgdir/want"
	"${kmake[@]}" KCONFIG_CONFIG="$cfgdir/.config" tinyconfig >/dev/null
	KCONFIG_CONFIG=$cfgdir/.config "$tree/scripts/kconfig/merge_config.sh" -m -O "$cfgdir" \
		"$cfgdir/.config" "$cfgdir/want" >/dev/null
	"${kmake[@]}" KCONFIG_CONFIG="$cfgdir/.config" olddefconfig >/dev/null

	# Every line of the fragments must have survived Kconfig's dependencies.
	"$TOP/scripts/config-check.sh" "$cfgdir/want" "$cfgdir/.config" "$tree" "$arch" ||
		die "$arch: configuration fragments do not apply to $tree"
	cp "$cfgdir/.config" "$cfgsaved.tmp" && mv "$cfgsaved.tmp" "$cfgsaved"
fi
# (olddefconfig writes include/config/ for the objdir; not needed when
# the objdir was last configured with this very configuration)
if ! cmp -s "$cfgdir/.config" "$obj/.config" ||
	[ "$(cat "$obj/.ttm-dma-config-key" 2>/dev/null)" != "$cfgkey" ]; then
	rm -f "$obj/.ttm-dma-config-key"
	cmp -s "$cfgdir/.config" "$obj/.config" || cp "$cfgdir/.config" "$obj/.config"
	"${kmake[@]}" olddefconfig >/dev/null
	echo "$cfgkey" >"$obj/.ttm-dma-config-key"
fi

[ ${#compile[@]} = 0 ] || "${kmake[@]}" "${compile[@]}"
"${kmake[@]}" "${leftout[@]}" "$@"
# A tree edited while make ran may be built half old, half new: then the
# next run builds again (make redoes what changed) instead of trusting it.
if [ "$(treeid)" = "$tree_before" ]; then
	mkstamp "$@" >"$stampf"
else
	echo "kernel.sh: $tree changed during the build: not recorded as up to date" >&2
fi
echo "$arch: built $* in $obj"
