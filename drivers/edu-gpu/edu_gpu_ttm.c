// SPDX-License-Identifier: GPL-2.0
/*
 * edu_gpu TTM: the TTM device, buffer objects, placement, moves and the
 * eviction debugfs file.
 *
 * Two placements: TTM_PL_SYSTEM and TTM_PL_TT. Both are backed by a
 * ttm_tt whose pages come from TTM's pool; the TT manager is a range
 * manager of EDU_GPU_TT_SIZE, and binding to TT needs nothing but the
 * DMA addresses TTM already stored in the ttm_tt (ttm_sg_tt_init()), so
 * SYSTEM <-> TT moves keep the same pages and copy nothing.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <drm/drm_cache.h>
#include <drm/drm_file.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
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
 * What depends on the TTM the driver is built against (besides the
 * dma-buf CPU access hooks in edu_gpu_gem.c).
 *
 * Unpatched TTM: the driver picks the pool's DMA flags, like amdgpu and
 * radeon do (TTM_ALLOCATION_POOL_USE_DMA_ALLOC when drm_need_swiotlb()
 * says so, TTM_ALLOCATION_POOL_USE_DMA32 when dma_addressing_limited()),
 * and the "pool" module parameter can override the first.
 *
 * TTM with the DMA pool backends series: TTM chooses how to allocate
 * DMA-able pages itself; the driver passes no DMA flags and has no "pool"
 * parameter. Kbuild defines EDU_GPU_TTM_POOL_BACKENDS when
 * include/drm/ttm/ttm_tt.h declares ttm_tt_sync_for_device().
 */
#ifdef EDU_GPU_TTM_POOL_BACKENDS

/**
 * edu_gpu_ttm_check_params - check the TTM module parameters
 *
 * TTM chooses its DMA backend itself: there is nothing to check.
 *
 * Return: 0.
 */
int edu_gpu_ttm_check_params(void)
{
	return 0;
}

static unsigned int edu_gpu_ttm_alloc_flags(struct edu_gpu_device *edev)
{
	drm_info(&edev->drm,
		 "TTM alloc_flags 0x0 (TTM chooses the pool's DMA backend), dma_bits %u\n",
		 edev->dma_bits);
	return 0;
}

#else /* !EDU_GPU_TTM_POOL_BACKENDS */

static char *pool = "auto";
module_param(pool, charp, 0444);
MODULE_PARM_DESC(pool,
		 "TTM pool DMA allocation: auto (as amdgpu: coherent when drm_need_swiotlb(dma_bits)), plain (never coherent), coherent (always)");

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
 * Return: 0, or -EINVAL (with a message) if "pool" has no valid value.
 */
int edu_gpu_ttm_check_params(void)
{
	if (pool && sysfs_match_string(edu_gpu_pool_modes, pool) >= 0)
		return 0;

	pr_err("invalid pool=%s: valid values are auto, plain and coherent\n",
	       pool ? pool : "(null)");
	return -EINVAL;
}

static unsigned int edu_gpu_ttm_alloc_flags(struct edu_gpu_device *edev)
{
	struct device *dev = &edev->pdev->dev;
	unsigned int flags = 0;
	bool need_swiotlb, coherent;
	int mode;

	mode = sysfs_match_string(edu_gpu_pool_modes, pool);
	need_swiotlb = drm_need_swiotlb(edev->dma_bits);
	switch (mode) {
	case EDU_GPU_POOL_PLAIN:
		coherent = false;
		break;
	case EDU_GPU_POOL_COHERENT:
		coherent = true;
		break;
	default:
		coherent = need_swiotlb;
		break;
	}

	if (coherent)
		flags |= TTM_ALLOCATION_POOL_USE_DMA_ALLOC;
	if (dma_addressing_limited(dev))
		flags |= TTM_ALLOCATION_POOL_USE_DMA32;

	drm_info(&edev->drm,
		 "TTM alloc_flags %#x (%s%s), pool=%s, drm_need_swiotlb(%u)=%d\n",
		 flags, coherent ? "USE_DMA_ALLOC" : "no USE_DMA_ALLOC",
		 flags & TTM_ALLOCATION_POOL_USE_DMA32 ? " USE_DMA32" : "",
		 edu_gpu_pool_modes[mode], edev->dma_bits, need_swiotlb);
	return flags;
}

