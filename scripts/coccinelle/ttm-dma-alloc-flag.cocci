// SPDX-License-Identifier: GPL-2.0
///
/// Drivers pass TTM_ALLOCATION_POOL_DMA_AUTO to ttm_device_init() and
/// ttm_pool_init(), not TTM_ALLOCATION_POOL_USE_DMA_ALLOC: with DMA_AUTO
/// TTM chooses per device how the pool gets memory the device reaches
/// without bouncing (coherent or non-coherent DMA allocations, or plain
/// pages), where the driver's own condition (need_swiotlb,
/// drm_need_swiotlb(), vmwgfx's map mode) guesses it and misses Xen PV,
/// non-coherent arm64 and swiotlb=force. The pool's core (drivers/gpu/drm/ttm/)
/// defines and selects the flag; everything else must not name it.
///
/// Patch mode replaces (COND ? TTM_ALLOCATION_POOL_USE_DMA_ALLOC : 0)
/// by TTM_ALLOCATION_POOL_DMA_AUTO; then check that COND has no other
/// purpose (drm-need-swiotlb.cocci finds the drm_need_swiotlb() left).
///
// Confidence: High
// Options: --no-includes --include-headers
//
// make check-series runs it in report mode on the tip of the series, on
// drivers/gpu/drm/ except drivers/gpu/drm/ttm/, and fails on any match.
// At the base, Linux 7.3.4: 4 matches, one each in amdgpu_ttm.c,
// radeon_ttm.c, nouveau_ttm.c and vmwgfx_drv.c (ttm_device_init()).

virtual patch
virtual context
virtual org
virtual report

@fix depends on patch@
expression E;
@@
(
- (E ? TTM_ALLOCATION_POOL_USE_DMA_ALLOC : 0)
+ TTM_ALLOCATION_POOL_DMA_AUTO
|
- E ? TTM_ALLOCATION_POOL_USE_DMA_ALLOC : 0
+ TTM_ALLOCATION_POOL_DMA_AUTO
)

@r depends on !patch@
position p;
@@
* TTM_ALLOCATION_POOL_USE_DMA_ALLOC@p

@script:python depends on org@
p << r.p;
@@
coccilib.org.print_todo(p[0], "TTM_ALLOCATION_POOL_USE_DMA_ALLOC in a driver: pass TTM_ALLOCATION_POOL_DMA_AUTO")

@script:python depends on report@
p << r.p;
@@
coccilib.report.print_report(p[0], "TTM_ALLOCATION_POOL_USE_DMA_ALLOC in a driver: pass TTM_ALLOCATION_POOL_DMA_AUTO")
