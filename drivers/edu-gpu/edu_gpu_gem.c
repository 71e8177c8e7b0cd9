// SPDX-License-Identifier: GPL-2.0
/*
 * edu_gpu GEM objects: object functions, CPU page faults, PRIME and dumb
 * buffers. Every GEM object is a TTM buffer object (struct edu_gpu_bo)
 * and uses DRM's GEM-TTM helpers where they fit.
 */

#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/dma-resv.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>

#include <drm/drm_drv.h>
#include <drm/drm_dumb_buffers.h>
#include <drm/drm_gem_ttm_helper.h>
#include <drm/drm_prime.h>
#include <drm/drm_vma_manager.h>
#include <drm/ttm/ttm_placement.h>
#include <drm/ttm/ttm_tt.h>

#include "edu_gpu.h"
#include "edu_gpu_drm.h"

static void edu_gpu_gem_free(struct drm_gem_object *obj)
{
	struct edu_gpu_bo *bo = gem_to_edu_gpu_bo(obj);

	/* CPU accesses left open: the pages go back to the device, unpinned. */
	edu_gpu_bo_drop_cpu_access(bo);
	ttm_bo_fini(&bo->tbo);
}

/*
 * Like TTM's fault handler, but a fault also waits for every copy that
 * reads or writes the object, not only for TTM's own moves: the UAPI
 * promises that a CPU access through a mapping sees finished copies.
 * COPY unmaps both objects, so the next access faults. Returns with the
 * reservation still held unless it returns VM_FAULT_RETRY after having
 * waited.
 */
static vm_fault_t edu_gpu_gem_fault_idle(struct ttm_buffer_object *tbo,
					 struct vm_fault *vmf)
{
	long ret;

	if (dma_resv_test_signaled(tbo->base.resv, DMA_RESV_USAGE_BOOKKEEP))
		return 0;

	/* If we may, wait without the mmap lock and retry the fault. */
	if (fault_flag_allow_retry_first(vmf->flags)) {
		if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
			return VM_FAULT_RETRY;

		drm_gem_object_get(&tbo->base);
		mmap_read_unlock(vmf->vma->vm_mm);
		(void)dma_resv_wait_timeout(tbo->base.resv,
					    DMA_RESV_USAGE_BOOKKEEP, true,
					    MAX_SCHEDULE_TIMEOUT);
		dma_resv_unlock(tbo->base.resv);
		drm_gem_object_put(&tbo->base);
		return VM_FAULT_RETRY;
	}

	ret = dma_resv_wait_timeout(tbo->base.resv, DMA_RESV_USAGE_BOOKKEEP,
				    true, MAX_SCHEDULE_TIMEOUT);
	if (ret < 0)
		return ret == -ERESTARTSYS ? VM_FAULT_NOPAGE : VM_FAULT_SIGBUS;

	return 0;
}

static vm_fault_t edu_gpu_gem_fault(struct vm_fault *vmf)
{
	struct ttm_buffer_object *tbo = vmf->vma->vm_private_data;
	pgprot_t prot = vmf->vma->vm_page_prot;
	vm_fault_t ret;
	int idx;

	ret = ttm_bo_vm_reserve(tbo, vmf);
	if (ret)
		return ret;

	if (drm_dev_enter(tbo->base.dev, &idx)) {
		ret = edu_gpu_gem_fault_idle(tbo, vmf);
		if (!ret)
			ret = ttm_bo_vm_fault_reserved(vmf, prot,
						       TTM_BO_VM_NUM_PREFAULT);
		drm_dev_exit(idx);
	} else {
		ret = ttm_bo_vm_dummy_page(vmf, prot);
	}
	if (ret == VM_FAULT_RETRY && !(vmf->flags & FAULT_FLAG_RETRY_NOWAIT))
		return ret;

	dma_resv_unlock(tbo->base.resv);
	return ret;
}

/*
 * ptrace access (/proc/PID/mem, access_process_vm()): ttm_bo_access()
 * kmaps the pages and hands over what TTM mapped itself. A driver mapping
 * (xe personality) is the driver's to hand over, around it.
 */
static int edu_gpu_gem_vm_access(struct vm_area_struct *vma,
				 unsigned long addr, void *buf, int len,
				 int write)
{
	struct ttm_buffer_object *tbo = vma->vm_private_data;
	struct edu_gpu_bo *bo = to_edu_gpu_bo(tbo);
	unsigned long offset;
	pgoff_t first, count;
	int ret;

	offset = addr - vma->vm_start +
		 ((vma->vm_pgoff - drm_vma_node_start(&tbo->base.vma_node))
		  << PAGE_SHIFT);
	if (!bdev_to_edu_gpu(tbo->bdev)->pers->driver_maps || len < 1 ||
	    offset + len > tbo->base.size)
		return ttm_bo_vm_access(vma, addr, buf, len, write);

	first = offset >> PAGE_SHIFT;
	count = ((offset + len - 1) >> PAGE_SHIFT) - first + 1;
	ret = dma_resv_lock_interruptible(tbo->base.resv, NULL);
	if (ret)
		return ret;
	edu_gpu_bo_sync_driver_map(bo, first, count, false);
	dma_resv_unlock(tbo->base.resv);

	ret = ttm_bo_vm_access(vma, addr, buf, len, write);

	dma_resv_lock(tbo->base.resv, NULL);
	edu_gpu_bo_sync_driver_map(bo, first, count, true);
	dma_resv_unlock(tbo->base.resv);
	return ret;
}

