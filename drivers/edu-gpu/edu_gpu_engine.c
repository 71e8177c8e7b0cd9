// SPDX-License-Identifier: GPL-2.0
/*
 * edu_gpu copy engine: interrupt, jobs and fences.
 *
 * A COPY job moves bytes from one TT object to another through the
 * device's 4 KiB buffer: RAM -> buffer, then buffer -> RAM. The device
 * addresses are the DMA addresses TTM stored in each object's ttm_tt
 * (dma_address[], the "GART"): the driver never maps or syncs anything
 * itself, so the device sees exactly what TTM gave it.
 *
 * One transfer moves at most EDU_DMA_XFER_MAX bytes and never crosses a
 * page boundary of the object unless the DMA addresses of the two pages
 * are contiguous. Each transfer ends with the DMA-done interrupt; the
 * engine waits for it with a timeout and never polls. Jobs run one at a
 * time on an ordered workqueue, so the device has one user at a time and
 * fences signal in seqno order.
 */

#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/workqueue.h>
#include <linux/ww_mutex.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/ttm/ttm_tt.h>

#include "edu_gpu.h"

/* How long one transfer may take: the device needs ~100 ms. */
#define EDU_GPU_XFER_TIMEOUT_MS		5000

/**
 * struct edu_gpu_job - one COPY
 * @fence: signalled when the copy is done; first member, because the
 *	fence core frees the job through it (dma_fence_free())
 * @work: runs the copy on the engine's workqueue
 * @edev: the device
 * @src: source object, referenced until the job is done
 * @dst: destination object, referenced until the job is done
 * @src_offset: byte offset in @src
 * @dst_offset: byte offset in @dst
 * @size: bytes to copy
 */
struct edu_gpu_job {
	struct dma_fence fence;
	struct work_struct work;
	struct edu_gpu_device *edev;
	struct edu_gpu_bo *src;
	struct edu_gpu_bo *dst;
	u64 src_offset;
	u64 dst_offset;
	u64 size;
};

static_assert(offsetof(struct edu_gpu_job, fence) == 0);

static const char *edu_gpu_fence_get_driver_name(struct dma_fence *fence)
{
	return EDU_GPU_NAME;
}

static const char *edu_gpu_fence_get_timeline_name(struct dma_fence *fence)
{
	return "copy";
}

static const struct dma_fence_ops edu_gpu_fence_ops = {
	.get_driver_name = edu_gpu_fence_get_driver_name,
	.get_timeline_name = edu_gpu_fence_get_timeline_name,
};

static irqreturn_t edu_gpu_irq_handler(int irq, void *arg)
{
	struct edu_gpu_engine *eng = arg;
	u32 status;

	status = readl(eng->mmio + EDU_REG_IRQ_STATUS);
	if (!status)
		return IRQ_NONE;

	/* Needed with MSI too: the device raises nothing new until acked. */
	writel(status, eng->mmio + EDU_REG_IRQ_ACK);
	if (status & EDU_IRQ_DMA)
		complete(&eng->done);

	return IRQ_HANDLED;
}

/*
 * One transfer of @len bytes, 0 < @len <= EDU_DMA_XFER_MAX, between RAM
 * and the device buffer; @to_ram gives the direction.
 */
static int edu_gpu_xfer(struct edu_gpu_device *edev, dma_addr_t src,
			dma_addr_t dst, u32 len, bool to_ram)
{
	struct edu_gpu_engine *eng = &edev->engine;
	u64 mask = dma_get_mask(&edev->pdev->dev);
	dma_addr_t ram = to_ram ? dst : src;
	u32 cmd;

	/*
	 * The device silently clamps addresses to its own mask, and ours
	 * is at most 32 bits: refuse what it could not reach instead of
	 * letting it scribble elsewhere.
	 */
	if (WARN_ON_ONCE(!len || len > EDU_DMA_XFER_MAX) ||
	    (u64)ram + len - 1 > mask) {
		drm_err_ratelimited(&edev->drm,
				    "DMA address %pad+%u beyond mask %#llx\n",
				    &ram, len, mask);
		return -EIO;
	}

	/* Still busy with a transfer that timed out earlier. */
	if (readl(eng->mmio + EDU_REG_DMA_CMD) & EDU_DMA_CMD_RUN) {
		drm_err_ratelimited(&edev->drm, "DMA engine still busy\n");
		return -EIO;
	}

	reinit_completion(&eng->done);
	writel(lower_32_bits(src), eng->mmio + EDU_REG_DMA_SRC);
	writel(lower_32_bits(dst), eng->mmio + EDU_REG_DMA_DST);
	writel(len, eng->mmio + EDU_REG_DMA_COUNT);
	cmd = EDU_DMA_CMD_RUN | EDU_DMA_CMD_IRQ;
	if (to_ram)
		cmd |= EDU_DMA_CMD_TO_RAM;
	writel(cmd, eng->mmio + EDU_REG_DMA_CMD);

	if (!wait_for_completion_timeout(&eng->done, eng->timeout)) {
		drm_err_ratelimited(&edev->drm,
				    "DMA %pad -> %pad (%u bytes) timed out\n",
				    &src, &dst, len);
		return -EIO;
	}

	return 0;
}

