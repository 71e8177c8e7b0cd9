// SPDX-License-Identifier: GPL-2.0
/*
 * ttm_bench: what TTM's page pool costs, measured on QEMU's edu PCI device.
 *
 * The module binds to the edu device (PCI 1234:11e8) so that the DMA layer
 * has configured it as for a driver (DMA ops, coherence, swiotlb), sets the
 * device's DMA mask as edu_gpu does, and then, from probe, measures:
 *
 *  - ttm_pool_alloc() + ttm_pool_free() of tts of several sizes, the pool
 *    cold (emptied first) and warm, cached and write-combined;
 *  - the limit: the same volume through alloc_pages() + clear_page() (+
 *    dma_map_page() where the device's mappings do not bounce);
 *  - the hand-overs ttm_tt_sync_for_cpu() + ttm_tt_sync_for_device() (the
 *    series only), with the number of DMA-API sync calls they make;
 *  - slab bytes kept per MiB of TT, swiotlb slots at the peak of a fill of
 *    four times the swiotlb pool, TTM's own clears per page;
 *  - the cost as the tt grows, and the chunk orders the pool hands out;
 *  - the time the shrinkers take to empty a full pool;
 *  - swap-out of a tt to shmem and swap-in (ttm_tt_swapout(),
 *    ttm_tt_populate()), 256 MiB;
 *  - backup of a buffer's tt to shmem and restore (ttm_bo_shrink(),
 *    ttm_tt_restore(): xe's shrinker path), 256 MiB.
 *
 * With profile_kib=N it measures nothing of the above: per backend it
 * repeats ttm_pool_alloc() + ttm_pool_free() of one N KiB tt for
 * profile_ms milliseconds, the pool warm (or cold, profile_cold=1: a
 * fresh pool each time), for a profiler run around the module's load
 * (make bench BENCH_PROFILE=N, perf record in the guest).
 *
 * No device DMA happens. Every result is one console line starting with
 * "ttm_bench: R " (scripts/bench_report.py reads them); times are ktime
 * nanoseconds, under QEMU's -icount shift=0 one guest instruction each.
 */

#define pr_fmt(fmt) "ttm_bench: " fmt

#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/swiotlb.h>
#include <linux/tracepoint.h>
#include <linux/utsname.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#include <drm/drm_vma_manager.h>
#include <drm/ttm/ttm_backup.h>
#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_device.h>
#include <drm/ttm/ttm_placement.h>
#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_resource.h>
#include <drm/ttm/ttm_tt.h>

#ifdef TTM_BENCH_SERIES
#include "ttm_pool_internal.h"
#define TB_TREE "series"
#else
#include <drm/ttm/ttm_allocation.h>
#define TB_TREE "base"
#endif

#define TB_MAX_RUNS 15
#define TB_MAX_BACKENDS 4
#define TB_MIB (1024UL * 1024UL)

static unsigned int dma_bits = 32;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits, "DMA mask of the edu device in bits, as edu_gpu's (default 32)");

static unsigned int runs = 5;
module_param(runs, uint, 0444);
MODULE_PARM_DESC(runs, "Timed runs per measurement, up to 15 (default 5; 3 at 64 MiB and more)");

static bool quick;
module_param(quick, bool, 0444);
MODULE_PARM_DESC(quick, "A subset: sizes up to 2 MiB, 3 runs (default off)");

static unsigned int max_mib = 1024;
module_param(max_mib, uint, 0444);
MODULE_PARM_DESC(max_mib, "Largest tt in MiB (default 1024; at most a third of memory)");

static char *backends;
module_param(backends, charp, 0444);
MODULE_PARM_DESC(backends,
		 "Comma-separated pool setups (default: base: streaming,coherent; series: auto,dma-pages,streaming)");

static unsigned int profile_kib;
module_param(profile_kib, uint, 0444);
MODULE_PARM_DESC(profile_kib, "Only repeat alloc+free of one tt of this many KiB, for a profiler (default 0: off)");

static unsigned int profile_ms = 2000;
module_param(profile_ms, uint, 0444);
MODULE_PARM_DESC(profile_ms, "How long profile_kib repeats, per backend, in ms (default 2000)");

static bool profile_cold;
module_param(profile_cold, bool, 0444);
MODULE_PARM_DESC(profile_cold, "profile_kib with a fresh (cold) pool for each allocation (default off)");

struct tb_backend {
	const char *name;
	unsigned int flags;
	bool forced;
};

struct tb {
	struct device *dev;
	struct ttm_device bdev;
	struct drm_vma_offset_manager vma;
	struct ttm_buffer_object *bo;
	struct ttm_pool pool;
	const struct tb_backend *be;
	unsigned long max_bytes;
	unsigned long mem_bytes;
	bool bounces;
	unsigned int errors;
	unsigned int results;
};

static bool tb_ran;

static int tb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @n times in place; returns the median, min and max through @t. */
static void tb_stats(u64 *t, unsigned int n, u64 *med, u64 *min, u64 *max)
{
	sort(t, n, sizeof(*t), tb_cmp_u64, NULL);
	*med = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	*min = t[0];
	*max = t[n - 1];
}

static void tb_emit(struct tb *tb, const char *what, const char *be,
		    const char *caching, const char *state, unsigned long size,
		    u64 *t, unsigned int n, const char *extra)
{
	u64 med, min, max;

	tb_stats(t, n, &med, &min, &max);
	pr_info("R %s backend=%s caching=%s state=%s size=%lu runs=%u median_ns=%llu min_ns=%llu max_ns=%llu%s%s\n",
		what, be, caching, state, size, n, med, min, max,
		extra ? " " : "", extra ? extra : "");
	tb->results++;
}

static void tb_fail(struct tb *tb, const char *what, const char *be,
		    const char *caching, const char *state, unsigned long size,
		    int err)
{
	pr_info("R %s backend=%s caching=%s state=%s size=%lu error=%d\n",
		what, be, caching, state, size, err);
	tb->errors++;
}

/* Write a value to a file of procfs or debugfs, as root would. */
static int tb_write_file(const char *path, const char *val)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t ret;

	f = filp_open(path, O_WRONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = kernel_write(f, val, strlen(val), &pos);
	filp_close(f, NULL);
	return ret < 0 ? ret : 0;
}

/*
 * The backends that may bounce come last: the DMA layer syncs every address
 * of a device once one of its mappings bounced (dma_skip_sync), so a backend
 * measured after one that bounced would pay syncs its drivers do not.
 */
