// SPDX-License-Identifier: GPL-2.0
/*
 * edu_gpu TTM: the TTM device and its personalities, buffer objects,
 * placement, moves, CPU/device hand-over of pages and debugfs.
 *
 * Two placements: TTM_PL_SYSTEM and TTM_PL_TT. Both are backed by a
 * ttm_tt whose pages come from TTM's pool; the TT manager is a range
 * manager of EDU_GPU_TT_SIZE, and binding to TT needs nothing but the
 * DMA addresses of the pages (TTM's, stored in the ttm_tt by
 * ttm_sg_tt_init(), or the driver's own for the xe personality), so
 * SYSTEM <-> TT moves keep the same pages and copy nothing.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/numa.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <drm/drm_cache.h>
#include <drm/drm_file.h>
#include <drm/drm_managed.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>
#include <drm/drm_vma_manager.h>
#include <drm/ttm/ttm_allocation.h>
#include <drm/ttm/ttm_placement.h>
#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_range_manager.h>
#include <drm/ttm/ttm_resource.h>
#include <drm/ttm/ttm_tt.h>

#include "edu_gpu.h"

static const struct ttm_place edu_gpu_place_system = {
	.mem_type = TTM_PL_SYSTEM,
};

static const struct ttm_place edu_gpu_place_tt = {
	.mem_type = TTM_PL_TT,
};

static struct ttm_placement edu_gpu_placement_system = {
	.num_placement = 1,
	.placement = &edu_gpu_place_system,
};

static struct ttm_placement edu_gpu_placement_tt = {
	.num_placement = 1,
	.placement = &edu_gpu_place_tt,
};

/*
 * Personalities: edu_gpu sets up TTM the way an in-tree driver does, so
 * that every configuration TTM's users give it today is tested with a
 * real DMA master. Module parameter "personality"; the default, "edu",
 * is edu_gpu's own configuration. What each one does, as read in the
 * unpatched 7.3 tree (base:PATH:LINE):
 *
 * personality  ttm_device_init() dev, flags               tt init          who DMA-maps
 * -----------  --------------------------------------------  ---------------  -------------
 * With the driver series (EDU_GPU_DRIVERS_CONVERTED: drm_need_swiotlb() is
 * gone), amdgpu, its partition pools, radeon and nouveau pass DMA_AUTO
 * instead of "USE_DMA_ALLOC if drm_need_swiotlb()", as the drivers do.
 *
 * edu          PCI dev; unpatched TTM: USE_DMA_ALLOC per       ttm_sg_tt_init() TTM's pool
 *              "pool" (auto: drm_need_swiotlb(dma_bits)),
 *              USE_DMA32 if dma_addressing_limited();
 *              with the series: 0 (TTM chooses)
 * amdgpu       PCI dev; USE_DMA_ALLOC if drm_need_swiotlb(),   ttm_sg_tt_init() TTM's pool
 *              USE_DMA32 if dma_addressing_limited(),
 *              BENEFICIAL_ORDER(9); plus a partition pool:
 *              ttm_pool_init(dev, node, BENEFICIAL_ORDER(9))
 *              for every other object
 * radeon       PCI dev; USE_DMA_ALLOC if drm_need_swiotlb(),   ttm_sg_tt_init() TTM's pool
 *              USE_DMA32 if dma_addressing_limited()
 * nouveau      PCI dev; USE_DMA_ALLOC if drm_need_swiotlb(),   ttm_sg_tt_init() TTM's pool
 *              USE_DMA32 if the mask has <= 32 bits
 * xe           PCI dev; BENEFICIAL_ORDER(9)                     ttm_tt_init()    the driver:
 *                                                                                dma_map_sgtable()
 * qxl          NULL; 0                                          ttm_tt_init()    nobody (CPU only)
 * vram-helper  PCI dev; USE_DMA32                               ttm_tt_init()    nobody (CPU only)
 *
 * Sources:
 * - amdgpu: amdgpu_ttm.c:2123-2130 (ttm_device_init), gmc_v9_0.c:1994
 *   (need_swiotlb = drm_need_swiotlb() of the mask it set), amdgpu_ttm.c:1218
 *   (ttm_sg_tt_init), :1919-1937 (amdgpu_ttm_pools_init(): one pool per
 *   memory partition, with the partition's NUMA node), :1252-1256 and
 *   :1297-1302 (a tt of a partition's object is populated from and freed
 *   to that partition's pool). edu_gpu has no partitions: objects with an
 *   odd sequence number use the second pool, on the device's node (node
 *   0 if it has none).
 * - radeon: radeon_ttm.c:683-689, radeon_device.c:1379, radeon_ttm.c:507.
 * - nouveau: nouveau_ttm.c:310-316 (DMA32 from the mask width, not from
 *   dma_addressing_limited()), nouveau_sgdma.c:84.
 * - xe: xe_device.c:526-529, xe_bo.c:632 (ttm_tt_init), xe_bo.c:388-418
 *   (xe_tt_map_sg(): sg_alloc_table_from_pages_segment() and
 *   dma_map_sgtable()), xe_bo.c:1101 and :1124 (mapped on the move into
 *   TT), xe_bo.c:688 and :1332 (unmapped before the pages are freed or
 *   backed up). Differences: xe maps with DMA_ATTR_SKIP_CPU_SYNC, which
 *   on a device that does not snoop leaves what the CPU wrote (cleared
 *   or swapped-in pages) in its caches; edu_gpu syncs at map time
 *   (swiotlb fills a bounce buffer at map time either way). xe marks its
 *   tts TTM_TT_FLAG_EXTERNAL and shrinks them itself (ttm_bo_shrink());
 *   edu_gpu leaves swap-out to TTM (ttm_bo_swapout(), debugfs
 *   ttm/tt_shrink) and unmaps in swap_notify, as xe unmaps before a
 *   backup. ptrace access (ttm_bo_access()) only hands over what TTM
 *   mapped: edu_gpu hands its own mapping over around it
 *   (edu_gpu_gem.c); xe does not.
 * - qxl: qxl_ttm.c:197-200 (dev == NULL), qxl_ttm.c:115 (ttm_tt_init).
 * - vram-helper: drm_gem_vram_helper.c:857-860 (USE_DMA32, a device),
 *   drm_gem_vram_helper.c:725 (ttm_tt_init); the device only scans out
 *   VRAM, system memory is only the CPU's.
 *
 * All take the DMA mask width from dma_bits, where each driver passes its
 * own. With the CPU-only personalities COPY fails with -EOPNOTSUPP: the
 * device has no address for system memory.
 *
 * Unpatched TTM (no EDU_GPU_TTM_POOL_BACKENDS): the "pool" module
 * parameter (auto, plain, coherent) overrides USE_DMA_ALLOC of the edu
 * personality, as before.
 */