/*
 * The DMA address of byte @offset of an object and how many bytes from
 * there, at most @max, are contiguous in DMA address space. @max must
 * not reach past the end of the object.
 */
static u32 edu_gpu_dma_run(const dma_addr_t *dma, u64 offset, u32 max,
			   dma_addr_t *addr)
{
	pgoff_t i = offset >> PAGE_SHIFT;
	u32 in_page = offset & ~PAGE_MASK;
	u32 len = PAGE_SIZE - in_page;

	*addr = dma[i] + in_page;
	while (len < max && dma[i + 1] == dma[i] + PAGE_SIZE) {
		i++;
		len += PAGE_SIZE;
	}

	return min(len, max);
}

static int edu_gpu_job_copy(struct edu_gpu_job *job)
{
	const dma_addr_t *sdma = edu_gpu_tt_dma(job->src->tbo.ttm);
	const dma_addr_t *ddma = edu_gpu_tt_dma(job->dst->tbo.ttm);
	u64 soff = job->src_offset;
	u64 doff = job->dst_offset;
	u64 left = job->size;
	dma_addr_t addr;
	u32 n, m, done;
	int ret;

	if (!sdma || !ddma) {
		drm_err_ratelimited(&job->edev->drm,
				    "COPY of an object without DMA addresses\n");
		return -EIO;
	}

	while (left) {
		n = min_t(u64, left, EDU_DMA_XFER_MAX);
		n = edu_gpu_dma_run(sdma, soff, n, &addr);
		ret = edu_gpu_xfer(job->edev, addr, EDU_DMA_BUF_ADDR, n, false);
		if (ret)
			return ret;

		for (done = 0; done < n; done += m) {
			m = edu_gpu_dma_run(ddma, doff + done, n - done, &addr);
			ret = edu_gpu_xfer(job->edev, EDU_DMA_BUF_ADDR + done,
					   addr, m, true);
			if (ret)
				return ret;
		}

		soff += n;
		doff += n;
		left -= n;
	}

	return 0;
}

static void edu_gpu_job_run(struct work_struct *work)
{
	struct edu_gpu_job *job = container_of(work, struct edu_gpu_job, work);
	struct drm_device *drm = &job->edev->drm;
	bool cookie;
	int idx, ret;

	if (drm_dev_enter(drm, &idx)) {
		cookie = dma_fence_begin_signalling();
		ret = edu_gpu_job_copy(job);
		if (ret)
			dma_fence_set_error(&job->fence, -EIO);
		dma_fence_signal(&job->fence);
		dma_fence_end_signalling(cookie);
		drm_dev_exit(idx);
	} else {
		/* The device is gone. */
		dma_fence_set_error(&job->fence, -ENODEV);
		dma_fence_signal(&job->fence);
	}

	drm_gem_object_put(&job->src->tbo.base);
	drm_gem_object_put(&job->dst->tbo.base);
	dma_fence_put(&job->fence);
}

/*
 * Lock the reservations of @a and @b (which may be the same) with the
 * wound/wait protocol: on -EDEADLK drop everything, sleep on the
 * contended lock, and try again.
 */
static int edu_gpu_lock_pair(struct dma_resv *a, struct dma_resv *b,
			     struct ww_acquire_ctx *ticket)
{
	struct dma_resv *locks[2] = { a, b };
	struct dma_resv *contended = NULL;
	unsigned int n = a == b ? 1 : 2;
	unsigned int i, j;
	int ret;

	ww_acquire_init(ticket, &reservation_ww_class);
retry:
	if (contended) {
		ret = dma_resv_lock_slow_interruptible(contended, ticket);
		if (ret)
			goto out_fini;
	}

	for (i = 0; i < n; i++) {
		if (locks[i] == contended)
			continue;
		ret = dma_resv_lock_interruptible(locks[i], ticket);
		if (ret)
			break;
	}
	if (!ret) {
		ww_acquire_done(ticket);
		return 0;
	}

	for (j = 0; j < i; j++)
		if (locks[j] != contended)
			dma_resv_unlock(locks[j]);
	if (contended)
		dma_resv_unlock(contended);
	if (ret == -EDEADLK) {
		contended = locks[i];
		goto retry;
	}

out_fini:
	ww_acquire_fini(ticket);
	return ret == -EINTR ? -ERESTARTSYS : ret;
}

static void edu_gpu_unlock_pair(struct dma_resv *a, struct dma_resv *b,
				struct ww_acquire_ctx *ticket)
{
	if (b != a)
		dma_resv_unlock(b);
	dma_resv_unlock(a);
	ww_acquire_fini(ticket);
}

