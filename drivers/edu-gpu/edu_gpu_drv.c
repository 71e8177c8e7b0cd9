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
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_ttm_helper.h>
#include <drm/drm_ioctl.h>
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

static const struct drm_ioctl_desc edu_gpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(EDU_GPU_CREATE, edu_gpu_create_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(EDU_GPU_MMAP_OFFSET, edu_gpu_mmap_offset_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(EDU_GPU_COPY, edu_gpu_copy_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(EDU_GPU_WAIT, edu_gpu_wait_ioctl, DRM_RENDER_ALLOW),
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
	edev->engine.mmio = mmio;
	pci_set_drvdata(pdev, edev);

	ret = edu_gpu_engine_init(edev);
	if (ret)
		return ret;

	ret = edu_gpu_ttm_init(edev);
	if (ret)
		return ret;

	ret = drm_dev_register(&edev->drm, 0);
	if (ret)
		return ret;

	drm_info(&edev->drm, "edu %u.%u, dma_bits %u, %s interrupt %d\n",
		 ident >> 24, (ident >> 16) & 0xff, dma_bits,
		 pdev->msi_enabled ? "MSI" : "INTx", edev->engine.irq);
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