static const struct vm_operations_struct edu_gpu_gem_vm_ops = {
	.fault = edu_gpu_gem_fault,
	.open = ttm_bo_vm_open,
	.close = ttm_bo_vm_close,
	.access = edu_gpu_gem_vm_access,
};

/* PRIME attach (drm_gem_map_attach()), reserved: keep the pages in TT. */
static int edu_gpu_gem_pin(struct drm_gem_object *obj)
{
	return edu_gpu_bo_pin_tt(gem_to_edu_gpu_bo(obj));
}

static void edu_gpu_gem_unpin(struct drm_gem_object *obj)
{
	edu_gpu_bo_unpin(gem_to_edu_gpu_bo(obj));
}

/* For drm_gem_map_dma_buf(): the object is pinned, hence populated. */
static struct sg_table *edu_gpu_gem_get_sg_table(struct drm_gem_object *obj)
{
	struct ttm_tt *tt = gem_to_edu_gpu_bo(obj)->tbo.ttm;

	if (!tt || !ttm_tt_is_populated(tt))
		return ERR_PTR(-EINVAL);

	return drm_prime_pages_to_sg(obj->dev, tt->pages, tt->num_pages);
}

/* Kernel mappings, reserved: pinned, so the pages cannot go away. */
static int edu_gpu_gem_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	struct edu_gpu_bo *bo = gem_to_edu_gpu_bo(obj);
	int ret;

	ret = edu_gpu_bo_pin_tt(bo);
	if (ret)
		return ret;

	ret = drm_gem_ttm_vmap(obj, map);
	if (ret)
		edu_gpu_bo_unpin(bo);

	return ret;
}

static void edu_gpu_gem_vunmap(struct drm_gem_object *obj,
			       struct iosys_map *map)
{
	drm_gem_ttm_vunmap(obj, map);
	edu_gpu_bo_unpin(gem_to_edu_gpu_bo(obj));
}

/*
 * dma-buf CPU access. With the series, the GEM-TTM helpers hand TTM's
 * pages over (drm_gem_ttm_dmabuf_begin_cpu_access() and _end_), as in
 * amdgpu's own dma-buf operations (edu_gpu's default) and in
 * drm_gem_ttm_prime_export()'s, which the radeon and nouveau
 * personalities export with; edu_gpu adds nothing before them: they must
 * wait for the device themselves (the dma-buf core waits only after
 * begin_cpu_access). The xe personality's own mapping is handed over
 * after them, as a driver with its own mapping would. The unpatched tree
 * has no helpers: the CPU may read stale data.
 */
static int edu_gpu_dmabuf_sync_map(struct dma_buf *dma_buf, bool for_device)
{
	struct edu_gpu_bo *bo = gem_to_edu_gpu_bo(dma_buf->priv);
	int ret;

	if (!bdev_to_edu_gpu(bo->tbo.bdev)->pers->driver_maps)
		return 0;

	ret = dma_resv_lock_interruptible(bo->tbo.base.resv, NULL);
	if (ret)
		return ret;
	edu_gpu_bo_sync_driver_map(bo, 0, bo->tbo.base.size >> PAGE_SHIFT,
				   for_device);
	dma_resv_unlock(bo->tbo.base.resv);
	return 0;
}

static int edu_gpu_dmabuf_begin_cpu_access(struct dma_buf *dma_buf,
					   enum dma_data_direction dir)
{
	int ret;

#ifdef EDU_GPU_TTM_POOL_BACKENDS
	ret = drm_gem_ttm_dmabuf_begin_cpu_access(dma_buf, dir);
#else
	struct drm_gem_object *obj = dma_buf->priv;
	long lret;

	/* Reading waits for copies into the object, writing for all. */
	lret = dma_resv_wait_timeout(obj->resv,
				     dma_resv_usage_rw(dir != DMA_FROM_DEVICE),
				     true, MAX_SCHEDULE_TIMEOUT);
	ret = lret < 0 ? lret : 0;
#endif
	if (ret)
		return ret;

	return edu_gpu_dmabuf_sync_map(dma_buf, false);
}

static int edu_gpu_dmabuf_end_cpu_access(struct dma_buf *dma_buf,
					 enum dma_data_direction dir)
{
	int ret;