/**
 * edu_gpu_engine_copy - queue a copy between two objects
 * @edev: the device
 * @src: source object
 * @src_offset: byte offset in @src
 * @dst: destination object, may be @src
 * @dst_offset: byte offset in @dst
 * @size: bytes to copy
 *
 * The caller has checked the ranges. Reserves both objects, refuses them
 * while the CPU has an access open, moves them into TT, checks that the
 * device owns both ranges (TTM's debug check, where TTM has it), adds
 * the job's fence to both reservation objects (write usage for @dst,
 * read usage for @src), unmaps their CPU mappings so that the next CPU
 * access faults and waits for the fence, and queues the job.
 *
 * Return: 0 when the job is queued, a negative error code otherwise (and
 * then nothing was queued): -EBUSY while the CPU has an access open.
 */
int edu_gpu_engine_copy(struct edu_gpu_device *edev,
			struct edu_gpu_bo *src, u64 src_offset,
			struct edu_gpu_bo *dst, u64 dst_offset, u64 size)
{
	struct ttm_operation_ctx ctx = { .interruptible = true };
	struct dma_resv *sresv = src->tbo.base.resv;
	struct dma_resv *dresv = dst->tbo.base.resv;
	struct edu_gpu_engine *eng = &edev->engine;
	struct ww_acquire_ctx ticket;
	struct edu_gpu_job *job;
	int ret;

	job = kzalloc_obj(*job);
	if (!job)
		return -ENOMEM;

	ret = edu_gpu_lock_pair(sresv, dresv, &ticket);
	if (ret)
		goto err_free;

	if (edu_gpu_bo_cpu_busy(src) || edu_gpu_bo_cpu_busy(dst)) {
		ret = -EBUSY;
		goto err_unlock;
	}

	ret = edu_gpu_bo_validate_tt(src, &ctx);
	if (!ret && dst != src)
		ret = edu_gpu_bo_validate_tt(dst, &ctx);
	if (!ret)
		ret = dma_resv_reserve_fences(sresv, 1);
	if (!ret && dresv != sresv)
		ret = dma_resv_reserve_fences(dresv, 1);
	if (ret)
		goto err_unlock;

	/* The device gets the ranges now: nobody else may own their pages. */
	edu_gpu_bo_assert_device_owned(src, src_offset, size);
	edu_gpu_bo_assert_device_owned(dst, dst_offset, size);

	INIT_WORK(&job->work, edu_gpu_job_run);
	job->edev = edev;
	job->src = src;
	job->dst = dst;
	job->src_offset = src_offset;
	job->dst_offset = dst_offset;
	job->size = size;
	drm_gem_object_get(&src->tbo.base);
	drm_gem_object_get(&dst->tbo.base);

	/* Seqno order must be signalling order: queue in seqno order. */
	mutex_lock(&eng->submit_lock);
	dma_fence_init64(&job->fence, &edu_gpu_fence_ops, NULL, eng->context,
			 ++eng->seqno);
	dma_resv_add_fence(dresv, &job->fence, DMA_RESV_USAGE_WRITE);
	if (sresv != dresv)
		dma_resv_add_fence(sresv, &job->fence, DMA_RESV_USAGE_READ);
	queue_work(eng->wq, &job->work);
	mutex_unlock(&eng->submit_lock);

	/*
	 * CPU mappings of either object must fault again, and a fault waits
	 * for the fence (edu_gpu_gem_fault()).
	 */
	ttm_bo_unmap_virtual(&dst->tbo);
	if (src != dst)
		ttm_bo_unmap_virtual(&src->tbo);

	edu_gpu_unlock_pair(sresv, dresv, &ticket);
	return 0;

err_unlock:
	edu_gpu_unlock_pair(sresv, dresv, &ticket);
err_free:
	kfree(job);
	return ret;
}

/**
 * edu_gpu_engine_init - set up the copy engine of a device
 * @edev: the device, with its MMIO mapped and bus mastering enabled
 *
 * Allocates one interrupt vector (MSI, else INTx), installs the handler
 * and creates the job workqueue; all of them are device-managed.
 *
 * Return: 0 or a negative error code.
 */
int edu_gpu_engine_init(struct edu_gpu_device *edev)
{
	struct edu_gpu_engine *eng = &edev->engine;
	struct pci_dev *pdev = edev->pdev;
	int ret;

	init_completion(&eng->done);
	ret = drmm_mutex_init(&edev->drm, &eng->submit_lock);
	if (ret)
		return ret;
	eng->context = dma_fence_context_alloc(1);
	eng->timeout = msecs_to_jiffies(EDU_GPU_XFER_TIMEOUT_MS);

	/* Nothing pending from an earlier user of the device. */
	writel(readl(eng->mmio + EDU_REG_IRQ_STATUS),
	       eng->mmio + EDU_REG_IRQ_ACK);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;
	eng->irq = pci_irq_vector(pdev, 0);
	ret = devm_request_irq(&pdev->dev, eng->irq, edu_gpu_irq_handler,
			       IRQF_SHARED, EDU_GPU_NAME, eng);
	if (ret)
		return ret;

	/* Fences may be waited for under memory reclaim. */
	eng->wq = devm_alloc_ordered_workqueue(&pdev->dev, "edu_gpu",
					       WQ_MEM_RECLAIM);
	if (!eng->wq)
		return -ENOMEM;

	return 0;
}