static char *personality = "edu";
module_param(personality, charp, 0444);
MODULE_PARM_DESC(personality,
		 "TTM configuration to imitate: edu (default), amdgpu, radeon, nouveau, xe, qxl, vram-helper");

/* The flags this TTM has (the series adds DMA_AUTO and deletes USE_DMA_ALLOC) */
static const struct {
	unsigned int flag;
	const char *name;
} edu_gpu_flag_names[] = {
#ifdef TTM_ALLOCATION_POOL_DMA_AUTO
	{ TTM_ALLOCATION_POOL_DMA_AUTO, "DMA_AUTO" },
#endif
#ifdef TTM_ALLOCATION_POOL_USE_DMA_ALLOC
	{ TTM_ALLOCATION_POOL_USE_DMA_ALLOC, "USE_DMA_ALLOC" },
#endif
	{ TTM_ALLOCATION_POOL_USE_DMA32, "USE_DMA32" },
	{ TTM_ALLOCATION_PROPAGATE_ENOSPC, "PROPAGATE_ENOSPC" },
};

static const char *edu_gpu_flags_str(unsigned int flags, char *buf,
				     size_t len)
{
	size_t n = scnprintf(buf, len, "%#x (", flags);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(edu_gpu_flag_names); i++)
		if (flags & edu_gpu_flag_names[i].flag)
			n += scnprintf(buf + n, len - n, "%s ",
				       edu_gpu_flag_names[i].name);
	scnprintf(buf + n, len - n, "BENEFICIAL_ORDER(%u))", flags & 0xff);
	return buf;
}

#ifdef EDU_GPU_DRIVERS_CONVERTED
/*
 * The driver series: radeon, amdgpu and nouveau let TTM choose
 * (radeon_ttm.c, amdgpu_ttm.c and nouveau_ttm.c at the tip).
 */
#define EDU_GPU_DRIVER_POOL(edev)	TTM_ALLOCATION_POOL_DMA_AUTO
#else
/* amdgpu_ttm.c:2126-2130, radeon_ttm.c:686-689, nouveau_ttm.c:313-314 */
#define EDU_GPU_DRIVER_POOL(edev)				\
	(drm_need_swiotlb((edev)->dma_bits) ?			\
	 TTM_ALLOCATION_POOL_USE_DMA_ALLOC : 0)
#endif

/* amdgpu_ttm.c:2126-2130, radeon_ttm.c:686-689 */
static unsigned int edu_gpu_flags_swiotlb_dma32(struct edu_gpu_device *edev)
{
	return EDU_GPU_DRIVER_POOL(edev) |
	       (dma_addressing_limited(&edev->pdev->dev) ?
		TTM_ALLOCATION_POOL_USE_DMA32 : 0);
}

static unsigned int edu_gpu_flags_amdgpu(struct edu_gpu_device *edev)
{
	return edu_gpu_flags_swiotlb_dma32(edev) |
	       TTM_ALLOCATION_POOL_BENEFICIAL_ORDER(get_order(SZ_2M));
}

/* amdgpu_ttm.c:1932-1934: the pools of an APU's memory partitions */
static unsigned int edu_gpu_part_pool_flags(void)
{
#ifdef EDU_GPU_DRIVERS_CONVERTED
	return TTM_ALLOCATION_POOL_DMA_AUTO |
	       TTM_ALLOCATION_POOL_BENEFICIAL_ORDER(get_order(SZ_2M));
#else
	return TTM_ALLOCATION_POOL_BENEFICIAL_ORDER(get_order(SZ_2M));
#endif
}

/* nouveau_ttm.c:313-316: DMA32 from the width of the mask */
static unsigned int edu_gpu_flags_nouveau(struct edu_gpu_device *edev)
{
	return EDU_GPU_DRIVER_POOL(edev) |
	       (edev->dma_bits <= 32 ? TTM_ALLOCATION_POOL_USE_DMA32 : 0);
}

/* xe_device.c:529 */
static unsigned int edu_gpu_flags_xe(struct edu_gpu_device *edev)
{
	return TTM_ALLOCATION_POOL_BENEFICIAL_ORDER(get_order(SZ_2M));
}

/* qxl_ttm.c:200 */
static unsigned int edu_gpu_flags_none(struct edu_gpu_device *edev)
{
	return 0;
}

