// SPDX-License-Identifier: GPL-2.0
/*
 * edu_gpu: a DRM/TTM driver for QEMU's edu PCI device (1234:11e8), a test
 * GPU whose only engine is a DMA copy engine. PCI and DRM glue, ioctls.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_ttm_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_vma_manager.h>
#include <drm/ttm/ttm_device.h>
#include <drm/ttm/ttm_placement.h>

#include "edu_gpu.h"
#include "edu_gpu_drm.h"

#define EDU_GPU_DMA_BITS_MIN	24
#define EDU_GPU_DMA_BITS_MAX	32

static unsigned int dma_bits = EDU_GPU_DMA_BITS_MAX;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits,
		 "DMA mask of the device in bits, 24..32 (default 32); a smaller mask makes the DMA layer bounce");

static int edu_gpu_create_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct drm_edu_gpu_create *args = data;
	enum ttm_caching caching;
	struct edu_gpu_bo *bo;
	u32 mem_type, handle;
	int ret;

	if (args->flags || !args->size ||
	    args->size > EDU_GPU_MAX_OBJECT_SIZE)
		return -EINVAL;

	switch (args->placement) {
	case EDU_GPU_PLACE_SYSTEM:
		mem_type = TTM_PL_SYSTEM;
		break;
	case EDU_GPU_PLACE_TT:
		mem_type = TTM_PL_TT;
		break;
	default:
		return -EINVAL;
	}

	switch (args->caching) {
	case EDU_GPU_CACHING_CACHED:
		caching = ttm_cached;
		break;
	case EDU_GPU_CACHING_WC:
		caching = ttm_write_combined;
		break;
	case EDU_GPU_CACHING_UC:
		caching = ttm_uncached;
		break;
	default:
		return -EINVAL;
	}

	ret = edu_gpu_bo_create(to_edu_gpu(drm), PAGE_ALIGN(args->size),
				mem_type, caching, &bo);
	if (ret)
		return ret;

	ret = drm_gem_handle_create(file, &bo->tbo.base, &handle);
	if (!ret) {
		args->size = bo->tbo.base.size;
		args->handle = handle;
	}
	drm_gem_object_put(&bo->tbo.base);
	return ret;
}

static int edu_gpu_mmap_offset_ioctl(struct drm_device *drm, void *data,
				     struct drm_file *file)
{
	struct drm_edu_gpu_mmap_offset *args = data;
	struct drm_gem_object *obj;

	if (args->pad)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	args->offset = drm_vma_node_offset_addr(&obj->vma_node);
	drm_gem_object_put(obj);
	return 0;
}

/* [offset, offset + size) lies inside @obj, 0 < size. */
static bool edu_gpu_range_ok(struct drm_gem_object *obj, u64 offset, u64 size)
{
	u64 end;

	return !check_add_overflow(offset, size, &end) && end <= obj->size;
}

static int edu_gpu_copy_ioctl(struct drm_device *drm, void *data,
			      struct drm_file *file)
{
	struct drm_edu_gpu_copy *args = data;
	struct drm_gem_object *src, *dst;
	int idx, ret;

	if (args->flags || args->pad || !args->size)
		return -EINVAL;

	src = drm_gem_object_lookup(file, args->src_handle);
	if (!src)
		return -ENOENT;
	dst = drm_gem_object_lookup(file, args->dst_handle);
	if (!dst) {
		ret = -ENOENT;
		goto out_src;
	}

	if (!edu_gpu_range_ok(src, args->src_offset, args->size) ||
	    !edu_gpu_range_ok(dst, args->dst_offset, args->size)) {
		ret = -EINVAL;
		goto out_dst;
	}
	/* Both ends are known not to overflow now. */
	if (src == dst &&
	    args->src_offset < args->dst_offset + args->size &&
	    args->dst_offset < args->src_offset + args->size) {
		ret = -EINVAL;
		goto out_dst;
	}

	/* Arguments first: bad ones get -EINVAL/-ENOENT with any personality. */
	if (edu_gpu_cpu_only(to_edu_gpu(drm))) {
		ret = -EOPNOTSUPP;
		goto out_dst;
	}

	if (!drm_dev_enter(drm, &idx)) {
		ret = -ENODEV;
		goto out_dst;
	}
	ret = edu_gpu_engine_copy(to_edu_gpu(drm),
				  gem_to_edu_gpu_bo(src), args->src_offset,
				  gem_to_edu_gpu_bo(dst), args->dst_offset,
				  args->size);
	drm_dev_exit(idx);

out_dst:
	drm_gem_object_put(dst);
out_src:
	drm_gem_object_put(src);
	return ret;
}

