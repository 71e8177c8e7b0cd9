/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edu_gpu: a DRM/TTM driver for QEMU's edu PCI device, used as a test GPU
 * for TTM's DMA handling. Private declarations shared by the driver's files.
 */
#ifndef _EDU_GPU_H_
#define _EDU_GPU_H_

#include <linux/bits.h>
#include <linux/completion.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/types.h>

#include <drm/drm_device.h>
#include <drm/drm_gem.h>
#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_caching.h>
#include <drm/ttm/ttm_device.h>
#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

struct dma_buf;
struct dma_fence;
struct drm_file;
struct drm_minor;
struct drm_mode_create_dumb;
struct edu_gpu_device;
struct pci_dev;
struct sg_table;
struct workqueue_struct;

#define EDU_GPU_NAME			"edu_gpu"

/* The edu device (QEMU's docs/specs/edu): BAR0 registers. */
#define EDU_REG_ID			0x00
#define EDU_REG_LIVENESS		0x04
#define EDU_REG_IRQ_STATUS		0x24
#define EDU_REG_IRQ_ACK			0x64
#define EDU_REG_DMA_SRC			0x80
#define EDU_REG_DMA_DST			0x88
#define EDU_REG_DMA_COUNT		0x90
#define EDU_REG_DMA_CMD			0x98

#define EDU_ID_MAGIC			0xed	/* low byte of EDU_REG_ID */
#define EDU_DMA_CMD_RUN			BIT(0)
#define EDU_DMA_CMD_TO_RAM		BIT(1)	/* 0: RAM -> edu, 1: edu -> RAM */
#define EDU_DMA_CMD_IRQ			BIT(2)
#define EDU_IRQ_DMA			0x100

/* The device's DMA buffer, as a device address. */
#define EDU_DMA_BUF_ADDR		0x40000
#define EDU_DMA_BUF_SIZE		4096
/*
 * QEMU 7.2 aborts on a transfer that ends exactly at the end of the
 * buffer, so one transfer moves at most one byte less than the buffer.
 */
#define EDU_DMA_XFER_MAX		(EDU_DMA_BUF_SIZE - 1)

/* The TT ("GART") aperture: 1 GiB worth of pages. */
#define EDU_GPU_TT_SIZE			SZ_1G

/**
 * struct edu_gpu_engine - the device's one DMA copy engine
 * @mmio: BAR0
 * @wq: ordered workqueue that runs the jobs, one at a time
 * @done: completed by the interrupt handler when a transfer is done
 * @submit_lock: makes fence seqno order equal to queueing order
 * @context: fence context of the engine's timeline
 * @seqno: last fence seqno handed out, under @submit_lock
 * @timeout: how long one transfer may take, in jiffies
 * @irq: Linux interrupt number
 */
struct edu_gpu_engine {
	void __iomem *mmio;
	struct workqueue_struct *wq;
	struct completion done;
	struct mutex submit_lock;	/* fence seqno and queueing order */
	u64 context;
	u64 seqno;
	unsigned long timeout;
	int irq;
};

/**
 * struct edu_gpu_personality - how an in-tree driver sets up TTM, which
 * edu_gpu imitates (module parameter "personality", edu_gpu_ttm.c)
 * @name: the parameter's value
 * @tt_init: how the driver creates its ttm_tts, for messages
 * @no_device: ttm_device_init() gets no struct device (qxl)
 * @plain_tt: ttm_tt_init(): the tt has no dma_address[], TTM maps nothing
 * @driver_maps: the driver DMA-maps the tt's pages itself (xe)
 * @partition_pool: objects alternate between the TTM device's pool and
 *	a second pool with a NUMA node (amdgpu's APU memory partitions)
 * @generic_prime: dma-bufs are exported with DRM's generic PRIME helpers,
 *	drm_gem_prime_export() (radeon and nouveau before the driver series)
 *	or, with it, drm_gem_ttm_prime_export(); otherwise with edu_gpu's
 *	own &dma_buf_ops, as amdgpu does with its own
 * @alloc_flags: the TTM_ALLOCATION_* flags the driver passes
 *
 * With @plain_tt and without @driver_maps the device never reaches
 * system memory: only the CPU touches it (qxl, drm_gem_vram_helper).
 */
struct edu_gpu_personality {
	const char *name;
	const char *tt_init;
	bool no_device;
	bool plain_tt;
	bool driver_maps;
	bool partition_pool;
	bool generic_prime;
	unsigned int (*alloc_flags)(struct edu_gpu_device *edev);
};

/**
 * struct edu_gpu_device - one edu device
 * @drm: the DRM device
 * @pdev: the PCI device
 * @dma_bits: DMA mask width set on @pdev
 * @pers: the TTM user edu_gpu imitates
 * @alloc_flags: the flags ttm_device_init() got
 * @bdev: the TTM device
 * @part_pool: amdgpu's partition pool (@pers->partition_pool)
 * @part_nid: NUMA node of @part_pool
 * @engine: the copy engine
 * @bos_lock: protects @bos and @bo_seq
 * @bos: every buffer object of the device, for debugfs
 * @bo_seq: sequence number of the last object created
 */