/* drm_gem_vram_helper.c:860 */
static unsigned int edu_gpu_flags_dma32(struct edu_gpu_device *edev)
{
	return TTM_ALLOCATION_POOL_USE_DMA32;
}

#ifdef EDU_GPU_TTM_POOL_BACKENDS

/*
 * TTM chooses how to allocate DMA-able pages itself: the driver opts in
 * (series v3 and later) and has set its DMA mask before ttm_device_init().
 */
static unsigned int edu_gpu_flags_edu(struct edu_gpu_device *edev)
{
#ifdef TTM_ALLOCATION_POOL_DMA_AUTO
	return TTM_ALLOCATION_POOL_DMA_AUTO;
#else
	return 0;
#endif
}

/**
 * edu_gpu_ttm_check_params - check the TTM module parameters
 *
 * Return: 0, or -EINVAL (with a message) if "personality" has no valid
 * value.
 */
int edu_gpu_ttm_check_params(void)
{
	if (edu_gpu_ttm_personality())
		return 0;

	pr_err("invalid personality=%s: valid values are edu, amdgpu, radeon, nouveau, xe, qxl and vram-helper\n",
	       personality ? personality : "(null)");
	return -EINVAL;
}

#else /* !EDU_GPU_TTM_POOL_BACKENDS */

static char *pool = "auto";
module_param(pool, charp, 0444);
MODULE_PARM_DESC(pool,
		 "TTM pool DMA allocation of the edu personality: auto (as amdgpu: coherent when drm_need_swiotlb(dma_bits)), plain (never coherent), coherent (always)");

enum edu_gpu_pool_mode {
	EDU_GPU_POOL_AUTO,
	EDU_GPU_POOL_PLAIN,
	EDU_GPU_POOL_COHERENT,
};

static const char * const edu_gpu_pool_modes[] = {
	[EDU_GPU_POOL_AUTO] = "auto",
	[EDU_GPU_POOL_PLAIN] = "plain",
	[EDU_GPU_POOL_COHERENT] = "coherent",
};

/**
 * edu_gpu_ttm_check_params - check the TTM module parameters
 *
 * Return: 0, or -EINVAL (with a message) if "personality" or "pool" has
 * no valid value, or "pool" is given with another personality than edu.
 */
int edu_gpu_ttm_check_params(void)
{
	const struct edu_gpu_personality *pers = edu_gpu_ttm_personality();
	int mode = pool ? sysfs_match_string(edu_gpu_pool_modes, pool) : -EINVAL;

	if (!pers) {
		pr_err("invalid personality=%s: valid values are edu, amdgpu, radeon, nouveau, xe, qxl and vram-helper\n",
		       personality ? personality : "(null)");
		return -EINVAL;
	}
	if (mode < 0) {
		pr_err("invalid pool=%s: valid values are auto, plain and coherent\n",
		       pool ? pool : "(null)");
		return -EINVAL;
	}
	if (mode != EDU_GPU_POOL_AUTO && strcmp(pers->name, "edu")) {
		pr_err("pool=%s: only the edu personality has this choice, not %s\n",
		       pool, pers->name);
		return -EINVAL;
	}
	return 0;
}

/* As amdgpu without its beneficial order, "pool" deciding USE_DMA_ALLOC. */
static unsigned int edu_gpu_flags_edu(struct edu_gpu_device *edev)
{
	unsigned int flags;
	bool need_swiotlb;
	int mode;

	mode = sysfs_match_string(edu_gpu_pool_modes, pool);
	need_swiotlb = drm_need_swiotlb(edev->dma_bits);
	flags = edu_gpu_flags_swiotlb_dma32(edev) &
		~TTM_ALLOCATION_POOL_USE_DMA_ALLOC;
	if (mode == EDU_GPU_POOL_COHERENT ||
	    (mode == EDU_GPU_POOL_AUTO && need_swiotlb))
		flags |= TTM_ALLOCATION_POOL_USE_DMA_ALLOC;

	drm_info(&edev->drm, "pool=%s, drm_need_swiotlb(%u)=%d\n",
		 edu_gpu_pool_modes[mode], edev->dma_bits, need_swiotlb);
	return flags;
}

#endif /* EDU_GPU_TTM_POOL_BACKENDS */

static const struct edu_gpu_personality edu_gpu_personalities[] = {
	{
		.name = "edu",
		.tt_init = "ttm_sg_tt_init",
		.alloc_flags = edu_gpu_flags_edu,
	}, {
		.name = "amdgpu",
		.tt_init = "ttm_sg_tt_init",
		.partition_pool = true,
		.alloc_flags = edu_gpu_flags_amdgpu,
	}, {
		.name = "radeon",
		.tt_init = "ttm_sg_tt_init",
		.generic_prime = true,
		.alloc_flags = edu_gpu_flags_swiotlb_dma32,
	}, {
		.name = "nouveau",
		.tt_init = "ttm_sg_tt_init",
		.generic_prime = true,
		.alloc_flags = edu_gpu_flags_nouveau,
	}, {
		.name = "xe",
		.tt_init = "ttm_tt_init",
		.plain_tt = true,
		.driver_maps = true,
		.alloc_flags = edu_gpu_flags_xe,
	}, {
		.name = "qxl",
		.tt_init = "ttm_tt_init",
		.no_device = true,
		.plain_tt = true,
		.alloc_flags = edu_gpu_flags_none,
	}, {
		.name = "vram-helper",
		.tt_init = "ttm_tt_init",
		.plain_tt = true,
		.alloc_flags = edu_gpu_flags_dma32,
	},
};