static const struct tb_backend tb_backends[] = {
#ifdef TTM_BENCH_SERIES
	{ "auto", TTM_ALLOCATION_POOL_DMA_AUTO, false },
	{ "dma-pages", TTM_ALLOCATION_POOL_DMA_AUTO, true },
	{ "streaming", TTM_ALLOCATION_POOL_DMA_AUTO, true },
#else
	{ "streaming", 0, false },
	{ "coherent", TTM_ALLOCATION_POOL_USE_DMA_ALLOC, false },
#endif
};

static const struct tb_backend *tb_find_backend(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tb_backends); i++)
		if (!strcmp(tb_backends[i].name, name))
			return &tb_backends[i];
	return NULL;
}

/* @pool (tb->pool, or the device's) with the backend under test. */
static void tb_pool_init_at(struct tb *tb, struct ttm_pool *pool)
{
#ifdef TTM_BENCH_SERIES
	ttm_pool_force_backend(tb->be->forced ? tb->be->name : "auto");
#endif
	ttm_pool_init(pool, tb->dev, dev_to_node(tb->dev), tb->be->flags);
#ifdef TTM_BENCH_SERIES
	ttm_pool_force_backend(NULL);
#endif
}

static void tb_pool_init(struct tb *tb)
{
	tb_pool_init_at(tb, &tb->pool);
}

/*
 * Empty every pool the next allocation could take pages from: the pool's
 * own (re-initialised) and TTM's global write-combined and uncached pools,
 * through the shrinkers as reclaim would (vm.drop_caches=2).
 */
static void tb_pool_empty(struct tb *tb)
{
	ttm_pool_fini(&tb->pool);
	tb_write_file("/proc/sys/vm/drop_caches", "2");
	tb_pool_init(tb);
}

static int tb_tt_init(struct tb *tb, struct ttm_tt *tt, unsigned long size,
		      enum ttm_caching caching, u32 flags)
{
	tb->bo->base.size = size;
	return ttm_sg_tt_init(tt, tb->bo, flags, caching);
}

/* One ttm_pool_alloc() + ttm_pool_free(), timed; < 0 on failure. */
static s64 tb_alloc_free(struct tb *tb, unsigned long size,
			 enum ttm_caching caching, u32 flags)
{
	struct ttm_operation_ctx ctx = { };
	struct ttm_tt tt;
	u64 t0, t1;
	int ret;

	ret = tb_tt_init(tb, &tt, size, caching, flags);
	if (ret)
		return ret;
	t0 = ktime_get_ns();
	ret = ttm_pool_alloc(&tb->pool, &tt, &ctx);
	if (!ret)
		ttm_pool_free(&tb->pool, &tt);
	t1 = ktime_get_ns();
	ttm_tt_fini(&tt);
	return ret ? ret : (s64)(t1 - t0);
}

static unsigned int tb_runs(unsigned long size)
{
	unsigned int n = clamp(runs, 1U, (unsigned int)TB_MAX_RUNS);

	if (quick)
		return min(n, 3U);
	return size >= 64 * TB_MIB ? min(n, 3U) : n;
}

static const char * const tb_caching_names[] = {
	[ttm_cached] = "cached",
	[ttm_write_combined] = "wc",
	[ttm_uncached] = "uncached",
};

/* (1) and (5): allocation, cold and warm. */
static void tb_bench_alloc(struct tb *tb, unsigned long size,
			   enum ttm_caching caching, bool cold_only,
			   const char *what)
{
	const char *cn = tb_caching_names[caching];
	unsigned int i, n = tb_runs(size);
	u64 t[TB_MAX_RUNS];
	s64 r;

	for (i = 0; i < n; i++) {
		tb_pool_empty(tb);
		r = tb_alloc_free(tb, size, caching, TTM_TT_FLAG_ZERO_ALLOC);
		if (r < 0) {
			tb_fail(tb, what, tb->be->name, cn, "cold", size, r);
			goto warm;
		}
		t[i] = r;
	}
	tb_emit(tb, what, tb->be->name, cn, "cold", size, t, n, NULL);
warm:
	if (cold_only)
		return;
	/* The pool keeps what the last cold run freed; one more to be sure. */
	r = tb_alloc_free(tb, size, caching, TTM_TT_FLAG_ZERO_ALLOC);
	for (i = 0; r >= 0 && i < n; i++) {
		r = tb_alloc_free(tb, size, caching, TTM_TT_FLAG_ZERO_ALLOC);
		t[i] = r;
	}
	if (r < 0) {
		tb_fail(tb, what, tb->be->name, cn, "warm", size, r);
		return;
	}
	tb_emit(tb, what, tb->be->name, cn, "warm", size, t, n, NULL);
}

/*
 * (2) The limit: the same volume in chunks of the order the pool would
 * use, from alloc_pages(), each page cleared with clear_page(), mapped
 * with dma_map_page() when @map (a device whose mappings do not bounce),
 * then unmapped and freed.
 */