/* -EIO if a copy still tracked by @resv failed. */
static int edu_gpu_resv_error(struct dma_resv *resv)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	int ret = 0;

	dma_resv_iter_begin(&cursor, resv, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_for_each_fence_unlocked(&cursor, fence) {
		if (dma_fence_get_status(fence) < 0) {
			ret = -EIO;
			break;
		}
	}
	dma_resv_iter_end(&cursor);

	return ret;
}

static int edu_gpu_wait_ioctl(struct drm_device *drm, void *data,
			      struct drm_file *file)
{
	struct drm_edu_gpu_wait *args = data;
	struct drm_gem_object *obj;
	unsigned long timeout;
	long lret;
	int ret;

	if (args->flags || args->timeout_ns < 0)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	if (!args->timeout_ns) {
		lret = dma_resv_test_signaled(obj->resv,
					      DMA_RESV_USAGE_BOOKKEEP);
	} else {
		timeout = min_t(u64, nsecs_to_jiffies64(args->timeout_ns),
				MAX_SCHEDULE_TIMEOUT);
		lret = dma_resv_wait_timeout(obj->resv,
					     DMA_RESV_USAGE_BOOKKEEP, true,
					     max(timeout, 1UL));
	}

	if (lret < 0)
		ret = lret;
	else if (!lret)
		ret = -ETIME;
	else
		ret = edu_gpu_resv_error(obj->resv);

	drm_gem_object_put(obj);
	return ret;
}

/*
 * CPU accesses through mappings: CPU_PREP and CPU_FINI.
 *
 * Every open access is recorded in the object, under its reservation
 * lock; while it has one the object is pinned, so that the pages the CPU
 * was handed stay the object's (no eviction, no swap-out) until CPU_FINI
 * hands the same pages back. TTM's ownership of the pages changes with
 * each call (ttm_tt_sync_for_cpu() opens a CPU access, per page and
 * nestable; ttm_tt_sync_for_device() closes one): a CPU_FINI without its
 * CPU_PREP would close an access that is not open, so it is refused.
 */

/**
 * struct edu_gpu_cpu_access - an open CPU access to an object
 * @link: in &edu_gpu_bo.cpu_access
 * @offset: byte offset of the range
 * @size: bytes
 * @flags: EDU_GPU_CPU_READ and/or EDU_GPU_CPU_WRITE
 */
struct edu_gpu_cpu_access {
	struct list_head link;
	u64 offset;
	u64 size;
	u32 flags;
};

static void edu_gpu_cpu_access_pages(u64 offset, u64 size, pgoff_t *first,
				     pgoff_t *count)
{
	*first = offset >> PAGE_SHIFT;
	*count = ((offset + size - 1) >> PAGE_SHIFT) - *first + 1;
}

/* Hands the range back to the device and forgets the access. */
static void edu_gpu_cpu_access_end(struct edu_gpu_bo *bo,
				   struct edu_gpu_cpu_access *acc)
{
	pgoff_t first, count;

	edu_gpu_cpu_access_pages(acc->offset, acc->size, &first, &count);
	edu_gpu_bo_sync(bo, first, count, true);
	list_del(&acc->link);
	kfree(acc);
	if (!--bo->num_cpu_access)
		ttm_bo_unpin(&bo->tbo);
}

/**
 * edu_gpu_bo_drop_cpu_access - end every open CPU access of an object
 * @bo: the object, unreserved, about to be freed
 */
void edu_gpu_bo_drop_cpu_access(struct edu_gpu_bo *bo)
{
	struct edu_gpu_cpu_access *acc, *tmp;

	if (list_empty(&bo->cpu_access))
		return;

	dma_resv_lock(bo->tbo.base.resv, NULL);
	list_for_each_entry_safe(acc, tmp, &bo->cpu_access, link)
		edu_gpu_cpu_access_end(bo, acc);
	dma_resv_unlock(bo->tbo.base.resv);
}

/**
 * edu_gpu_bo_cpu_busy - whether the CPU has an access open
 * @bo: the object, reserved
 *
 * Return: true while a CPU_PREP has no CPU_FINI yet.
 */
bool edu_gpu_bo_cpu_busy(struct edu_gpu_bo *bo)
{
	dma_resv_assert_held(bo->tbo.base.resv);

	return bo->num_cpu_access;
}