struct edu_gpu_device {
	struct drm_device drm;
	struct pci_dev *pdev;
	unsigned int dma_bits;
	const struct edu_gpu_personality *pers;
	unsigned int alloc_flags;
	struct ttm_device bdev;
	struct ttm_pool part_pool;
	int part_nid;
	struct edu_gpu_engine engine;
	struct mutex bos_lock;		/* @bos, @bo_seq */
	struct list_head bos;
	u64 bo_seq;
};

/**
 * struct edu_gpu_bo - a buffer object: a GEM object that is a TTM BO
 * @tbo: the TTM buffer object; @tbo.base is the GEM object
 * @caching: CPU caching of the object's pages, for its ttm_tt
 * @seq: creation sequence number, unique per device
 * @in_part_pool: its pages come from &edu_gpu_device.part_pool
 * @link: in &edu_gpu_device.bos
 * @cpu_access: open CPU accesses (struct edu_gpu_cpu_access), under the
 *	reservation lock; while there is one, the object is pinned
 * @num_cpu_access: length of @cpu_access
 */
struct edu_gpu_bo {
	struct ttm_buffer_object tbo;
	enum ttm_caching caching;
	u64 seq;
	bool in_part_pool;
	struct list_head link;
	struct list_head cpu_access;
	unsigned int num_cpu_access;
};

/**
 * struct edu_gpu_tt - a ttm_tt of edu_gpu
 * @ttm: the ttm_tt
 * @pool: the pool its pages come from
 * @sgt: with &edu_gpu_personality.driver_maps: the pages as the driver
 *	DMA-mapped them, valid while @dma is not NULL
 * @dma: with &edu_gpu_personality.driver_maps: DMA address of each page,
 *	NULL while the pages are not mapped
 */
struct edu_gpu_tt {
	struct ttm_tt ttm;
	struct ttm_pool *pool;
	struct sg_table sgt;
	dma_addr_t *dma;
};

static inline struct edu_gpu_device *to_edu_gpu(struct drm_device *drm)
{
	return container_of(drm, struct edu_gpu_device, drm);
}

static inline struct edu_gpu_device *bdev_to_edu_gpu(struct ttm_device *bdev)
{
	return container_of(bdev, struct edu_gpu_device, bdev);
}

static inline struct edu_gpu_bo *to_edu_gpu_bo(struct ttm_buffer_object *tbo)
{
	return container_of(tbo, struct edu_gpu_bo, tbo);
}

static inline struct edu_gpu_bo *gem_to_edu_gpu_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct edu_gpu_bo, tbo.base);
}

static inline struct edu_gpu_tt *to_edu_gpu_tt(struct ttm_tt *tt)
{
	return container_of(tt, struct edu_gpu_tt, ttm);
}

/* The device reaches no system memory: COPY is not supported. */
static inline bool edu_gpu_cpu_only(const struct edu_gpu_device *edev)
{
	return edev->pers->plain_tt && !edev->pers->driver_maps;
}

/* edu_gpu_ttm.c */
int edu_gpu_ttm_check_params(void);
const struct edu_gpu_personality *edu_gpu_ttm_personality(void);
int edu_gpu_ttm_init(struct edu_gpu_device *edev);
const dma_addr_t *edu_gpu_tt_dma(struct ttm_tt *tt);
void edu_gpu_bo_sync(struct edu_gpu_bo *bo, pgoff_t first, pgoff_t count,
		     bool for_device);
void edu_gpu_bo_sync_driver_map(struct edu_gpu_bo *bo, pgoff_t first,
				pgoff_t count, bool for_device);
void edu_gpu_bo_assert_device_owned(struct edu_gpu_bo *bo, u64 offset,
				    u64 size);
int edu_gpu_bo_create(struct edu_gpu_device *edev, u64 size, u32 mem_type,
		      enum ttm_caching caching, struct edu_gpu_bo **bop);
int edu_gpu_bo_validate_tt(struct edu_gpu_bo *bo,
			   struct ttm_operation_ctx *ctx);
int edu_gpu_bo_pin_tt(struct edu_gpu_bo *bo);
void edu_gpu_bo_unpin(struct edu_gpu_bo *bo);
void edu_gpu_debugfs_init(struct drm_minor *minor);

/* edu_gpu_gem.c */
extern const struct drm_gem_object_funcs edu_gpu_gem_funcs;
struct drm_gem_object *edu_gpu_gem_prime_import(struct drm_device *drm,
						struct dma_buf *dma_buf);
int edu_gpu_dumb_create(struct drm_file *file, struct drm_device *drm,
			struct drm_mode_create_dumb *args);

/* edu_gpu_drv.c */
void edu_gpu_bo_drop_cpu_access(struct edu_gpu_bo *bo);
bool edu_gpu_bo_cpu_busy(struct edu_gpu_bo *bo);

/* edu_gpu_engine.c */
int edu_gpu_engine_init(struct edu_gpu_device *edev);
int edu_gpu_engine_copy(struct edu_gpu_device *edev,
			struct edu_gpu_bo *src, u64 src_offset,
			struct edu_gpu_bo *dst, u64 dst_offset, u64 size);

#endif /* _EDU_GPU_H_ */