#endif /* EDU_GPU_TTM_POOL_BACKENDS */

static struct ttm_tt *edu_gpu_ttm_tt_create(struct ttm_buffer_object *tbo,
					    u32 page_flags)
{
	struct edu_gpu_bo *bo = to_edu_gpu_bo(tbo);
	struct ttm_tt *tt;

	tt = kzalloc_obj(*tt);
	if (!tt)
		return NULL;

	/* ttm_sg_tt_init: TTM fills tt->dma_address[], our "GART". */
	if (ttm_sg_tt_init(tt, tbo, page_flags, bo->caching)) {
		kfree(tt);
		return NULL;
	}

	return tt;
}

static void edu_gpu_ttm_tt_destroy(struct ttm_device *bdev, struct ttm_tt *tt)
{
	ttm_tt_fini(tt);
	kfree(tt);
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

static const struct ttm_device_funcs edu_gpu_ttm_funcs = {
	.ttm_tt_create = edu_gpu_ttm_tt_create,
	.ttm_tt_destroy = edu_gpu_ttm_tt_destroy,
	.eviction_valuable = ttm_bo_eviction_valuable,
	.evict_flags = edu_gpu_evict_flags,
	.move = edu_gpu_bo_move,
	/*
	 * No swap_notify: before a swap-out TTM moves the object to SYSTEM
	 * (edu_gpu_bo_move() waits for it to be idle), waits again, and
	 * unmaps its CPU mappings; ttm_tt_swapout() then releases the pages
	 * and their DMA mappings. There is no other binding to undo.
	 */
};

static void edu_gpu_ttm_fini(struct drm_device *drm, void *arg)
{
	struct edu_gpu_device *edev = arg;

	ttm_range_man_fini(&edev->bdev, TTM_PL_TT);
	ttm_device_fini(&edev->bdev);
}

/**
 * edu_gpu_ttm_init - set up the TTM device and the TT manager
 * @edev: the device, with its DMA mask set
 *
 * Both are torn down when the DRM device is released, after the last
 * buffer object is gone.
 *
 * Return: 0 or a negative error code.
 */
int edu_gpu_ttm_init(struct edu_gpu_device *edev)
{
	struct drm_device *drm = &edev->drm;
	int ret;

	ret = ttm_device_init(&edev->bdev, &edu_gpu_ttm_funcs, drm->dev,
			      drm->anon_inode->i_mapping,
			      drm->vma_offset_manager,
			      edu_gpu_ttm_alloc_flags(edev));
	if (ret)
		return ret;

	ret = ttm_range_man_init(&edev->bdev, TTM_PL_TT, true,
				 EDU_GPU_TT_SIZE >> PAGE_SHIFT);
	if (ret) {
		ttm_device_fini(&edev->bdev);
		return ret;
	}

	return drmm_add_action_or_reset(drm, edu_gpu_ttm_fini, edev);
}

static void edu_gpu_bo_destroy(struct ttm_buffer_object *tbo)
{
	struct edu_gpu_bo *bo = to_edu_gpu_bo(tbo);

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
	drm_gem_private_object_init(&edev->drm, &bo->tbo.base, size);
	bo->tbo.base.funcs = &edu_gpu_gem_funcs;

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

/**
 * edu_gpu_debugfs_init - &drm_driver.debugfs_init
 * @minor: the DRM minor (the primary one)
 *
 * Adds edu_gpu_evict, the TT manager's state (edu_gpu_tt_mm) and TTM's
 * page pool (ttm_page_pool).
 */
void edu_gpu_debugfs_init(struct drm_minor *minor)
{
	struct edu_gpu_device *edev = to_edu_gpu(minor->dev);

	debugfs_create_file("edu_gpu_evict", 0200, minor->debugfs_root, edev,
			    &edu_gpu_evict_fops);
	debugfs_create_file("ttm_page_pool", 0444, minor->debugfs_root, edev,
			    &edu_gpu_ttm_pool_fops);
	ttm_resource_manager_create_debugfs(ttm_manager_type(&edev->bdev,
							     TTM_PL_TT),
					    minor->debugfs_root,
					    "edu_gpu_tt_mm");
}