/**
 * edu_gpu_ttm_personality - the personality the module parameter names
 *
 * Return: the personality, or NULL if the parameter names none.
 */
const struct edu_gpu_personality *edu_gpu_ttm_personality(void)
{
	unsigned int i;

	for (i = 0; personality && i < ARRAY_SIZE(edu_gpu_personalities); i++)
		if (sysfs_streq(personality, edu_gpu_personalities[i].name))
			return &edu_gpu_personalities[i];
	return NULL;
}

static struct ttm_tt *edu_gpu_ttm_tt_create(struct ttm_buffer_object *tbo,
					    u32 page_flags)
{
	struct edu_gpu_device *edev = bdev_to_edu_gpu(tbo->bdev);
	struct edu_gpu_bo *bo = to_edu_gpu_bo(tbo);
	struct edu_gpu_tt *ett;
	int ret;

	ett = kzalloc_obj(*ett);
	if (!ett)
		return NULL;

	ett->pool = bo->in_part_pool ? &edev->part_pool : &edev->bdev.pool;
	/*
	 * ttm_sg_tt_init: TTM fills tt->dma_address[], our "GART";
	 * ttm_tt_init: no DMA addresses, the driver maps (xe) or nobody.
	 */
	if (edev->pers->plain_tt)
		ret = ttm_tt_init(&ett->ttm, tbo, page_flags, bo->caching, 0);
	else
		ret = ttm_sg_tt_init(&ett->ttm, tbo, page_flags, bo->caching);
	if (ret) {
		kfree(ett);
		return NULL;
	}

	return &ett->ttm;
}

static void edu_gpu_ttm_tt_destroy(struct ttm_device *bdev, struct ttm_tt *tt)
{
	ttm_tt_fini(tt);
	kfree(to_edu_gpu_tt(tt));
}

/*
 * The xe personality: the driver DMA-maps the pages itself, in segments
 * the DMA layer can map in one piece (xe_tt_map_sg()), when the object
 * moves into TT. Unlike xe, without DMA_ATTR_SKIP_CPU_SYNC: what the CPU
 * wrote (cleared pages, swapped-in content) must be written back from the
 * CPU caches where the device does not snoop.
 */
static int edu_gpu_tt_map(struct edu_gpu_device *edev, struct edu_gpu_tt *ett)
{
	struct device *dev = edev->drm.dev;
	struct ttm_tt *tt = &ett->ttm;
	size_t seg;
	dma_addr_t *dma;
	int ret;

	if (ett->dma)
		return 0;

	seg = min_t(size_t, dma_max_mapping_size(dev), dma_get_max_seg_size(dev));
	seg = round_down(min_t(size_t, seg, UINT_MAX), PAGE_SIZE);
	if (!seg)
		return -EINVAL;

	dma = kvmalloc_array(tt->num_pages, sizeof(*dma), GFP_KERNEL);
	if (!dma)
		return -ENOMEM;

	ret = sg_alloc_table_from_pages_segment(&ett->sgt, tt->pages,
						tt->num_pages, 0,
						(u64)tt->num_pages << PAGE_SHIFT,
						seg, GFP_KERNEL);
	if (ret)
		goto err_free;

	ret = dma_map_sgtable(dev, &ett->sgt, DMA_BIDIRECTIONAL, 0);
	if (ret)
		goto err_table;

	ret = drm_prime_sg_to_dma_addr_array(&ett->sgt, dma, tt->num_pages);
	if (ret)
		goto err_unmap;

	ett->dma = dma;
	return 0;

err_unmap:
	dma_unmap_sgtable(dev, &ett->sgt, DMA_BIDIRECTIONAL, 0);
err_table:
	sg_free_table(&ett->sgt);
err_free:
	kvfree(dma);
	return ret;
}

/* Hands the pages to the CPU (a sync, as xe_tt_unmap_sg()) and unmaps. */
static void edu_gpu_tt_unmap(struct edu_gpu_device *edev,
			     struct edu_gpu_tt *ett)
{
	if (!ett->dma)
		return;

	dma_unmap_sgtable(edev->drm.dev, &ett->sgt, DMA_BIDIRECTIONAL, 0);
	sg_free_table(&ett->sgt);
	kvfree(ett->dma);
	ett->dma = NULL;
}

/* Sync pages [first, first + count) of a driver mapping, per segment. */
static void edu_gpu_tt_sync_map(struct edu_gpu_device *edev,
				struct edu_gpu_tt *ett, pgoff_t first,
				pgoff_t count, bool for_device)
{
	pgoff_t end = first + count, pg = 0, n, from, to;
	struct device *dev = edev->drm.dev;
	struct scatterlist *sg;
	dma_addr_t addr;
	unsigned int i;
	size_t len;

	for_each_sgtable_dma_sg(&ett->sgt, sg, i) {
		if (pg >= end)
			break;
		n = sg_dma_len(sg) >> PAGE_SHIFT;
		from = max(first, pg);
		to = min(end, pg + n);
		if (from < to) {
			addr = sg_dma_address(sg) + ((from - pg) << PAGE_SHIFT);
			len = (to - from) << PAGE_SHIFT;
			if (for_device)
				dma_sync_single_for_device(dev, addr, len,
							   DMA_BIDIRECTIONAL);
			else
				dma_sync_single_for_cpu(dev, addr, len,
							DMA_BIDIRECTIONAL);
		}
		pg += n;
	}
}

/**
 * edu_gpu_tt_dma - the DMA address of each page of a tt, for the device
 * @tt: the populated tt of an object in TT
 *
 * Return: TTM's dma_address[], the driver's own (xe personality), or NULL
 * when the device has no address for the pages.
 */