static s64 tb_limit_once(struct tb *tb, unsigned long size, bool map)
{
	unsigned long npages = size >> PAGE_SHIFT, done = 0, nchunks = 0, i;
	struct { struct page *p; dma_addr_t dma; unsigned int order; } *c;
	unsigned int order = MAX_PAGE_ORDER;
	s64 ret = 0;
	u64 t0, t1;

	c = kvcalloc(npages, sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	t0 = ktime_get_ns();
	while (done < npages) {
		gfp_t gfp = GFP_HIGHUSER;
		struct page *p;

		order = min_t(unsigned int, order, __fls(npages - done));
		if (order)
			gfp |= __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN;
		p = alloc_pages(gfp, order);
		if (!p) {
			if (!order) {
				ret = -ENOMEM;
				break;
			}
			order--;
			continue;
		}
		c[nchunks].p = p;
		c[nchunks].order = order;
		for (i = 0; i < (1UL << order); i++)
			clear_highpage(p + i);
		if (map) {
			c[nchunks].dma = dma_map_page(tb->dev, p, 0,
						      PAGE_SIZE << order,
						      DMA_BIDIRECTIONAL);
			if (dma_mapping_error(tb->dev, c[nchunks].dma)) {
				__free_pages(p, order);
				ret = -EFAULT;
				break;
			}
		}
		nchunks++;
		done += 1UL << order;
	}
	for (i = 0; i < nchunks; i++) {
		if (map)
			dma_unmap_page(tb->dev, c[i].dma,
				       PAGE_SIZE << c[i].order,
				       DMA_BIDIRECTIONAL);
		__free_pages(c[i].p, c[i].order);
	}
	t1 = ktime_get_ns();
	kvfree(c);
	return ret ? ret : (s64)(t1 - t0);
}

static void tb_bench_limit(struct tb *tb, unsigned long size, bool map)
{
	const char *kind = map ? "alloc+clear+map" : "alloc+clear";
	unsigned int i, n = tb_runs(size);
	u64 t[TB_MAX_RUNS];
	s64 r;

	for (i = 0; i < n; i++) {
		r = tb_limit_once(tb, size, map);
		if (r < 0) {
			tb_fail(tb, "limit", kind, "cached", "-", size, r);
			return;
		}
		t[i] = r;
	}
	tb_emit(tb, "limit", kind, "cached", "-", size, t, n, NULL);
}

/*
 * The chunk orders of a populated tt, from the pages: a chunk of order n
 * starts at a multiple of 2^n in the tt and is 2^n naturally aligned,
 * physically contiguous pages (the buddy allocator's chunks are). Two
 * neighbouring buddies allocated one after the other count as one chunk:
 * an upper bound of what the pool took.
 */
static void tb_orders(struct ttm_tt *tt, unsigned long *hist)
{
	unsigned long i = 0, j;
	unsigned int order;

	while (i < tt->num_pages) {
		for (order = MAX_PAGE_ORDER; order; order--) {
			unsigned long len = 1UL << order;
			unsigned long pfn = page_to_pfn(tt->pages[i]);

			if (i % len || i + len > tt->num_pages || pfn % len)
				continue;
			for (j = 1; j < len; j++)
				if (page_to_pfn(tt->pages[i + j]) != pfn + j)
					break;
			if (j == len)
				break;
		}
		hist[order]++;
		i += 1UL << order;
	}
}

/* One cached tt of @size held from the pool; on failure none is left. */
static int tb_hold(struct tb *tb, struct ttm_tt *tt, unsigned long size)
{
	struct ttm_operation_ctx ctx = { };
	int ret;

	ret = tb_tt_init(tb, tt, size, ttm_cached, TTM_TT_FLAG_ZERO_ALLOC);
	if (ret)
		return ret;
	ret = ttm_pool_alloc(&tb->pool, tt, &ctx);
	if (ret)
		ttm_tt_fini(tt);
	return ret;
}

/* A cached tt of @size from the emptied pool, or an error (no tt then). */
static int tb_alloc_cold(struct tb *tb, struct ttm_tt *tt, unsigned long size)
{
	tb_pool_empty(tb);
	return tb_hold(tb, tt, size);
}

static void tb_bench_orders(struct tb *tb, unsigned long size)
{
	unsigned long hist[NR_PAGE_ORDERS] = { };
	char buf[NR_PAGE_ORDERS * 24];
	unsigned int i, len = 0;
	struct ttm_tt tt;
	int ret;

	ret = tb_alloc_cold(tb, &tt, size);
	if (ret)
		goto fail;
	tb_orders(&tt, hist);
	ttm_pool_free(&tb->pool, &tt);
	ttm_tt_fini(&tt);
	for (i = 0; i < NR_PAGE_ORDERS; i++)
		if (hist[i])
			len += scnprintf(buf + len, sizeof(buf) - len, "%so%u=%lu",
					 len ? "," : "", i, hist[i]);
	pr_info("R orders backend=%s caching=cached state=cold size=%lu chunks=%s\n",
		tb->be->name, size, len ? buf : "none");
	tb->results++;
	return;
fail:
	tb_fail(tb, "orders", tb->be->name, "cached", "cold", size, ret);
}

static unsigned long tb_slab_bytes(void)
{
	/* Fold the per-CPU counter deltas in first: exact global figures. */
	tb_write_file("/proc/sys/vm/stat_refresh", "1");
	return global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B) * PAGE_SIZE +
	       global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) * PAGE_SIZE;
}

/*
 * (4) Slab bytes ttm_pool_alloc() keeps, measured over many chunks: slab
 * counters count slab pages, so a few small objects per tt would not show.
 * @ntt tts of 4 KiB (one chunk each) are initialised first (their page
 * directories are not counted), then populated and held together.
 */
static long tb_slab_per_chunk(struct tb *tb, struct ttm_tt *tts,
			      unsigned int ntt, int *err)
{
	struct ttm_operation_ctx ctx = { };
	unsigned long before = 0;
	unsigned int k, done = 0;
	long slab = 0;

	*err = 0;
	for (k = 0; k < ntt; k++) {
		*err = tb_tt_init(tb, &tts[k], PAGE_SIZE, ttm_cached,
				  TTM_TT_FLAG_ZERO_ALLOC);
		if (*err)
			break;
	}
	ntt = k;
	if (!*err) {
		before = tb_slab_bytes();
		for (done = 0; done < ntt; done++) {
			*err = ttm_pool_alloc(&tb->pool, &tts[done], &ctx);
			if (*err)
				break;
		}
		if (!*err)
			slab = (long)tb_slab_bytes() - (long)before;
	}
	while (done--)
		ttm_pool_free(&tb->pool, &tts[done]);
	while (ntt--)
		ttm_tt_fini(&tts[ntt]);
	return slab;
}

/*
 * (4) Slab bytes per chunk (above) and TTM's own clears: the time
 * TTM_TT_FLAG_ZERO_ALLOC adds, in clear_page()s per page (the DMA layer's
 * allocations are zeroed whatever the flag says).
 */
