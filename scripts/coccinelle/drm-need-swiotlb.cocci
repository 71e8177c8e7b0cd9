// SPDX-License-Identifier: GPL-2.0
///
/// Calls of drm_need_swiotlb(). It guessed from the DMA mask and the
/// memory layout whether TTM had to use coherent DMA allocations because
/// swiotlb might bounce; with TTM_ALLOCATION_POOL_DMA_AUTO, TTM asks the
/// DMA layer per device, and the guess (wrong on Xen PV, on non-coherent
/// arm64 and with swiotlb=force) goes away with its callers. A driver
/// that still calls it keeps a second, disagreeing answer (need_swiotlb
/// in radeon and amdgpu also chooses their own mappings).
///
// Confidence: High
// Options: --no-includes --include-headers
//
// make check-series runs it in report mode on the tip of the series, on
// drivers/gpu/drm/ except drivers/gpu/drm/ttm/, and fails on any match.
// At the base, Linux 7.3.4: 9 matches, in gmc_v6_0.c ... gmc_v12_0.c
// (7, amdgpu), radeon_device.c and nouveau_ttm.c.

virtual context
virtual org
virtual report

@r depends on context || org || report@
expression list es;
position p;
@@
* drm_need_swiotlb@p(es)

@script:python depends on org@
p << r.p;
@@
coccilib.org.print_todo(p[0], "drm_need_swiotlb() call: TTM_ALLOCATION_POOL_DMA_AUTO replaces it")

@script:python depends on report@
p << r.p;
@@
coccilib.report.print_report(p[0], "drm_need_swiotlb() call: TTM_ALLOCATION_POOL_DMA_AUTO replaces it")
