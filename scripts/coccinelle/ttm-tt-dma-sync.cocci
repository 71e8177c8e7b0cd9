// SPDX-License-Identifier: GPL-2.0
///
/// dma_sync_single_for_cpu() and dma_sync_single_for_device(), and their
/// _range variants, on the DMA address of TT pages (an element of a
/// struct ttm_tt's dma_address array). With TTM's DMA pool backends the
/// pages may come from dma_alloc_pages() or the coherent allocator, and
/// TTM tracks who owns them (CONFIG_DRM_TTM_DEBUG_DMA_OWNERSHIP): a
/// driver hands TT pages between CPU and device with
/// ttm_tt_sync_for_cpu() and ttm_tt_sync_for_device(), which know the
/// backend, cost a flag test where no sync is needed and record the
/// hand-over.
///
/// The match goes through an expression of type struct ttm_tt * (or
/// struct ttm_tt). With --no-includes Coccinelle knows the types of the
/// file's own variables, parameters and structures, not of a field
/// declared in a header; so struct ttm_buffer_object's tt, bo->ttm, is
/// matched by its field name (E->ttm->dma_address, E.ttm->dma_address).
///
// Confidence: High
// Options: --no-includes --include-headers
//
// make check-series runs it in report mode on the tip of the series, on
// drivers/gpu/drm/ except drivers/gpu/drm/ttm/, and fails on any match.
// At the base, Linux 7.3.4: 2 matches, in nouveau_bo.c
// (nouveau_bo_sync_for_device() and nouveau_bo_sync_for_cpu()).

virtual context
virtual org
virtual report

@r depends on context || org || report@
struct ttm_tt *tt;
struct ttm_tt t;
expression dev, E;
identifier sync = {dma_sync_single_for_cpu, dma_sync_single_for_device,
                   dma_sync_single_range_for_cpu,
                   dma_sync_single_range_for_device};
position p;
@@
(
* sync@p(dev, <+... tt->dma_address ...+>, ...)
|
* sync@p(dev, <+... t.dma_address ...+>, ...)
|
* sync@p(dev, <+... E->ttm->dma_address ...+>, ...)
|
* sync@p(dev, <+... E.ttm->dma_address ...+>, ...)
)

@script:python depends on org@
p << r.p;
sync << r.sync;
@@
coccilib.org.print_todo(p[0], "%s() on a ttm_tt DMA address: use ttm_tt_sync_for_%s()" % (sync, "cpu" if sync.endswith("cpu") else "device"))

@script:python depends on report@
p << r.p;
sync << r.sync;
@@
coccilib.report.print_report(p[0], "%s() on a ttm_tt DMA address: use ttm_tt_sync_for_%s()" % (sync, "cpu" if sync.endswith("cpu") else "device"))