static void tb_bench_memory(struct tb *tb, unsigned long size)
{
	unsigned int i, n = tb_runs(size), ntt = quick ? 256 : 4096;
	u64 t[TB_MAX_RUNS], s[TB_MAX_RUNS], med, min, max;
	u64 zero, nozero, clear;
	struct ttm_tt *tts;
	s64 r;
	int ret;

	tts = kvcalloc(ntt, sizeof(*tts), GFP_KERNEL);
	if (!tts) {
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		long slab;

		tb_pool_empty(tb);
		slab = tb_slab_per_chunk(tb, tts, ntt, &ret);
		if (ret)
			break;
		/* Slab bytes, offset so that a shrink sorts below a growth. */
		s[i] = (u64)(slab + LONG_MAX / 2);
	}
	kvfree(tts);
	if (ret)
		goto fail;
	tb_stats(s, n, &med, &min, &max);
	pr_info("R slab backend=%s caching=cached state=cold size=%lu chunks=%u slab_bytes=%lld\n",
		tb->be->name, ntt * PAGE_SIZE, ntt, (s64)med - LONG_MAX / 2);
	tb->results++;

	/* Cold allocations with and without TTM_TT_FLAG_ZERO_ALLOC. */
	for (i = 0; i < n; i++) {
		tb_pool_empty(tb);
		r = tb_alloc_free(tb, size, ttm_cached, TTM_TT_FLAG_ZERO_ALLOC);
		if (r < 0)
			goto fail_r;
		t[i] = r;
	}
	tb_stats(t, n, &zero, &min, &max);
	for (i = 0; i < n; i++) {
		tb_pool_empty(tb);
		r = tb_alloc_free(tb, size, ttm_cached, 0);
		if (r < 0)
			goto fail_r;
		t[i] = r;
	}
	tb_stats(t, n, &nozero, &min, &max);
	/* What clear_page() costs per page, on pages already allocated. */
	for (i = 0; i < n; i++) {
		struct page *p = alloc_page(GFP_HIGHUSER);
		unsigned int k;
		u64 t0;

		if (!p) {
			r = -ENOMEM;
			goto fail_r;
		}
		t0 = ktime_get_ns();
		for (k = 0; k < 256; k++)
			clear_highpage(p);
		t[i] = ktime_get_ns() - t0;
		__free_page(p);
	}
	tb_stats(t, n, &clear, &min, &max);
	/* In thousandths of a clear_page() per page. */
	pr_info("R zero backend=%s caching=cached state=cold size=%lu zero_ns=%llu nozero_ns=%llu clear_page_ns_x256=%llu ttm_clears_per_page_milli=%lld\n",
		tb->be->name, size, zero, nozero, clear,
		div64_s64(((s64)zero - (s64)nozero) * 256000,
			  (s64)max(clear, 1ULL) * (s64)(size >> PAGE_SHIFT)));
	tb->results++;
	return;
fail_r:
	ret = r;
fail:
	tb_fail(tb, "memory", tb->be->name, "cached", "cold", size, ret);
}

/* Frees the first @k tts tb_hold() gave, and the array. */
static void tb_release(struct tb *tb, struct ttm_tt *tts, unsigned long k)
{
	while (k--) {
		ttm_pool_free(&tb->pool, &tts[k]);
		ttm_tt_fini(&tts[k]);
	}
	kvfree(tts);
}

/*
 * (4) swiotlb slots in use at the peak of a fill of four times the swiotlb
 * pool with tts of 16 MiB, all held at once (up to a third of memory). The
 * counters are those of debugfs' swiotlb/io_tlb_used_hiwater (exact with
 * swiotlb=...,track_hiwater), read from the device's swiotlb directly.
 */
static void tb_bench_swiotlb(struct tb *tb)
{
	unsigned long peak = 0, fill, size = 16 * TB_MIB, k, n;
	struct io_tlb_mem *mem = tb->dev->dma_io_tlb_mem;
	struct ttm_tt *tts;
	int ret = 0;

	if (!mem || !mem->nslabs) {
		pr_info("R swiotlb backend=%s size=0 slots_peak=0 nslabs=0 alloc_error=0\n",
			tb->be->name);
		tb->results++;
		return;
	}
	if (quick)
		size = 2 * TB_MIB;
	fill = min(4 * (mem->nslabs << IO_TLB_SHIFT), tb->mem_bytes);
	if (quick)
		fill = min(fill, 8 * TB_MIB);
	n = max(fill / size, 1UL);
	tts = kvcalloc(n, sizeof(*tts), GFP_KERNEL);
	if (!tts) {
		tb_fail(tb, "swiotlb", tb->be->name, "cached", "cold", fill, -ENOMEM);
		return;
	}
	tb_pool_empty(tb);
#ifdef CONFIG_DEBUG_FS
	atomic_long_set(&mem->used_hiwater, atomic_long_read(&mem->total_used));
#endif
	for (k = 0; k < n; k++) {
		ret = tb_hold(tb, &tts[k], size);
		if (ret)
			break;
	}
#ifdef CONFIG_DEBUG_FS
	peak = atomic_long_read(&mem->used_hiwater);
#endif
	tb_release(tb, tts, k);
	pr_info("R swiotlb backend=%s size=%lu slots_peak=%lu nslabs=%lu alloc_error=%d\n",
		tb->be->name, n * size, peak, mem->nslabs, ret);
	tb->results++;
}

/*
 * (4) CMA pages in use at the peak of a fill of 32 MiB (up to half of the
 * free CMA pages) with tts of 2 MiB, all held at once: the shared CMA areas
 * are for devices that need contiguous memory, and TT memory kept in a pool
 * should not take them. Counted from the free CMA pages, which other users
 * (none here) could change too.
 */
static void tb_bench_cma(struct tb *tb)
{
	unsigned long size = 2 * TB_MIB, fill = 32 * TB_MIB, k, n, peak = 0;
	long before = global_zone_page_state(NR_FREE_CMA_PAGES), now;
	struct ttm_tt *tts;
	int ret = 0;

	if (quick)
		fill = 8 * TB_MIB;
	fill = min3(fill, (unsigned long)max(before, 0L) / 2 * PAGE_SIZE,
		    tb->mem_bytes);
	n = fill / size;
	if (!n) {
		pr_info("R cma backend=%s size=0 cma_pages_peak=0 cma_free=%ld alloc_error=0\n",
			tb->be->name, before);
		tb->results++;
		return;
	}
	tts = kvcalloc(n, sizeof(*tts), GFP_KERNEL);
	if (!tts) {
		tb_fail(tb, "cma", tb->be->name, "cached", "cold", fill, -ENOMEM);
		return;
	}
	tb_pool_empty(tb);
	before = global_zone_page_state(NR_FREE_CMA_PAGES);
	for (k = 0; k < n; k++) {
		ret = tb_hold(tb, &tts[k], size);
		if (ret)
			break;
		now = global_zone_page_state(NR_FREE_CMA_PAGES);
		if (before - now > (long)peak)
			peak = before - now;
	}
	tb_release(tb, tts, k);
	tb_pool_empty(tb);
	pr_info("R cma backend=%s size=%lu cma_pages_peak=%lu cma_free=%ld alloc_error=%d\n",
		tb->be->name, n * size, peak, before, ret);
	tb->results++;
}

/*
 * (6) Reclaim: the time the shrinkers take to empty a pool that holds
 * @size of freed pages (vm.drop_caches=2 runs every shrinker, TTM's among
 * them, until they free nothing), against the same with the pool empty.
 */
static void tb_bench_reclaim(struct tb *tb, unsigned long size,
			     enum ttm_caching caching)
{
	const char *cn = tb_caching_names[caching];
	unsigned int i, n = tb_runs(size);
	u64 t[TB_MAX_RUNS], e[TB_MAX_RUNS], med, min, max;
	char extra[48];
	s64 r;