const dma_addr_t *edu_gpu_tt_dma(struct ttm_tt *tt)
{
	return tt->dma_address ? tt->dma_address : to_edu_gpu_tt(tt)->dma;
}

/**
 * edu_gpu_bo_sync - hand pages of an object to the CPU or to the device
 * @bo: the object, reserved
 * @first: first page
 * @count: number of pages
 * @for_device: to the device, else to the CPU
 *
 * TTM's pages (ttm_tt_sync_for_cpu() and ttm_tt_sync_for_device(); not
 * in the unpatched TTM) and the driver's own mapping (xe personality).
 * Nothing when the object's pages are not populated.
 */
void edu_gpu_bo_sync(struct edu_gpu_bo *bo, pgoff_t first, pgoff_t count,
		     bool for_device)
{
	struct edu_gpu_device *edev = bdev_to_edu_gpu(bo->tbo.bdev);
	struct ttm_tt *tt = bo->tbo.ttm;
	struct edu_gpu_tt *ett;

	dma_resv_assert_held(bo->tbo.base.resv);
	if (!tt || !ttm_tt_is_populated(tt) || !count)
		return;

	ett = to_edu_gpu_tt(tt);
	if (for_device && ett->dma)
		edu_gpu_tt_sync_map(edev, ett, first, count, true);
#ifdef EDU_GPU_TTM_POOL_BACKENDS
	if (for_device)
		ttm_tt_sync_for_device(tt, first, count);
	else
		ttm_tt_sync_for_cpu(tt, first, count);
#endif
	if (!for_device && ett->dma)
		edu_gpu_tt_sync_map(edev, ett, first, count, false);
}

/**
 * edu_gpu_bo_sync_driver_map - hand pages of an object over, as far as
 * the driver's own mapping is concerned (xe personality)
 * @bo: the object, reserved
 * @first: first page
 * @count: number of pages
 * @for_device: to the device, else to the CPU
 *
 * Nothing without a driver mapping.
 */
void edu_gpu_bo_sync_driver_map(struct edu_gpu_bo *bo, pgoff_t first,
				pgoff_t count, bool for_device)
{
	struct ttm_tt *tt = bo->tbo.ttm;

	dma_resv_assert_held(bo->tbo.base.resv);
	if (tt && ttm_tt_is_populated(tt) && to_edu_gpu_tt(tt)->dma)
		edu_gpu_tt_sync_map(bdev_to_edu_gpu(bo->tbo.bdev),
				    to_edu_gpu_tt(tt), first, count,
				    for_device);
}

/**
 * edu_gpu_bo_assert_device_owned - check that the device owns a range
 * @bo: the object, reserved, in TT
 * @offset: byte offset
 * @size: bytes, at least 1
 *
 * With a TTM that has ttm_tt_assert_device_owned() (its debug check of
 * who owns the pages reports a CPU owner), called before the device is
 * given the range; nothing otherwise.
 */
void edu_gpu_bo_assert_device_owned(struct edu_gpu_bo *bo, u64 offset,
				    u64 size)
{
#ifdef EDU_GPU_TTM_ASSERT_OWNED
	struct ttm_tt *tt = bo->tbo.ttm;
	pgoff_t first = offset >> PAGE_SHIFT;

	if (tt && ttm_tt_is_populated(tt))
		ttm_tt_assert_device_owned(tt, first,
					   ((offset + size - 1) >> PAGE_SHIFT) -
					   first + 1);
#endif
}

static int edu_gpu_ttm_tt_populate(struct ttm_device *bdev,
				   struct ttm_tt *tt,
				   struct ttm_operation_ctx *ctx)
{
	return ttm_pool_alloc(to_edu_gpu_tt(tt)->pool, tt, ctx);
}

static void edu_gpu_ttm_tt_unpopulate(struct ttm_device *bdev,
				      struct ttm_tt *tt)
{
	struct edu_gpu_tt *ett = to_edu_gpu_tt(tt);

	edu_gpu_tt_unmap(bdev_to_edu_gpu(bdev), ett);
	ttm_pool_free(ett->pool, tt);
}

static void edu_gpu_evict_flags(struct ttm_buffer_object *tbo,
				struct ttm_placement *placement)
{
	*placement = edu_gpu_placement_system;
}

static int edu_gpu_bo_move(struct ttm_buffer_object *tbo, bool evict,
			   struct ttm_operation_ctx *ctx,
			   struct ttm_resource *new_mem, struct ttm_place *hop)
{
	struct edu_gpu_device *edev = bdev_to_edu_gpu(tbo->bdev);
	struct ttm_resource *old_mem = tbo->resource;
	struct ttm_resource_manager *old_man, *new_man;
	int ret;

	/*
	 * A queued or running copy uses the object's DMA addresses without
	 * holding its reservation: they must stay valid until it is done.
	 */
	ret = ttm_bo_wait_ctx(tbo, ctx);
	if (ret)
		return ret;

	/* xe maps its pages on the move into TT (xe_bo.c:1101, :1124). */
	if (edev->pers->driver_maps && new_mem->mem_type == TTM_PL_TT) {
		ret = edu_gpu_tt_map(edev, to_edu_gpu_tt(tbo->ttm));
		if (ret)
			return ret;
	}

	if (!old_mem) {
		ttm_bo_move_null(tbo, new_mem);
		return 0;
	}

