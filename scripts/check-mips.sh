#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-mips: the series' TTM KUnit tests built as modules for a
# MIPS platform that translates DMA addresses itself (loongson64, which
# selects CONFIG_ARCH_HAS_PHYS_TO_DMA: phys_to_dma() and dma_to_phys()
# are out of line there and not exported). Series v5 to v8 failed
# modpost there ("symbol 'phys_to_dma' undefined!"). Builds build/linux
# (created from patches/ when missing or stale, as make kernel does):
# tinyconfig + configs/mips-loongson64.config, vmlinux and modules, into
# build/obj/mips. Not part of make check: it needs a cross compiler
# ('deps.sh mips', run here) and a cold build takes about 6
# minutes on 2 cores; run it after a change to the TTM tests.

. "$(dirname "$0")/lib.sh"

[ $# = 0 ] || die "usage: check-mips.sh (no arguments)"
cross=mips64el-linux-gnuabi64-
# installed here when run as root, otherwise one line naming the command
"$TOP/scripts/deps.sh" mips >/dev/null
tree_ready

obj=$BUILD/obj/mips
frag=$TOP/configs/mips-loongson64.config
lock "$obj"
ccache_env
mk() {
	make -s -C "$TREE" O="$obj" ARCH=mips CROSS_COMPILE="ccache $cross" \
		-j"$(nproc)" "$@"
}
mk tinyconfig >/dev/null
"$TREE/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag" >/dev/null
mk olddefconfig >/dev/null
"$TOP/scripts/config-check.sh" "$frag" "$obj/.config" "$TREE" mips

log=$obj/build.log
start=$SECONDS
if ! mk vmlinux modules >"$log" 2>&1; then
	grep -E 'ERROR|error:' "$log" | head -n 20 >&2 || true
	die "the loongson64 build with the TTM KUnit tests as modules failed (log: $log)"
fi
ko=$obj/drivers/gpu/drm/ttm/tests/ttm_pool_dma_test.ko
[ -f "$ko" ] || die "no $ko: the series' TTM KUnit test was not built"
echo "check-mips: ok: loongson64 with the TTM KUnit tests as modules builds and links ($((SECONDS - start)) s)"