	for (i = 0; i < n; i++) {
		u64 t0;

		tb_pool_empty(tb);
		t0 = ktime_get_ns();
		tb_write_file("/proc/sys/vm/drop_caches", "2");
		e[i] = ktime_get_ns() - t0;
		r = tb_alloc_free(tb, size, caching, TTM_TT_FLAG_ZERO_ALLOC);
		if (r < 0) {
			tb_fail(tb, "reclaim", tb->be->name, cn, "full", size, r);
			return;
		}
		t0 = ktime_get_ns();
		tb_write_file("/proc/sys/vm/drop_caches", "2");
		t[i] = ktime_get_ns() - t0;
	}
	tb_stats(e, n, &med, &min, &max);
	snprintf(extra, sizeof(extra), "empty_median_ns=%llu", med);
	tb_emit(tb, "reclaim", tb->be->name, cn, "full", size, t, n, extra);
}

/*
 * A copy out of a tt and back (swap, backup): @what names the step that
 * failed with @err, or is NULL and both ways were timed, @n runs each.
 */
static void tb_emit_copy(struct tb *tb, const char *what, const char *out_kind,
			 const char *in_kind, unsigned long size, u64 *out,
			 u64 *in, unsigned int n, int err)
{
	if (what) {
		tb_fail(tb, what, tb->be->name, "cached", "full", size, err);
		return;
	}
	tb_emit(tb, out_kind, tb->be->name, "cached", "full", size, out, n,
		NULL);
	tb_emit(tb, in_kind, tb->be->name, "cached", "full", size, in, n,
		NULL);
}

struct tb_file_work {
	struct work_struct work;
	void (*fn)(struct tb *tb, unsigned long size);
	struct tb *tb;
	unsigned long size;
};

static void tb_file_work_fn(struct work_struct *work)
{
	struct tb_file_work *fw = container_of(work, struct tb_file_work, work);

	fw->fn(fw->tb, fw->size);
}

/*
 * In a worker: the last fput() of a kernel thread's file goes to the
 * delayed list, which flush_delayed_fput() empties; modprobe's would wait
 * for its return to user space, keeping every run's shmem file (and the
 * memory) until the whole benchmark ends.
 */
static void tb_in_worker(struct tb *tb, unsigned long size,
			 void (*fn)(struct tb *tb, unsigned long size))
{
	struct tb_file_work fw = { .fn = fn, .tb = tb, .size = size };

	INIT_WORK_ONSTACK(&fw.work, tb_file_work_fn);
	queue_work(system_dfl_long_wq, &fw.work);
	flush_work(&fw.work);
	destroy_work_on_stack(&fw.work);
}

/*
 * (6) Backup: ttm_bo_shrink() copies the tt of an idle buffer in system
 * memory into its shmem backup file page by page and frees the pages
 * (ttm_tt_backup(), ttm_pool_backup(): the shrinker path of xe);
 * ttm_tt_restore() allocates new pages and copies the content back
 * (ttm_pool_restore_and_alloc()). Both take the device's pool, here
 * re-initialised with the backend under test; the base refuses pools that
 * allocate through the DMA API (-EBUSY), the series backs up DMA pages too.
 * The buffer is the least TTM needs for that: a reservation object, a
 * system-memory resource on the device's LRU, the tt. As with the swap,
 * the shmem file reaches swap (zram) only under memory pressure.
 */
static void tb_backup_runs(struct tb *tb, unsigned long size)
{
	static const struct ttm_place sys = { .mem_type = TTM_PL_SYSTEM };
	const struct ttm_bo_shrink_flags flags = { };
	struct ttm_buffer_object *bo = tb->bo;
	struct ttm_pool *pool = &tb->bdev.pool;
	struct ttm_operation_ctx ctx = { };
	unsigned int i, n = min(tb_runs(size), 3U);
	u64 out[TB_MAX_RUNS], in[TB_MAX_RUNS], t0, t1;
	const char *what = NULL;
	struct ttm_resource res;
	struct ttm_tt tt;
	long ret = 0;
	int err;

	tb_pool_empty(tb);
	ttm_pool_fini(pool);
	tb_pool_init_at(tb, pool);
	bo->base.size = size;
	bo->bdev = &tb->bdev;
	dma_resv_init(&bo->base._resv);
	bo->base.resv = &bo->base._resv;
	ttm_resource_init(bo, &sys, &res);
	bo->resource = &res;
	bo->ttm = &tt;
	for (i = 0; i < n; i++) {
		what = "backup";
		ret = tb_tt_init(tb, &tt, size, ttm_cached, 0);
		if (ret)
			break;
		tt.backup = shmem_file_setup("ttm_bench backup", size,
					     EMPTY_VMA_FLAGS);
		if (IS_ERR(tt.backup)) {
			ret = PTR_ERR(tt.backup);
			tt.backup = NULL;
			ttm_tt_fini(&tt);
			break;
		}
		ret = ttm_pool_alloc(pool, &tt, &ctx);
		if (ret) {
			ttm_tt_fini(&tt);
			break;
		}
		/* As ttm_tt_populate() leaves it; a backup clears it. */
		tt.page_flags |= TTM_TT_FLAG_PRIV_POPULATED;
		dma_resv_lock(bo->base.resv, NULL);
		t0 = ktime_get_ns();
		ret = ttm_bo_shrink(&ctx, bo, flags);
		t1 = ktime_get_ns();
		dma_resv_unlock(bo->base.resv);
		out[i] = t1 - t0;
		if (ret <= 0) {
			/* Nothing backed up: the pages are all in place. */
			tt.page_flags &= ~TTM_TT_FLAG_PRIV_POPULATED;
			ttm_pool_free(pool, &tt);
			ttm_tt_fini(&tt);
			ret = ret ?: -ENOSPC;
			break;
		}
		if (ret != tt.num_pages)	/* part of it: restore, report */
			ret = -ENOSPC;
		t0 = ktime_get_ns();
		err = ttm_tt_restore(&tb->bdev, &tt, &ctx);
		t1 = ktime_get_ns();
		in[i] = t1 - t0;
		if (!err) {
			ttm_pool_free(pool, &tt);
		} else {
			what = "restore";
			ret = err;
		}
		/* Drops what stayed backed up, closes the shmem file. */
		ttm_tt_fini(&tt);
		flush_delayed_fput();
		if (ret < 0)
			break;
		what = NULL;
	}
	bo->ttm = NULL;
	bo->resource = NULL;
	ttm_resource_fini(ttm_manager_type(&tb->bdev, TTM_PL_SYSTEM), &res);
	dma_resv_fini(&bo->base._resv);
	bo->base.resv = NULL;
	bo->bdev = NULL;
	/* The device's pool as ttm_device_init() left it. */
	ttm_pool_fini(pool);
	ttm_pool_init(pool, tb->dev, dev_to_node(tb->dev), 0);
	flush_delayed_fput();
	if (what && ret == -EBUSY) {
		/* The pool's refusal (the base's DMA allocations), no fault. */
		pr_info("R backup backend=%s caching=cached state=full size=%lu refused=%ld\n",
			tb->be->name, size, ret);
		tb->results++;
		return;
	}
	tb_emit_copy(tb, what, "backup", "restore", size, out, in, n, ret);
}