	/* SYSTEM <-> TT: the same ttm_tt, the same pages; nothing to copy. */
	old_man = ttm_manager_type(tbo->bdev, old_mem->mem_type);
	new_man = ttm_manager_type(tbo->bdev, new_mem->mem_type);
	if (old_man->use_tt && new_man->use_tt) {
		ttm_bo_move_null(tbo, new_mem);
		return 0;
	}

	return ttm_bo_move_memcpy(tbo, ctx, new_mem);
}

/*
 * Before a swap-out TTM moves the object to SYSTEM (edu_gpu_bo_move()
 * waits for it to be idle), waits again and unmaps its CPU mappings;
 * ttm_tt_swapout() then copies the pages to shmem with the CPU and frees
 * them (TTM's own DMA mappings with them). A driver mapping (xe
 * personality) goes first, handing the pages to the CPU: xe unmaps before
 * a backup too (xe_bo.c:1332).
 */
static void edu_gpu_swap_notify(struct ttm_buffer_object *tbo)
{
	if (tbo->ttm)
		edu_gpu_tt_unmap(bdev_to_edu_gpu(tbo->bdev),
				 to_edu_gpu_tt(tbo->ttm));
}

static const struct ttm_device_funcs edu_gpu_ttm_funcs = {
	.ttm_tt_create = edu_gpu_ttm_tt_create,
	.ttm_tt_populate = edu_gpu_ttm_tt_populate,
	.ttm_tt_unpopulate = edu_gpu_ttm_tt_unpopulate,
	.ttm_tt_destroy = edu_gpu_ttm_tt_destroy,
	.eviction_valuable = ttm_bo_eviction_valuable,
	.evict_flags = edu_gpu_evict_flags,
	.move = edu_gpu_bo_move,
	.swap_notify = edu_gpu_swap_notify,
};

static void edu_gpu_ttm_fini(struct drm_device *drm, void *arg)
{
	struct edu_gpu_device *edev = arg;

	/*
	 * The partition pool first, as amdgpu_ttm_fini() does: the last
	 * ttm_device_fini() checks that no pool is left.
	 */
	if (edev->pers->partition_pool)
		ttm_pool_fini(&edev->part_pool);
	ttm_range_man_fini(&edev->bdev, TTM_PL_TT);
	ttm_device_fini(&edev->bdev);
}

/**
 * edu_gpu_ttm_init - set up the TTM device and the TT manager
 * @edev: the device, with its DMA mask and personality set
 *
 * Both are torn down when the DRM device is released, after the last
 * buffer object is gone.
 *
 * Return: 0 or a negative error code.
 */
int edu_gpu_ttm_init(struct edu_gpu_device *edev)
{
	const struct edu_gpu_personality *pers = edev->pers;
	struct drm_device *drm = &edev->drm;
	char flags[96];
	int ret, nid;

	edev->alloc_flags = pers->alloc_flags(edev);
	ret = ttm_device_init(&edev->bdev, &edu_gpu_ttm_funcs,
			      pers->no_device ? NULL : drm->dev,
			      drm->anon_inode->i_mapping,
			      drm->vma_offset_manager, edev->alloc_flags);
	if (ret)
		return ret;

	ret = ttm_range_man_init(&edev->bdev, TTM_PL_TT, true,
				 EDU_GPU_TT_SIZE >> PAGE_SHIFT);
	if (ret) {
		ttm_device_fini(&edev->bdev);
		return ret;
	}

	/* amdgpu_ttm.c:1932-1934 */
	if (pers->partition_pool) {
		nid = dev_to_node(drm->dev);
		edev->part_nid = nid == NUMA_NO_NODE ? first_online_node : nid;
		ttm_pool_init(&edev->part_pool, drm->dev, edev->part_nid,
			      edu_gpu_part_pool_flags());
	}

	drm_info(drm, "personality %s: ttm_device_init(%s, alloc_flags %s), %s(), %s\n",
		 pers->name, pers->no_device ? "NULL" : "dev",
		 edu_gpu_flags_str(edev->alloc_flags, flags, sizeof(flags)),
		 pers->tt_init,
		 pers->driver_maps ? "the driver DMA-maps the pages" :
		 edu_gpu_cpu_only(edev) ? "system memory is the CPU's only" :
		 "TTM DMA-maps the pages");
	if (pers->partition_pool)
		drm_info(drm, "personality %s: partition pool on node %d, alloc_flags %s\n",
			 pers->name, edev->part_nid,
			 edu_gpu_flags_str(edu_gpu_part_pool_flags(),
					   flags, sizeof(flags)));

	return drmm_add_action_or_reset(drm, edu_gpu_ttm_fini, edev);
}

static void edu_gpu_bo_destroy(struct ttm_buffer_object *tbo)
{
	struct edu_gpu_device *edev = bdev_to_edu_gpu(tbo->bdev);
	struct edu_gpu_bo *bo = to_edu_gpu_bo(tbo);

	mutex_lock(&edev->bos_lock);
	list_del(&bo->link);
	mutex_unlock(&edev->bos_lock);

	drm_gem_object_release(&tbo->base);
	kfree(bo);
}

/**
 * edu_gpu_bo_create - create a buffer object
 * @edev: the device
 * @size: size in bytes, a multiple of PAGE_SIZE
 * @mem_type: initial placement, TTM_PL_SYSTEM or TTM_PL_TT
 * @caching: CPU caching of the object's pages
 * @bop: the new object, with one GEM reference, on success
 *
 * A TT object gets its pages (and their DMA addresses) now; a SYSTEM
 * object gets them at its first use.
 *
 * Return: 0 or a negative error code.
 */