/* Checks the arguments; returns the object (a reference) or an ERR_PTR. */
static struct drm_gem_object *
edu_gpu_cpu_access_lookup(struct drm_file *file,
			  const struct drm_edu_gpu_cpu_access *args)
{
	struct drm_gem_object *obj;

	if (!args->flags ||
	    args->flags & ~(EDU_GPU_CPU_READ | EDU_GPU_CPU_WRITE) ||
	    args->pad || !args->size)
		return ERR_PTR(-EINVAL);

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return ERR_PTR(-ENOENT);

	if (!edu_gpu_range_ok(obj, args->offset, args->size)) {
		drm_gem_object_put(obj);
		return ERR_PTR(-EINVAL);
	}

	return obj;
}

static int edu_gpu_cpu_prep_ioctl(struct drm_device *drm, void *data,
				  struct drm_file *file)
{
	struct ttm_operation_ctx ctx = { .interruptible = true };
	struct drm_edu_gpu_cpu_access *args = data;
	bool write = args->flags & EDU_GPU_CPU_WRITE;
	struct edu_gpu_cpu_access *acc;
	struct drm_gem_object *obj;
	pgoff_t first, count;
	struct edu_gpu_bo *bo;
	int idx, ret;
	long lret;

	obj = edu_gpu_cpu_access_lookup(file, args);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	bo = gem_to_edu_gpu_bo(obj);

	acc = kzalloc_obj(*acc);
	if (!acc) {
		ret = -ENOMEM;
		goto out_put;
	}
	acc->offset = args->offset;
	acc->size = args->size;
	acc->flags = args->flags;

	if (!drm_dev_enter(drm, &idx)) {
		ret = -ENODEV;
		goto out_free;
	}

	ret = dma_resv_lock_interruptible(obj->resv, NULL);
	if (ret)
		goto out_exit;

	if (bo->num_cpu_access >= EDU_GPU_MAX_CPU_ACCESS) {
		ret = -ENOSPC;
		goto out_unlock;
	}

	/* Reading waits for the copies that write the object, writing for all. */
	lret = dma_resv_wait_timeout(obj->resv, dma_resv_usage_rw(write), true,
				     MAX_SCHEDULE_TIMEOUT);
	if (lret < 0) {
		ret = lret;
		goto out_unlock;
	}

	ret = ttm_bo_populate(&bo->tbo, &ctx);
	if (ret)
		goto out_unlock;

	if (!bo->num_cpu_access++)
		ttm_bo_pin(&bo->tbo);
	list_add_tail(&acc->link, &bo->cpu_access);
	acc = NULL;

	edu_gpu_cpu_access_pages(args->offset, args->size, &first, &count);
	edu_gpu_bo_sync(bo, first, count, false);

out_unlock:
	dma_resv_unlock(obj->resv);
out_exit:
	drm_dev_exit(idx);
out_free:
	kfree(acc);
out_put:
	drm_gem_object_put(obj);
	return ret == -EINTR ? -ERESTARTSYS : ret;
}

static int edu_gpu_cpu_fini_ioctl(struct drm_device *drm, void *data,
				  struct drm_file *file)
{
	struct drm_edu_gpu_cpu_access *args = data;
	struct edu_gpu_cpu_access *acc;
	struct drm_gem_object *obj;
	struct edu_gpu_bo *bo;
	int ret;

	obj = edu_gpu_cpu_access_lookup(file, args);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	bo = gem_to_edu_gpu_bo(obj);

	ret = dma_resv_lock_interruptible(obj->resv, NULL);
	if (ret)
		goto out_put;

	/* The most recent matching access: they are interchangeable. */
	ret = -EINVAL;
	list_for_each_entry_reverse(acc, &bo->cpu_access, link) {
		if (acc->offset == args->offset && acc->size == args->size &&
		    acc->flags == args->flags) {
			edu_gpu_cpu_access_end(bo, acc);
			ret = 0;
			break;
		}
	}

	dma_resv_unlock(obj->resv);
out_put:
	drm_gem_object_put(obj);
	return ret == -EINTR ? -ERESTARTSYS : ret;
}