	ret = edu_gpu_dmabuf_sync_map(dma_buf, true);
	if (ret)
		return ret;

#ifdef EDU_GPU_TTM_POOL_BACKENDS
	return drm_gem_ttm_dmabuf_end_cpu_access(dma_buf, dir);
#else
	return 0;
#endif
}

/* drm_gem_prime_dmabuf_ops plus CPU access. */
static const struct dma_buf_ops edu_gpu_dmabuf_ops = {
	.attach = drm_gem_map_attach,
	.detach = drm_gem_map_detach,
	.map_dma_buf = drm_gem_map_dma_buf,
	.unmap_dma_buf = drm_gem_unmap_dma_buf,
	.release = drm_gem_dmabuf_release,
	.begin_cpu_access = edu_gpu_dmabuf_begin_cpu_access,
	.end_cpu_access = edu_gpu_dmabuf_end_cpu_access,
	.mmap = drm_gem_dmabuf_mmap,
	.vmap = drm_gem_dmabuf_vmap,
	.vunmap = drm_gem_dmabuf_vunmap,
};

static struct dma_buf *edu_gpu_gem_prime_export(struct drm_gem_object *obj,
						int flags)
{
	struct edu_gpu_device *edev = bdev_to_edu_gpu(drm_gem_ttm_of_gem(obj)->bdev);
	struct dma_buf_export_info exp_info = {
		.exp_name = KBUILD_MODNAME,
		.owner = THIS_MODULE,
		.ops = &edu_gpu_dmabuf_ops,
		.size = obj->size,
		.flags = flags,
		.priv = obj,
		.resv = obj->resv,
	};

	/*
	 * radeon and nouveau export with DRM's generic helpers: with the
	 * driver series the TTM one, which hands the pages over around CPU
	 * access; before it drm_gem_prime_export(), which does not.
	 */
	if (edev->pers->generic_prime)
#ifdef EDU_GPU_TTM_PRIME_EXPORT
		return drm_gem_ttm_prime_export(obj, flags);
#else
		return drm_gem_prime_export(obj, flags);
#endif

	return drm_gem_dmabuf_export(obj->dev, &exp_info);
}

/**
 * edu_gpu_gem_prime_import - &drm_driver.gem_prime_import
 * @drm: the importing device
 * @dma_buf: the buffer
 *
 * A dma-buf this device exported gives back its own GEM object (a new
 * reference), as drm_gem_prime_import() does for the generic PRIME ops
 * (and drm_gem_ttm_prime_import() for the TTM ones, which the generic_prime
 * personalities export with). Anything else is refused there: the driver
 * has no &drm_driver.gem_prime_import_sg_table.
 *
 * Return: the GEM object or an ERR_PTR().
 */
struct drm_gem_object *edu_gpu_gem_prime_import(struct drm_device *drm,
						struct dma_buf *dma_buf)
{
	struct drm_gem_object *obj = dma_buf->priv;

	if (dma_buf->ops == &edu_gpu_dmabuf_ops && obj->dev == drm) {
		drm_gem_object_get(obj);
		return obj;
	}

#ifdef EDU_GPU_TTM_PRIME_EXPORT
	return drm_gem_ttm_prime_import(drm, dma_buf);
#else
	return drm_gem_prime_import(drm, dma_buf);
#endif
}

/**
 * edu_gpu_dumb_create - &drm_driver.dumb_create
 * @file: the DRM file
 * @drm: the device
 * @args: width, height and bpp in; handle, pitch and size out
 *
 * A dumb buffer is a write-combined TT object; its pitch is the width
 * times the bytes per pixel, aligned to 64 bytes.
 *
 * Return: 0 or a negative error code.
 */
int edu_gpu_dumb_create(struct drm_file *file, struct drm_device *drm,
			struct drm_mode_create_dumb *args)
{
	struct edu_gpu_bo *bo;
	int ret;

	ret = drm_mode_size_dumb(drm, args, SZ_64, PAGE_SIZE);
	if (ret)
		return ret;
	if (args->size > EDU_GPU_MAX_OBJECT_SIZE)
		return -EINVAL;

	ret = edu_gpu_bo_create(to_edu_gpu(drm), args->size, TTM_PL_TT,
				ttm_write_combined, &bo);
	if (ret)
		return ret;

	ret = drm_gem_handle_create(file, &bo->tbo.base, &args->handle);
	drm_gem_object_put(&bo->tbo.base);
	return ret;
}

const struct drm_gem_object_funcs edu_gpu_gem_funcs = {
	.free = edu_gpu_gem_free,
	.print_info = drm_gem_ttm_print_info,
	.export = edu_gpu_gem_prime_export,
	.pin = edu_gpu_gem_pin,
	.unpin = edu_gpu_gem_unpin,
	.get_sg_table = edu_gpu_gem_get_sg_table,
	.vmap = edu_gpu_gem_vmap,
	.vunmap = edu_gpu_gem_vunmap,
	.mmap = drm_gem_ttm_mmap,
	.vm_ops = &edu_gpu_gem_vm_ops,
};