int edu_gpu_bo_create(struct edu_gpu_device *edev, u64 size, u32 mem_type,
		      enum ttm_caching caching, struct edu_gpu_bo **bop)
{
	struct ttm_placement *placement;
	struct edu_gpu_bo *bo;
	int ret;

	if (WARN_ON(!size || !PAGE_ALIGNED(size)))
		return -EINVAL;
	placement = mem_type == TTM_PL_TT ? &edu_gpu_placement_tt :
					    &edu_gpu_placement_system;

	bo = kzalloc_obj(*bo);
	if (!bo)
		return -ENOMEM;

	bo->caching = caching;
	INIT_LIST_HEAD(&bo->cpu_access);
	drm_gem_private_object_init(&edev->drm, &bo->tbo.base, size);
	bo->tbo.base.funcs = &edu_gpu_gem_funcs;

	mutex_lock(&edev->bos_lock);
	bo->seq = ++edev->bo_seq;
	list_add_tail(&bo->link, &edev->bos);
	mutex_unlock(&edev->bos_lock);
	/* amdgpu: the partition of the creating process; here every other. */
	bo->in_part_pool = edev->pers->partition_pool && bo->seq % 2;

	/* On failure this calls edu_gpu_bo_destroy(). */
	ret = ttm_bo_init_validate(&edev->bdev, &bo->tbo, ttm_bo_type_device,
				   placement, 0, true, NULL, NULL,
				   edu_gpu_bo_destroy);
	if (ret)
		return ret;

	*bop = bo;
	return 0;
}

/**
 * edu_gpu_bo_validate_tt - move an object into TT
 * @bo: the object, reserved
 * @ctx: TTM operation context
 *
 * Afterwards the object's ttm_tt is populated and its dma_address[] is
 * what the device uses.
 *
 * Return: 0 or a negative error code.
 */
int edu_gpu_bo_validate_tt(struct edu_gpu_bo *bo,
			   struct ttm_operation_ctx *ctx)
{
	dma_resv_assert_held(bo->tbo.base.resv);

	return ttm_bo_validate(&bo->tbo, &edu_gpu_placement_tt, ctx);
}

/**
 * edu_gpu_bo_pin_tt - move an object into TT and pin it there
 * @bo: the object, reserved
 *
 * Return: 0 or a negative error code.
 */
int edu_gpu_bo_pin_tt(struct edu_gpu_bo *bo)
{
	struct ttm_operation_ctx ctx = { };
	int ret;

	ret = edu_gpu_bo_validate_tt(bo, &ctx);
	if (ret)
		return ret;

	ttm_bo_pin(&bo->tbo);
	return 0;
}

/**
 * edu_gpu_bo_unpin - undo edu_gpu_bo_pin_tt()
 * @bo: the object, reserved
 */
void edu_gpu_bo_unpin(struct edu_gpu_bo *bo)
{
	dma_resv_assert_held(bo->tbo.base.resv);

	ttm_bo_unpin(&bo->tbo);
}

/*
 * debugfs: edu_gpu_evict, in the DRM device's debugfs directory
 * (/sys/kernel/debug/dri/<minor>/ is a link to it).
 *
 * How a test evicts an object and swaps it out:
 *
 * 1. DRM_IOCTL_EDU_GPU_WAIT on the object first. A move waits for the
 *    object's pending copies, but only for 15 s (ttm_bo_wait_ctx()), and
 *    a long copy takes longer (~200 ms of device time per 4095 bytes).
 *
 * 2. "echo 1 > edu_gpu_evict": ttm_resource_manager_evict_all() on TT.
 *    Every unpinned object in TT moves to SYSTEM (evict_flags). The move
 *    copies nothing and keeps the pages and their DMA mappings: an
 *    evicted object is still populated. A write of anything but 1 fails
 *    with -EINVAL; an eviction error is returned by write().
 *
 * 3. "cat /sys/kernel/debug/ttm/tt_shrink": one ttm_global_swapout()
 *    per read, over every TTM device. For this device it walks the LRU
 *    of SYSTEM and then of TT (ttm_device_swapout() takes every manager
 *    with use_tt) and swaps out the first object it can: unpinned,
 *    populated, not already swapped, reservation not locked by anyone
 *    (trylock), eviction_valuable (ttm_bo_eviction_valuable(): always
 *    for SYSTEM, and for TT with the whole-range place TTM passes). An
 *    object in TT is moved to SYSTEM first, so step 2 is optional.
 *    ttm_tt_swapout() copies the pages to shmem with the CPU, then
 *    frees them and their DMA mappings. The read prints the number of
 *    pages swapped out (one object's), 0 when nothing could be; read
 *    until it prints 0 to swap out everything.
 *
 * 4. The object comes back on its next use: COPY (validation into TT
 *    populates the ttm_tt, which swaps in: new pages, new DMA addresses)
 *    or a CPU fault on a mapping (ttm_bo_populate()).
 */
static ssize_t edu_gpu_evict_write(struct file *file, const char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	struct edu_gpu_device *edev = file->private_data;
	unsigned int val;
	int ret;

	ret = kstrtouint_from_user(ubuf, len, 0, &val);
	if (ret)
		return ret;
	if (val != 1)
		return -EINVAL;

	ret = ttm_resource_manager_evict_all(&edev->bdev,
					     ttm_manager_type(&edev->bdev,
							      TTM_PL_TT));
	return ret ? ret : len;
}

static const struct file_operations edu_gpu_evict_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = edu_gpu_evict_write,
	.llseek = noop_llseek,
};