static void tb_bench_backup(struct tb *tb, unsigned long size)
{
	if (!ttm_backup_bytes_avail()) {
		pr_info("R skip backup reason=\"no swap space\"\n");
		return;
	}
	tb_in_worker(tb, size, tb_backup_runs);
}

/*
 * (6) Swap: ttm_tt_swapout() copies a populated tt into a shmem file and
 * frees its pages (what ttm_bo_swapout() does to the buffers of radeon,
 * amdgpu and nouveau under memory pressure), ttm_tt_populate() allocates
 * new pages and copies the content back (ttm_tt_swapin()). Both go
 * through the device's populate hooks, here tb->pool. The shmem file goes
 * to swap (zram in the VMs) only if memory runs short, which it does not
 * here: this is TTM's part of the cost. The two are exported for
 * DRM's tests (CONFIG_DRM_EXPORT_FOR_TESTS, CONFIG_DRM_TTM_KUNIT_TEST),
 * which the test kernels have.
 */
#if IS_ENABLED(CONFIG_DRM_EXPORT_FOR_TESTS) && IS_ENABLED(CONFIG_DRM_TTM_KUNIT_TEST)
static void tb_swap_runs(struct tb *tb, unsigned long size)
{
	struct ttm_operation_ctx ctx = { };
	unsigned int i, n = min(tb_runs(size), 3U);
	u64 out[TB_MAX_RUNS], in[TB_MAX_RUNS], t0, t1;
	const char *what = NULL;
	struct ttm_tt tt;
	int ret;

	tb_pool_empty(tb);
	for (i = 0; i < n; i++) {
		ret = tb_tt_init(tb, &tt, size, ttm_cached, 0);
		if (ret) {
			what = "swapout";
			break;
		}
		ret = ttm_tt_populate(&tb->bdev, &tt, &ctx);
		if (ret) {
			ttm_tt_fini(&tt);
			what = "swapout";
			break;
		}
		t0 = ktime_get_ns();
		ret = ttm_tt_swapout(&tb->bdev, &tt, GFP_KERNEL);
		t1 = ktime_get_ns();
		if (ret < 0) {
			ttm_tt_unpopulate(&tb->bdev, &tt);
			ttm_tt_fini(&tt);
			what = "swapout";
			break;
		}
		out[i] = t1 - t0;
		t0 = ktime_get_ns();
		ret = ttm_tt_populate(&tb->bdev, &tt, &ctx);
		t1 = ktime_get_ns();
		if (ret) {
			/* ttm_tt_populate() freed the pages; the copy stays. */
			if (tt.swap_storage)
				fput(tt.swap_storage);
			ttm_tt_fini(&tt);
			what = "swapin";
			break;
		}
		in[i] = t1 - t0;
		ttm_tt_unpopulate(&tb->bdev, &tt);
		ttm_tt_fini(&tt);
		/* The shmem file ttm_tt_swapin() let go of, freed now. */
		flush_delayed_fput();
	}
	flush_delayed_fput();
	tb_emit_copy(tb, what, "swapout", "swapin", size, out, in, n, ret);
}

static void tb_bench_swap(struct tb *tb, unsigned long size)
{
	tb_in_worker(tb, size, tb_swap_runs);
}

static int tb_tt_populate(struct ttm_device *bdev, struct ttm_tt *tt,
			  struct ttm_operation_ctx *ctx)
{
	struct tb *tb = container_of(bdev, struct tb, bdev);

	return ttm_pool_alloc(&tb->pool, tt, ctx);
}

static void tb_tt_unpopulate(struct ttm_device *bdev, struct ttm_tt *tt)
{
	struct tb *tb = container_of(bdev, struct tb, bdev);

	ttm_pool_free(&tb->pool, tt);
}
#else
static void tb_bench_swap(struct tb *tb, unsigned long size)
{
	pr_info("R skip swap reason=\"no CONFIG_DRM_EXPORT_FOR_TESTS\"\n");
}
#endif

#ifdef TTM_BENCH_SYNC
static atomic_long_t tb_sync_calls;
static struct device *tb_sync_dev;
static struct tracepoint *tb_tp_cpu, *tb_tp_dev;

static void tb_sync_probe(void *data, struct device *dev, dma_addr_t addr,
			  size_t size, enum dma_data_direction dir)
{
	if (dev == READ_ONCE(tb_sync_dev))
		atomic_long_inc(&tb_sync_calls);
}

static void tb_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "dma_sync_single_for_cpu"))
		tb_tp_cpu = tp;
	else if (!strcmp(tp->name, "dma_sync_single_for_device"))
		tb_tp_dev = tp;
}

/*
 * (3) ttm_tt_sync_for_cpu() + ttm_tt_sync_for_device() of a whole tt, in
 * ns, and the DMA-API sync calls they made on the device (counted at the
 * DMA layer's dma_sync_single_for_{cpu,device} tracepoints, which
 * __dma_sync_single_for_*() pass).
 */