static const struct drm_ioctl_desc edu_gpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(EDU_GPU_CREATE, edu_gpu_create_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(EDU_GPU_MMAP_OFFSET, edu_gpu_mmap_offset_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(EDU_GPU_COPY, edu_gpu_copy_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(EDU_GPU_WAIT, edu_gpu_wait_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(EDU_GPU_CPU_PREP, edu_gpu_cpu_prep_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(EDU_GPU_CPU_FINI, edu_gpu_cpu_fini_ioctl,
			  DRM_RENDER_ALLOW),
};

DEFINE_DRM_GEM_FOPS(edu_gpu_fops);

static const struct drm_driver edu_gpu_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER,
	.ioctls = edu_gpu_ioctls,
	.num_ioctls = ARRAY_SIZE(edu_gpu_ioctls),
	.fops = &edu_gpu_fops,
	.debugfs_init = edu_gpu_debugfs_init,
	.gem_prime_import = edu_gpu_gem_prime_import,
	.dumb_create = edu_gpu_dumb_create,
	.dumb_map_offset = drm_gem_ttm_dumb_map_offset,
	.name = EDU_GPU_NAME,
	.desc = "QEMU edu device as a TTM test GPU",
	.major = 1,
	.minor = 0,
};

static int edu_gpu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_gpu_device *edev;
	void __iomem *mmio;
	u32 ident;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	mmio = pcim_iomap_region(pdev, 0, EDU_GPU_NAME);
	if (IS_ERR(mmio))
		return PTR_ERR(mmio);

	ident = readl(mmio + EDU_REG_ID);
	writel(0x5a5aa5a5, mmio + EDU_REG_LIVENESS);
	if ((ident & 0xff) != EDU_ID_MAGIC ||
	    readl(mmio + EDU_REG_LIVENESS) != ~0x5a5aa5a5u) {
		dev_err(&pdev->dev, "not an edu device (id %#x)\n", ident);
		return -ENODEV;
	}

	/* The device clamps addresses to its own mask: never exceed ours. */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(dma_bits));
	if (ret) {
		dev_err(&pdev->dev, "DMA layer refuses a %u-bit DMA mask: %d\n",
			dma_bits, ret);
		return ret;
	}
	pci_set_master(pdev);

	edev = devm_drm_dev_alloc(&pdev->dev, &edu_gpu_drm_driver,
				  struct edu_gpu_device, drm);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	edev->pdev = pdev;
	edev->dma_bits = dma_bits;
	edev->pers = edu_gpu_ttm_personality();
	edev->engine.mmio = mmio;
	INIT_LIST_HEAD(&edev->bos);
	pci_set_drvdata(pdev, edev);

	ret = drmm_mutex_init(&edev->drm, &edev->bos_lock);
	if (ret)
		return ret;

	ret = edu_gpu_engine_init(edev);
	if (ret)
		return ret;

	ret = edu_gpu_ttm_init(edev);
	if (ret)
		return ret;

	ret = drm_dev_register(&edev->drm, 0);
	if (ret)
		return ret;

	drm_info(&edev->drm, "edu %u.%u, dma_bits %u, %s interrupt %d, personality %s\n",
		 ident >> 24, (ident >> 16) & 0xff, dma_bits,
		 pdev->msi_enabled ? "MSI" : "INTx", edev->engine.irq,
		 edev->pers->name);
	return 0;
}

/*
 * Unplug stops new ioctls, waits for the running copy and zaps every CPU
 * mapping (later faults get a dummy page). The copies still queued then
 * fail with -ENODEV. Users may keep their objects past this point: give
 * back the DMA mappings of their pages now, as amdgpu does on unplug.
 * TTM itself is torn down with the DRM device, after the last user.
 */
static void edu_gpu_remove(struct pci_dev *pdev)
{
	struct edu_gpu_device *edev = pci_get_drvdata(pdev);

	drm_dev_unplug(&edev->drm);
	flush_workqueue(edev->engine.wq);
	ttm_device_clear_dma_mappings(&edev->bdev);
}

static const struct pci_device_id edu_gpu_pci_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_gpu_pci_ids);

static struct pci_driver edu_gpu_pci_driver = {
	.name = EDU_GPU_NAME,
	.id_table = edu_gpu_pci_ids,
	.probe = edu_gpu_probe,
	.remove = edu_gpu_remove,
};

static int __init edu_gpu_init(void)
{
	int ret;

	if (dma_bits < EDU_GPU_DMA_BITS_MIN || dma_bits > EDU_GPU_DMA_BITS_MAX) {
		pr_err("invalid dma_bits=%u: valid range is %u..%u\n",
		       dma_bits, EDU_GPU_DMA_BITS_MIN, EDU_GPU_DMA_BITS_MAX);
		return -EINVAL;
	}

	ret = edu_gpu_ttm_check_params();
	if (ret)
		return ret;

	return pci_register_driver(&edu_gpu_pci_driver);
}
module_init(edu_gpu_init);

static void __exit edu_gpu_exit(void)
{
	pci_unregister_driver(&edu_gpu_pci_driver);
}
module_exit(edu_gpu_exit);

MODULE_DESCRIPTION("DRM/TTM driver for QEMU's edu device, a TTM test GPU");
MODULE_LICENSE("GPL");