/* ttm_page_pool: TTM's page pool of this device (backend, caches) */
static int edu_gpu_ttm_pool_show(struct seq_file *m, void *unused)
{
	struct edu_gpu_device *edev = m->private;

	return ttm_pool_debugfs(&edev->bdev.pool, m);
}
DEFINE_SHOW_ATTRIBUTE(edu_gpu_ttm_pool);

/* ttm_page_pool_partition: the amdgpu personality's partition pool */
static int edu_gpu_part_pool_show(struct seq_file *m, void *unused)
{
	struct edu_gpu_device *edev = m->private;

	return ttm_pool_debugfs(&edev->part_pool, m);
}
DEFINE_SHOW_ATTRIBUTE(edu_gpu_part_pool);

/*
 * edu_gpu_info: how this device set up TTM, one "key: value" a line:
 *   personality: NAME
 *   device: dev|NULL            what ttm_device_init() got
 *   alloc_flags: 0xN (...)      the flags it got
 *   tt_init: ttm_sg_tt_init|ttm_tt_init
 *   maps: ttm|driver|none       who DMA-maps the pages for the device
 *   pools: main[ partition]     the pools objects use (debugfs
 *                               ttm_page_pool[_partition])
 *   dma_bits: N
 */
static int edu_gpu_info_show(struct seq_file *m, void *unused)
{
	struct edu_gpu_device *edev = m->private;
	const struct edu_gpu_personality *pers = edev->pers;
	char flags[96];

	seq_printf(m, "personality: %s\n", pers->name);
	seq_printf(m, "device: %s\n", pers->no_device ? "NULL" : "dev");
	seq_printf(m, "alloc_flags: %s\n",
		   edu_gpu_flags_str(edev->alloc_flags, flags, sizeof(flags)));
	seq_printf(m, "tt_init: %s\n", pers->tt_init);
	seq_printf(m, "maps: %s\n", pers->driver_maps ? "driver" :
		   edu_gpu_cpu_only(edev) ? "none" : "ttm");
	seq_printf(m, "pools: main%s\n",
		   pers->partition_pool ? " partition" : "");
	seq_printf(m, "dma_bits: %u\n", edev->dma_bits);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(edu_gpu_info);

/*
 * edu_gpu_objects: one line per buffer object, oldest first:
 *   seq N offset 0xN size 0xN placement system|tt|none pool main|partition
 *   populated 0|1 swapped 0|1 pin N cpu_access N
 * offset is the object's mmap offset (DRM_IOCTL_EDU_GPU_MMAP_OFFSET), by
 * which a test finds its objects. An object whose reservation is held by
 * someone else at that moment reads "seq N offset 0xN size 0xN busy".
 */
static int edu_gpu_objects_show(struct seq_file *m, void *unused)
{
	struct edu_gpu_device *edev = m->private;
	struct ttm_buffer_object *tbo;
	struct edu_gpu_bo *bo;
	struct ttm_tt *tt;
	const char *place;

	mutex_lock(&edev->bos_lock);
	list_for_each_entry(bo, &edev->bos, link) {
		tbo = &bo->tbo;
		seq_printf(m, "seq %llu offset %#llx size %#zx", bo->seq,
			   drm_vma_node_offset_addr(&tbo->base.vma_node),
			   tbo->base.size);
		if (!dma_resv_trylock(tbo->base.resv)) {
			seq_puts(m, " busy\n");
			continue;
		}
		place = !tbo->resource ? "none" :
			tbo->resource->mem_type == TTM_PL_TT ? "tt" :
			tbo->resource->mem_type == TTM_PL_SYSTEM ? "system" :
			"other";
		tt = tbo->ttm;
		seq_printf(m, " placement %s pool %s populated %d swapped %d pin %u cpu_access %u\n",
			   place, bo->in_part_pool ? "partition" : "main",
			   tt && ttm_tt_is_populated(tt),
			   tt && ttm_tt_is_swapped(tt), tbo->pin_count,
			   bo->num_cpu_access);
		dma_resv_unlock(tbo->base.resv);
	}
	mutex_unlock(&edev->bos_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(edu_gpu_objects);

/**
 * edu_gpu_debugfs_init - &drm_driver.debugfs_init
 * @minor: the DRM minor (the primary one)
 *
 * Adds edu_gpu_evict, the TT manager's state (edu_gpu_tt_mm), TTM's page
 * pool (ttm_page_pool; ttm_page_pool_partition for the amdgpu
 * personality's second pool), the personality (edu_gpu_info) and the
 * state of every object (edu_gpu_objects).
 */
void edu_gpu_debugfs_init(struct drm_minor *minor)
{
	struct edu_gpu_device *edev = to_edu_gpu(minor->dev);

	debugfs_create_file("edu_gpu_evict", 0200, minor->debugfs_root, edev,
			    &edu_gpu_evict_fops);
	debugfs_create_file("ttm_page_pool", 0444, minor->debugfs_root, edev,
			    &edu_gpu_ttm_pool_fops);
	if (edev->pers->partition_pool)
		debugfs_create_file("ttm_page_pool_partition", 0444,
				    minor->debugfs_root, edev,
				    &edu_gpu_part_pool_fops);
	debugfs_create_file("edu_gpu_info", 0444, minor->debugfs_root, edev,
			    &edu_gpu_info_fops);
	debugfs_create_file("edu_gpu_objects", 0444, minor->debugfs_root,
			    edev, &edu_gpu_objects_fops);
	ttm_resource_manager_create_debugfs(ttm_manager_type(&edev->bdev,
							     TTM_PL_TT),
					    minor->debugfs_root,
					    "edu_gpu_tt_mm");
}