static void tb_bench_sync(struct tb *tb, unsigned long size)
{
	unsigned int i, n = tb_runs(size);
	u64 t[TB_MAX_RUNS];
	char extra[64];
	long calls;
	struct ttm_tt tt;
	int ret;

	if (!tb_tp_cpu || !tb_tp_dev) {
		ret = -ENOENT;
		goto fail;
	}
	ret = tb_alloc_cold(tb, &tt, size);
	if (ret)
		goto fail;
	/* What ttm_tt_populate() says of a tt the pool filled. */
	tt.page_flags |= TTM_TT_FLAG_PRIV_POPULATED;
	atomic_long_set(&tb_sync_calls, 0);
	WRITE_ONCE(tb_sync_dev, tb->dev);
	for (i = 0; i < n; i++) {
		u64 t0 = ktime_get_ns();

		ttm_tt_sync_for_cpu(&tt, 0, tt.num_pages);
		ttm_tt_sync_for_device(&tt, 0, tt.num_pages);
		t[i] = ktime_get_ns() - t0;
	}
	WRITE_ONCE(tb_sync_dev, NULL);
	calls = atomic_long_read(&tb_sync_calls);
	tt.page_flags &= ~TTM_TT_FLAG_PRIV_POPULATED;
	ttm_pool_free(&tb->pool, &tt);
	ttm_tt_fini(&tt);
	/*
	 * With CONFIG_DMA_API_DEBUG, dma_dev_need_sync() is always true and
	 * every sync reaches the DMA layer; skip_sync says whether a kernel
	 * without it would make none (the DMA layer's own verdict).
	 */
	snprintf(extra, sizeof(extra), "dma_sync_calls_per_run=%ld skip_sync=%d",
		 calls / n, dev_dma_skip_sync(tb->dev));
	tb_emit(tb, "sync", tb->be->name, "cached", "-", size, t, n, extra);
	return;
fail:
	tb_fail(tb, "sync", tb->be->name, "cached", "-", size, ret);
}

static void tb_sync_init(void)
{
	for_each_kernel_tracepoint(tb_find_tp, NULL);
	if (tb_tp_cpu && tracepoint_probe_register(tb_tp_cpu, tb_sync_probe, NULL))
		tb_tp_cpu = NULL;
	if (tb_tp_dev && tracepoint_probe_register(tb_tp_dev, tb_sync_probe, NULL))
		tb_tp_dev = NULL;
}

static void tb_sync_fini(void)
{
	if (tb_tp_cpu)
		tracepoint_probe_unregister(tb_tp_cpu, tb_sync_probe, NULL);
	if (tb_tp_dev)
		tracepoint_probe_unregister(tb_tp_dev, tb_sync_probe, NULL);
	tracepoint_synchronize_unregister();
}
#else
static void tb_bench_sync(struct tb *tb, unsigned long size) { }
static void tb_sync_init(void) { }
static void tb_sync_fini(void) { }
#endif

static const unsigned long tb_alloc_sizes[] = {
	4096, 64 * 1024, 2 * TB_MIB, 64 * TB_MIB, 512 * TB_MIB,
};

static const unsigned long tb_scale_sizes[] = {
	TB_MIB, 4 * TB_MIB, 16 * TB_MIB, 64 * TB_MIB, 256 * TB_MIB, 1024 * TB_MIB,
};

static bool tb_size_ok(struct tb *tb, unsigned long size)
{
	if (size <= tb->max_bytes && (!quick || size <= 2 * TB_MIB))
		return true;
	pr_info("R skip size=%lu reason=%s\n", size,
		quick ? "quick" : "memory cap");
	return false;
}

static void tb_bench_backend(struct tb *tb)
{
	unsigned long memsize = min(64 * TB_MIB, tb->max_bytes);
	unsigned int i;

	if (quick)
		memsize = 2 * TB_MIB;
	tb_pool_init(tb);
#ifdef TTM_BENCH_SERIES
	pr_info("R pool backend=%s chosen=%s reason=\"%s\"\n", tb->be->name,
		ttm_pool_backend_name(tb->pool.backend), tb->pool.backend_reason);
#else
	pr_info("R pool backend=%s chosen=%s reason=\"unpatched tree\"\n",
		tb->be->name, tb->be->name);
#endif
	for (i = 0; i < ARRAY_SIZE(tb_alloc_sizes); i++) {
		unsigned long size = tb_alloc_sizes[i];

		if (!tb_size_ok(tb, size))
			continue;
		pr_info("progress: %s: allocation of %lu KiB (at %llu ms)\n",
			tb->be->name, size >> 10, ktime_get_ns() / NSEC_PER_MSEC);
		tb_bench_alloc(tb, size, ttm_cached, false, "alloc");
		tb_bench_alloc(tb, size, ttm_write_combined, false, "alloc");
	}
	pr_info("progress: %s: scaling\n", tb->be->name);
	for (i = 0; i < ARRAY_SIZE(tb_scale_sizes); i++) {
		unsigned long size = tb_scale_sizes[i];

		if (quick && size > TB_MIB)
			break;
		if (!tb_size_ok(tb, size))
			continue;
		if (size != 64 * TB_MIB)
			tb_bench_alloc(tb, size, ttm_cached, true, "scale");
		tb_bench_orders(tb, size);
	}
	pr_info("progress: %s: memory, hand-overs\n", tb->be->name);
	tb_bench_memory(tb, memsize);
	tb_bench_swiotlb(tb);
	tb_bench_cma(tb);
	tb_bench_sync(tb, quick ? 2 * TB_MIB : 16 * TB_MIB);
	pr_info("progress: %s: reclaim\n", tb->be->name);
	tb_bench_reclaim(tb, memsize, ttm_cached);
	tb_bench_reclaim(tb, memsize, ttm_write_combined);
	pr_info("progress: %s: swap\n", tb->be->name);
	tb_bench_swap(tb, quick ? 2 * TB_MIB : min(256 * TB_MIB, tb->max_bytes));
	pr_info("progress: %s: backup\n", tb->be->name);
	tb_bench_backup(tb, quick ? 2 * TB_MIB : min(256 * TB_MIB, tb->max_bytes));
	ttm_pool_fini(&tb->pool);
}

/*
 * profile_kib: alloc+free of one size, in a loop a profiler samples. A
 * cold loop re-initialises the pool each time (its pages go back to the
 * page allocator) but leaves TTM's global pools alone: cached only.
 */
static void tb_profile(struct tb *tb)
{
	unsigned long size = (unsigned long)profile_kib << 10;
	u64 t0, end, loops = 0, timed = 0;
	s64 r = 0;

	tb_pool_init(tb);
	pr_info("progress: %s: profile of %u KiB %s\n", tb->be->name,
		profile_kib, profile_cold ? "cold" : "warm");
	t0 = ktime_get_ns();
	end = t0 + (u64)profile_ms * NSEC_PER_MSEC;
	while (ktime_get_ns() < end) {
		if (profile_cold) {
			ttm_pool_fini(&tb->pool);
			tb_pool_init(tb);
		}
		r = tb_alloc_free(tb, size, ttm_cached, TTM_TT_FLAG_ZERO_ALLOC);
		if (r < 0)
			break;
		timed += r;
		loops++;
		cond_resched();
	}
	if (r < 0) {
		tb_fail(tb, "profile", tb->be->name, "cached",
			profile_cold ? "cold" : "warm", size, r);
	} else {
		/*
		 * ns_per_loop: the whole loop (tt init and fini, the cold
		 * pool's init and fini); alloc_free_ns: the part the
		 * benchmark times, ttm_pool_alloc() + ttm_pool_free().
		 */
		pr_info("R profile backend=%s caching=cached state=%s size=%lu loops=%llu ns_per_loop=%llu alloc_free_ns=%llu\n",
			tb->be->name, profile_cold ? "cold" : "warm", size,
			loops, loops ? div64_u64(ktime_get_ns() - t0, loops) : 0,
			loops ? div64_u64(timed, loops) : 0);
		tb->results++;
	}
	ttm_pool_fini(&tb->pool);
}

static void tb_bench_limits(struct tb *tb)
{
	unsigned int i;

	pr_info("progress: the limit\n");
	for (i = 0; i < ARRAY_SIZE(tb_alloc_sizes); i++) {
		unsigned long size = tb_alloc_sizes[i];

		if (!tb_size_ok(tb, size))
			continue;
		tb_bench_limit(tb, size, false);
		if (!tb->bounces)
			tb_bench_limit(tb, size, true);
	}
	for (i = 0; i < ARRAY_SIZE(tb_scale_sizes); i++) {
		unsigned long size = tb_scale_sizes[i];

		if (quick && size > TB_MIB)
			break;
		if (size != 64 * TB_MIB && tb_size_ok(tb, size))
			tb_bench_limit(tb, size, false);
	}
}

static struct ttm_tt *tb_tt_create(struct ttm_buffer_object *bo,
				   u32 page_flags)
{
	return NULL;
}

static const struct ttm_device_funcs tb_ttm_funcs = {
	.ttm_tt_create = tb_tt_create,
#if IS_ENABLED(CONFIG_DRM_EXPORT_FOR_TESTS) && IS_ENABLED(CONFIG_DRM_TTM_KUNIT_TEST)
	.ttm_tt_populate = tb_tt_populate,
	.ttm_tt_unpopulate = tb_tt_unpopulate,
#endif
};

static int tb_run(struct tb *tb)
{
	char list[64], *cur, *name;
	struct sysinfo si;
	int ret;

	si_meminfo(&si);
	tb->mem_bytes = si.totalram * si.mem_unit / 3;
	tb->max_bytes = min_t(unsigned long, (unsigned long)max_mib * TB_MIB,
			      tb->mem_bytes);
	tb->bounces = dma_max_mapping_size(tb->dev) != SIZE_MAX ||
		      dma_addressing_limited(tb->dev);
	pr_info("R info tree=%s kernel=%s dev=%s dma_bits=%u coherent=%d need_sync=%d bounces=%d max_mapping=%zu totalram=%lu page_size=%lu quick=%d\n",
		TB_TREE, init_utsname()->release, dev_name(tb->dev), dma_bits,
		dev_is_dma_coherent(tb->dev), dma_dev_need_sync(tb->dev),
		tb->bounces, dma_max_mapping_size(tb->dev),
		si.totalram * si.mem_unit, PAGE_SIZE, quick);

	/* TTM's globals (the pool manager) come with the first device. */
	drm_vma_offset_manager_init(&tb->vma, 0, 16);
	ret = ttm_device_init(&tb->bdev, &tb_ttm_funcs, tb->dev, NULL,
			      &tb->vma, 0);
	if (ret)
		goto out_vma;
	tb->bo = kzalloc_obj(*tb->bo);
	if (!tb->bo) {
		ret = -ENOMEM;
		goto out_dev;
	}
	tb_sync_init();

	if (!profile_kib)
		tb_bench_limits(tb);
	strscpy(list, backends ? backends : "", sizeof(list));
	if (!backends) {
		unsigned int i, len = 0;

		for (i = 0; i < ARRAY_SIZE(tb_backends); i++)
			len += scnprintf(list + len, sizeof(list) - len, "%s%s",
					 i ? "," : "", tb_backends[i].name);
	}
	cur = list;
	while ((name = strsep(&cur, ","))) {
		tb->be = tb_find_backend(name);
		if (!tb->be) {
			pr_err("unknown backend '%s'\n", name);
			tb->errors++;
			continue;
		}
		if (profile_kib)
			tb_profile(tb);
		else
			tb_bench_backend(tb);
	}
	pr_info("R done results=%u errors=%u\n", tb->results, tb->errors);

	tb_sync_fini();
	kfree(tb->bo);
out_dev:
	ttm_device_fini(&tb->bdev);
out_vma:
	drm_vma_offset_manager_destroy(&tb->vma);
	return ret;
}

static int tb_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct tb *tb;
	int ret;

	if (tb_ran)
		return -EBUSY;
	/* The mask edu_gpu sets (edu_gpu_drv.c), before any allocation. */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(dma_bits));
	if (ret)
		return ret;
	tb = kzalloc_obj(*tb);
	if (!tb)
		return -ENOMEM;
	tb->dev = &pdev->dev;
	ret = tb_run(tb);
	kfree(tb);
	tb_ran = true;
	return ret;
}

static const struct pci_device_id tb_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};

static struct pci_driver tb_driver = {
	.name = "ttm_bench",
	.id_table = tb_ids,
	.probe = tb_probe,
};

static int __init tb_init(void)
{
	int ret;

	if (dma_bits < 24 || dma_bits > 64) {
		pr_err("dma_bits=%u: must be 24 to 64\n", dma_bits);
		return -EINVAL;
	}
	if (profile_kib && (profile_kib % (PAGE_SIZE >> 10) ||
			    profile_kib > max_mib * 1024UL || !profile_ms ||
			    profile_ms > 600000)) {
		pr_err("profile_kib=%u profile_ms=%u: profile_kib must be a multiple of the page size and at most max_mib, profile_ms 1 to 600000\n",
		       profile_kib, profile_ms);
		return -EINVAL;
	}
	ret = pci_register_driver(&tb_driver);
	if (ret)
		return ret;
	if (!tb_ran) {
		pr_err("no edu device bound (PCI 1234:11e8; edu_gpu loaded?)\n");
		pci_unregister_driver(&tb_driver);
		return -ENODEV;
	}
	return 0;
}
module_init(tb_init);

static void __exit tb_exit(void)
{
	pci_unregister_driver(&tb_driver);
}
module_exit(tb_exit);

MODULE_DESCRIPTION("Benchmarks of TTM's page pool on QEMU's edu device");
MODULE_LICENSE("GPL");
