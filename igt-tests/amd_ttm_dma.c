// SPDX-License-Identifier: MIT
/*
 * amd_ttm_dma: CPU/GPU coherency of TTM-managed system memory (GTT) on
 * amdgpu, checked with the SDMA engine on every family (SI DMA packets on
 * SI, SDMA linear copies on CIK and later).
 *
 * What a failure means: data the CPU wrote into a GTT buffer object is not
 * what the GPU read, or data the GPU wrote is not what the CPU read. Every
 * check covers every dword of buffers of 64 MiB and more (many TTM pool
 * chunks), with a different value in every dword, per object and per run,
 * so that
 *  - "stale data" (the previous content) means a missing hand-over between
 *    CPU and device: a bounce buffer not copied (swiotlb=force, Xen PV) or
 *    cache lines not written back / invalidated (non-snooping arm64 PCIe);
 *  - "neither the new nor the previous content" (garbage) in a part of the
 *    buffer means a wrong DMA address inside a multi-chunk tt, or pages
 *    lost across eviction or swap-out;
 *  - "zero" where data was expected means a copy that never arrived, or
 *    where zero was expected (fresh allocations) means recycled pool pages
 *    leaking old content.
 * A fence timeout is a GPU hang: check dmesg. Kernel WARNs (the series'
 * ownership check, DMA-API debug) are not visible to this test: the
 * harness judges dmesg.
 *
 * Without an amdgpu device the test skips ("no amdgpu device").
 *
 * Environment (for GPUs with little VRAM, or quick runs):
 *   AMD_TTM_DMA_MIB           size of each data-checked buffer, MiB
 *                             (default 64; large-gtt allocates 4 of them)
 *   AMD_TTM_DMA_WINDOW_MIB    largest CPU-visible VRAM window (default:
 *                             the buffer size, or half the free visible
 *                             VRAM if that is smaller)
 *   AMD_TTM_DMA_USERPTR_LOOPS iterations of userptr-fails-cleanly (200)
 *   IGT_SRANDOM               the run's seed, as in every IGT test
 */

/**
 * TEST: amd ttm dma
 * Category: Core
 * Mega feature: AMDGPU
 * Sub-category: Memory management tests
 * Functionality: TTM system memory, DMA mapping, CPU and GPU coherency
 * Description: Data written by the CPU into GTT reaches the SDMA engine and
 *	data written by SDMA reaches the CPU, for every dword of large buffers,
 *	for cached and USWC GTT, fresh allocations, many buffers at once,
 *	swap-out, userptr, dma-buf CPU access and VRAM eviction.
 * Test category: functionality test
 *
 * SUBTEST: cpu-write-gpu-read-%s
 * Description: The CPU fills a GTT buffer, SDMA copies it into CPU-visible
 *	VRAM (in windows), every dword is checked through the BAR; twice, the
 *	second time after the CPU rewrote the buffer.
 *
 * SUBTEST: gpu-write-cpu-read-%s
 * Description: SDMA overwrites a GTT buffer the CPU filled, the CPU must
 *	see the new data in every dword; then a second GPU write after the CPU
 *	read the first (stale cache lines, stale bounce buffers).
 *
 * arg[1]:
 *
 * @cached:	cacheable GTT (no creation flag)
 * @uswc:	write-combined GTT (AMDGPU_GEM_CREATE_CPU_GTT_USWC)
 *
 * SUBTEST: fresh-allocation-reads-zero
 * Description: New GTT buffers, allocated right after freeing dirty ones of
 *	the same size (recycled pool pages), read as zero by SDMA and by the
 *	CPU, cached and USWC.
 *
 * SUBTEST: large-gtt
 * Description: 256 MiB of GTT buffers alive at once, each filled and
 *	checked in both directions; with the pool backend dma-pages or
 *	streaming without bouncing, the swiotlb high-water mark must not rise.
 *
 * SUBTEST: swap
 * Description: Buffers written by SDMA are swapped out (debugfs
 *	ttm/tt_shrink) and must come back intact for the CPU and for SDMA,
 *	also after the CPU rewrote them and they went out again.
 *
 * SUBTEST: userptr-fails-cleanly
 * Description: Userptr buffers over anonymous memory either fail cleanly
 *	(-EIO where the mapping would bounce, -EOPNOTSUPP where the device
 *	does not snoop, -ENOMEM; at creation or at command submission) or
 *	move correct data both ways; no GTT or swiotlb leak over many
 *	iterations.
 *
 * SUBTEST: dmabuf-cpu-access
 * Description: CPU access through the mmap of an exported dma-buf,
 *	bracketed by DMA_BUF_IOCTL_SYNC, is seen by SDMA and sees SDMA's
 *	writes.
 *
 * SUBTEST: evict-vram
 * Description: VRAM buffers written by SDMA, evicted to GTT (debugfs
 *	amdgpu_evict_vram: SDMA writes the TT pages), read by the CPU through
 *	their mapping and copied back by SDMA, every dword.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "lib/amdgpu/amd_memory.h"
#include "lib/amdgpu/amd_sdma.h"

IGT_TEST_DESCRIPTION("Check with SDMA that every dword of large GTT buffers "
		     "written by the CPU reaches the GPU and the reverse, "
		     "through swap-out, userptr, dma-buf and VRAM eviction.");

#define AMD_MIB			((uint64_t)1 << 20)
#define AMD_DEFAULT_MIB		64
#define AMD_LARGE_COUNT		4	/* large-gtt: 4 x 64 MiB = 256 MiB */
#define AMD_FENCE_TIMEOUT_NS	(20ull * 1000 * 1000 * 1000)
#define AMD_IB_SIZE		(64 * 1024)
#define AMD_USERPTR_SIZE	(4 * AMD_MIB)	/* + 3 pages */
#define AMD_SWIOTLB_SLOT	2048	/* IO_TLB_SIZE */

static int amd_fd = -1;
static amdgpu_device_handle amd_dev;
static struct amdgpu_gpu_info amd_gpu;
static struct drm_amdgpu_info_hw_ip amd_sdma;
static amdgpu_context_handle amd_ctx;
static uint64_t amd_size;	/* bytes per data-checked buffer */
static uint64_t amd_window;	/* bytes of the CPU-visible VRAM window */
static uint32_t amd_copy_max;	/* bytes per SDMA copy packet */
static uint32_t amd_seed_state;
static long amd_page_size;
static char amd_backend[32], amd_backend_reason[128];

/* A mapped buffer object with its GPU virtual address. */
struct amd_bo {
	amdgpu_bo_handle bo;
	amdgpu_va_handle va;
	uint64_t mc;
	uint64_t size;
	volatile uint32_t *map;
};

static struct amd_bo amd_ib;

/*
 * Patterns: dword i of a buffer holds amd_pat_dw(seed, off + i). The mix is
 * a bijection of 32 bits, so two seeds never give the same value at the
 * same index, and the values differ in every dword.
 */
struct amd_pat {
	uint32_t seed;
	bool zero;
	uint64_t off;	/* in dwords */
};

static uint32_t amd_pat_dw(struct amd_pat p, uint64_t i)
{
	uint32_t x;

	if (p.zero)
		return 0;
	x = (uint32_t)(p.off + i) ^ p.seed;
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x ? x : p.seed | 1;
}

static struct amd_pat amd_new_pat(void)
{
	struct amd_pat p = { };

	do {
		amd_seed_state = amd_seed_state * 1664525u + 1013904223u;
		p.seed = amd_seed_state ^ (amd_seed_state >> 13);
	} while (!p.seed);
	return p;
}

static struct amd_pat amd_zero_pat(void)
{
	return (struct amd_pat){ .zero = true };
}

static struct amd_pat amd_pat_at(struct amd_pat p, uint64_t byte_off)
{
	p.off += byte_off / 4;
	return p;
}

/* Two pattern dwords as one little-endian qword (GPUs and our CPUs are LE) */
static uint64_t amd_pat_qw(struct amd_pat p, uint64_t i)
{
	return amd_pat_dw(p, i) | (uint64_t)amd_pat_dw(p, i + 1) << 32;
}

/*
 * CPU accesses: aligned 8-byte volatile accesses (BAR and uncached
 * mappings on arm64 are Device memory: no unaligned access, no DC ZVA).
 * Sizes here are multiples of 8 bytes.
 */
static void amd_fill(volatile uint32_t *map, uint64_t bytes, struct amd_pat p)
{
	volatile uint64_t *q = (volatile uint64_t *)map;
	uint64_t i;

	for (i = 0; i < bytes / 8; i++)
		q[i] = amd_pat_qw(p, 2 * i);
}

static bool amd_matches(const volatile uint32_t *map, uint64_t bytes,
			struct amd_pat p)
{
	const volatile uint64_t *q = (const volatile uint64_t *)map;
	uint64_t i;

	for (i = 0; i < bytes / 8; i++)
		if (q[i] != amd_pat_qw(p, 2 * i))
			return false;
	return true;
}

/*
 * Every dword of map[0, bytes) must hold @want; @old (seed 0 and not zero:
 * unknown) is what it held before, to tell stale data from garbage. The
 * first pass decides; a second one only describes the mismatch (if it
 * finds none, the data changed while the CPU read it: a failure too).
 */
static void amd_check(const volatile uint32_t *map, uint64_t bytes,
		      struct amd_pat want, struct amd_pat old, const char *what)
{
	uint64_t i, bad = 0, pages = 0, first = 0, last_page = UINT64_MAX;
	uint32_t exp = 0, got = 0, v;
	const char *kind;

	if (amd_matches(map, bytes, want))
		return;

	for (i = 0; i < bytes / 4; i++) {
		v = map[i];
		if (v == amd_pat_dw(want, i))
			continue;
		if (!bad++) {
			first = i;
			exp = amd_pat_dw(want, i);
			got = v;
		}
		if (i * 4 / amd_page_size != last_page) {
			last_page = i * 4 / amd_page_size;
			pages++;
		}
	}
	igt_assert_f(bad, "%s: %#" PRIx64 " bytes did not match, but a second "
		     "read does: the data changed while the CPU read it\n",
		     what, bytes);

	if ((old.seed || old.zero) && got == amd_pat_dw(old, first))
		kind = "the previous content: stale data";
	else if (!got)
		kind = "zero";
	else
		kind = "neither the new nor the previous content";
	for (i = first & ~3ull; i < (first | 3) + 1 && i < bytes / 4; i++)
		igt_info("  byte %#" PRIx64 ": expected %08x got %08x%s\n",
			 i * 4, amd_pat_dw(want, i), map[i],
			 i == first ? "  <- first mismatch" : "");
	igt_assert_f(false, "%s: %" PRIu64 " of %" PRIu64 " dwords wrong in %"
		     PRIu64 " page(s); first at byte %#" PRIx64 ": expected "
		     "0x%08x, got 0x%08x (%s)\n", what, bad, bytes / 4, pages,
		     first * 4, exp, got, kind);
}

/* Buffer objects */

static const char *amd_domain_name(uint32_t domain, uint64_t flags)
{
	if (domain == AMDGPU_GEM_DOMAIN_VRAM)
		return flags & AMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED ?
			"visible VRAM" : "VRAM";
	return flags & AMDGPU_GEM_CREATE_CPU_GTT_USWC ? "GTT USWC" :
		"GTT cached";
}

/*
 * Every buffer object and user mapping a subtest creates is recorded here,
 * so that what a failed subtest left behind (igt_assert() jumps out of
 * it) is freed when the next subtest starts (amd_subtest_begin()) or at
 * the end, instead of holding visible VRAM and GTT for the rest of the run.
 */
#define AMD_MAX_LIVE	32
static struct amd_bo amd_live[AMD_MAX_LIVE];
static struct {
	void *addr;
	uint64_t size;
	int fd;		/* a dma-buf, or -1 */
} amd_live_map[2] = { { .fd = -1 }, { .fd = -1 } };

static void amd_track(const struct amd_bo *b)
{
	unsigned int i;

	for (i = 0; i < AMD_MAX_LIVE; i++)
		if (!amd_live[i].bo) {
			amd_live[i] = *b;
			return;
		}
	igt_assert_f(false, "more than %d live buffer objects\n",
		     AMD_MAX_LIVE);
}

static void amd_untrack(amdgpu_bo_handle bo)
{
	unsigned int i;

	for (i = 0; i < AMD_MAX_LIVE; i++)
		if (amd_live[i].bo == bo)
			memset(&amd_live[i], 0, sizeof(amd_live[i]));
}

/* A user mapping (mmap) to undo if the subtest fails; slot 0 or 1. */
static void amd_track_map(unsigned int slot, void *addr, uint64_t size,
			  int fd)
{
	amd_live_map[slot].addr = addr;
	amd_live_map[slot].size = size;
	amd_live_map[slot].fd = fd;
}

static void amd_untrack_map(unsigned int slot)
{
	amd_track_map(slot, NULL, 0, -1);
}

static void __amd_bo_free(struct amd_bo *b)
{
	if (b->map) {
		amdgpu_bo_unmap_and_free(b->bo, b->va, b->mc, b->size);
	} else {
		/* a userptr BO: no CPU mapping of its own */
		amdgpu_bo_va_op(b->bo, 0, b->size, b->mc, 0,
				AMDGPU_VA_OP_UNMAP);
		amdgpu_va_range_free(b->va);
		amdgpu_bo_free(b->bo);
	}
}

static struct amd_bo __amd_bo_new(uint64_t size, uint32_t domain,
				  uint64_t flags)
{
	struct amd_bo b = { .size = size };
	void *cpu = NULL;
	int r;

	igt_assert(size < (1ull << 32));
	r = amdgpu_bo_alloc_and_map(amd_dev, size, 4096, domain, flags, &b.bo,
				    &cpu, &b.mc, &b.va);
	igt_assert_f(r == 0, "allocating and mapping %" PRIu64 " MiB of %s "
		     "failed: %s\n", size / AMD_MIB,
		     amd_domain_name(domain, flags), strerror(-r));
	b.map = cpu;
	return b;
}

static struct amd_bo amd_bo_new(uint64_t size, uint32_t domain,
				uint64_t flags)
{
	struct amd_bo b = __amd_bo_new(size, domain, flags);

	amd_track(&b);
	return b;
}

static void amd_bo_free(struct amd_bo *b)
{
	if (!b->bo)
		return;
	amd_untrack(b->bo);
	__amd_bo_free(b);
	memset(b, 0, sizeof(*b));
}

/* What earlier subtests left behind when they failed. */
static void amd_free_leftovers(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(amd_live_map); i++) {
		if (amd_live_map[i].addr)
			munmap(amd_live_map[i].addr, amd_live_map[i].size);
		if (amd_live_map[i].fd >= 0)
			close(amd_live_map[i].fd);
		amd_untrack_map(i);
	}
	for (i = 0; i < AMD_MAX_LIVE; i++)
		if (amd_live[i].bo) {
			__amd_bo_free(&amd_live[i]);
			memset(&amd_live[i], 0, sizeof(amd_live[i]));
			n++;
		}
	if (n)
		igt_debug("freed %u buffer objects of a failed subtest\n", n);
}

/* SDMA submission */

static uint32_t amd_lo(uint64_t v)
{
	return (uint32_t)v;
}

static uint32_t amd_hi(uint64_t v)
{
	return (uint32_t)(v >> 32);
}

/*
 * One linear copy packet of @bytes (at most amd_copy_max), as the kernel
 * encodes it:
 *  SI (si_dma.c si_dma_emit_copy_buffer): DMA_PACKET(DMA_PACKET_COPY, 1,
 *	0, 0, byte_count), dst lo, src lo, dst hi & 0xff, src hi & 0xff;
 *  CIK/VI (cik_sdma.c, sdma_v2_4.c, sdma_v3_0.c *_emit_copy_buffer):
 *	SDMA_PACKET(COPY, LINEAR, 0), byte_count, 0, src lo/hi, dst lo/hi;
 *  AI and later (sdma_v4_0.c .. sdma_v7_1.c): the same with byte_count - 1.
 * Family -> engine: SI (110) si_dma; CI/KV (120/125) cik_sdma; VI (130)
 * sdma_v2_4 (Topaz) or sdma_v3_0, CZ (135) sdma_v3_0; AI (141) and every
 * later family id (RV 142, NV 143, VGH 144, GC_11_0_0 145, YC 146, ...,
 * GC_12_0_0 152) SDMA 4.x to 7.x. Addresses: SI has 40 bits (hi & 0xff),
 * its VM too (gmc_v6_0.c); source before destination from CIK on, the
 * destination first on SI. sdma_v7_0.c sets the CPV bit (header bit 19,
 * sdma_v6_0_0_pkt_open.h) for its own copies and then appends an 8th
 * dword (compression control; copy_num_dw = 8); without CPV the packet is
 * the 7-dword one, as sdma_v7_1.c, IGT's copy_linear and Mesa emit it,
 * fine between uncompressed BOs. IGT's SI copy
 * (amd_ip_blocks.c) passes b = 0 and other dword order; we follow the
 * kernel.
 */
static unsigned int amd_emit_copy(volatile uint32_t *ib, uint64_t dst,
				  uint64_t src, uint32_t bytes)
{
	unsigned int i = 0;

	if (amd_gpu.family_id == AMDGPU_FAMILY_SI) {
		ib[i++] = SDMA_PACKET_SI(SDMA_OPCODE_COPY_SI, 1, 0, 0, bytes);
		ib[i++] = amd_lo(dst);
		ib[i++] = amd_lo(src);
		ib[i++] = amd_hi(dst) & 0xff;
		ib[i++] = amd_hi(src) & 0xff;
	} else {
		ib[i++] = SDMA_PACKET(SDMA_OPCODE_COPY,
				      SDMA_COPY_SUB_OPCODE_LINEAR, 0);
		ib[i++] = amd_gpu.family_id >= AMDGPU_FAMILY_AI ? bytes - 1 :
			  bytes;
		ib[i++] = 0;	/* src/dst endian swap */
		ib[i++] = amd_lo(src);
		ib[i++] = amd_hi(src);
		ib[i++] = amd_lo(dst);
		ib[i++] = amd_hi(dst);
	}
	return i;
}

/*
 * IB padding to 8 dwords, with the NOPs of si_dma_ring_pad_ib()
 * (DMA_PACKET(DMA_PACKET_NOP, 0, 0, 0, 0)) and cik_sdma_ring_pad_ib() /
 * sdma_v*_ring_pad_ib() (SDMA_OPCODE_NOP, one dword each).
 */
static unsigned int amd_pad_ib(volatile uint32_t *ib, unsigned int n)
{
	while (n & 7)
		ib[n++] = amd_gpu.family_id == AMDGPU_FAMILY_SI ?
			SDMA_PACKET_SI(SDMA_NOP_SI, 0, 0, 0, 0) : SDMA_NOP;
	return n;
}

/* Copy packets per IB: 7 dwords each, and up to 7 dwords of padding. */
#define AMD_PACKETS_PER_IB	((AMD_IB_SIZE / 4 - 8) / 7)

/*
 * One IB of copy packets for @bytes (at most AMD_PACKETS_PER_IB x
 * amd_copy_max), submitted to SDMA ring 0 with @bos and the IB in its BO
 * list, as IGT's and libdrm's tests submit (amdgpu_cs_submit() with a
 * bo list), then waited for with a timeout.
 */
static int amd_sdma_submit_copy(uint64_t dst, uint64_t src, uint64_t bytes,
				amdgpu_bo_handle *bos, unsigned int nbos)
{
	amdgpu_bo_handle list_bos[8];
	struct amdgpu_cs_request req;
	struct amdgpu_cs_ib_info ib;
	struct amdgpu_cs_fence fence;
	amdgpu_bo_list_handle list;
	unsigned int n = 0, i;
	uint32_t expired = 0, len;
	uint64_t done;
	int r;

	igt_assert(nbos < ARRAY_SIZE(list_bos));
	for (done = 0; done < bytes; done += len) {
		len = bytes - done < amd_copy_max ? bytes - done : amd_copy_max;
		n += amd_emit_copy(amd_ib.map + n, dst + done, src + done, len);
	}
	n = amd_pad_ib(amd_ib.map, n);
	igt_assert(n <= AMD_IB_SIZE / 4);

	for (i = 0; i < nbos; i++)
		list_bos[i] = bos[i];
	list_bos[nbos] = amd_ib.bo;
	igt_assert_eq(amdgpu_bo_list_create(amd_dev, nbos + 1, list_bos, NULL,
					    &list), 0);

	memset(&ib, 0, sizeof(ib));
	ib.ib_mc_address = amd_ib.mc;
	ib.size = n;	/* dwords */
	memset(&req, 0, sizeof(req));
	req.ip_type = AMDGPU_HW_IP_DMA;
	req.ring = 0;
	req.resources = list;
	req.number_of_ibs = 1;
	req.ibs = &ib;

	r = amdgpu_cs_submit(amd_ctx, 0, &req, 1);
	if (r) {
		amdgpu_bo_list_destroy(list);
		return r;
	}

	memset(&fence, 0, sizeof(fence));
	fence.context = amd_ctx;
	fence.ip_type = AMDGPU_HW_IP_DMA;
	fence.ring = 0;
	fence.fence = req.seq_no;
	/* A relative timeout (no AMDGPU_QUERY_FENCE_TIMEOUT_IS_ABSOLUTE) */
	r = amdgpu_cs_query_fence_status(&fence, AMD_FENCE_TIMEOUT_NS, 0,
					 &expired);
	amdgpu_bo_list_destroy(list);
	igt_assert_f(r == 0, "waiting for the SDMA copy of %" PRIu64 " bytes "
		     "failed: %s (GPU reset? see dmesg)\n", bytes,
		     strerror(-r));
	igt_assert_f(expired, "the SDMA copy of %" PRIu64 " bytes did not "
		     "complete within %llu s: GPU hang? see dmesg\n", bytes,
		     AMD_FENCE_TIMEOUT_NS / 1000000000ull);
	return 0;
}

/*
 * SDMA copies @bytes from GPU address @src to @dst, split into packets
 * of at most amd_copy_max bytes and into IBs of at most
 * AMD_PACKETS_PER_IB packets, each waited for (with a timeout: a timeout
 * fails the test instead of hanging it). @bos are the buffers the copy
 * touches (the IB is added). Returns 0, or the error of amdgpu_cs_submit()
 * (the only error a caller may expect: a userptr that cannot be mapped);
 * a failed or timed-out wait always fails the test.
 */
static int __amd_sdma_copy(uint64_t dst, uint64_t src, uint64_t bytes,
			   amdgpu_bo_handle *bos, unsigned int nbos)
{
	uint64_t per_ib = (uint64_t)AMD_PACKETS_PER_IB * amd_copy_max;
	uint64_t done, len;
	int r;

	igt_assert_eq(bytes % 4, 0);
	for (done = 0; done < bytes; done += len) {
		len = bytes - done < per_ib ? bytes - done : per_ib;
		r = amd_sdma_submit_copy(dst + done, src + done, len, bos,
					 nbos);
		if (r)
			return r;
	}
	return 0;
}

static void amd_sdma_copy(struct amd_bo *dst, uint64_t dst_off,
			  struct amd_bo *src, uint64_t src_off, uint64_t bytes)
{
	amdgpu_bo_handle bos[2] = { dst->bo, src->bo };
	int r;

	r = __amd_sdma_copy(dst->mc + dst_off, src->mc + src_off, bytes, bos,
			    dst->bo == src->bo ? 1 : 2);
	igt_assert_f(r == 0, "submitting an SDMA copy of %" PRIu64 " bytes "
		     "failed: %s\n", bytes, strerror(-r));
}

/*
 * The GPU's view of @b: SDMA copies it window by window into @vis
 * (CPU-visible VRAM, first filled by the CPU with a fresh pattern, so that
 * a copy that does not arrive shows), every dword checked through the BAR.
 * The HDP (the BAR's path into VRAM) needs no help from us: the kernel
 * flushes it before and invalidates it after every IB (amdgpu_ib.c
 * amdgpu_ib_schedule(): amdgpu_device_flush_hdp() /
 * amdgpu_device_invalidate_hdp()), so the poison is in VRAM before SDMA
 * runs and SDMA's data is what the CPU reads after the fence.
 */
static void amd_check_by_gpu(struct amd_bo *vis, struct amd_bo *b,
			     struct amd_pat want, const char *what)
{
	uint64_t off, len;
	struct amd_pat poison;
	char msg[256];

	for (off = 0; off < b->size; off += len) {
		len = b->size - off < vis->size ? b->size - off : vis->size;
		poison = amd_new_pat();
		amd_fill(vis->map, len, poison);
		amd_sdma_copy(vis, 0, b, off, len);
		snprintf(msg, sizeof(msg), "%s: SDMA copy of bytes [%#" PRIx64
			 ", %#" PRIx64 ") into VRAM, read through the BAR",
			 what, off, off + len);
		amd_check(vis->map, len, amd_pat_at(want, off), poison, msg);
	}
}

/* The GPU writes @p into all of @b: window by window from @vis. */
static void amd_write_by_gpu(struct amd_bo *vis, struct amd_bo *b,
			     struct amd_pat p)
{
	uint64_t off, len;

	for (off = 0; off < b->size; off += len) {
		len = b->size - off < vis->size ? b->size - off : vis->size;
		amd_fill(vis->map, len, amd_pat_at(p, off));
		amd_sdma_copy(b, off, vis, 0, len);
	}
}

/*
 * The window: VRAM the CPU reads through the BAR. CPU_ACCESS_REQUIRED
 * places it in visible VRAM at creation, but amdgpu keeps the flag only as
 * a hint (amdgpu_object.c clears it for user BOs; amdgpu_bo_fault_reserve_
 * notify() sets it again and moves the BO back into visible VRAM on a CPU
 * fault). If a CS under memory pressure (or evict-vram) leaves the window
 * in GTT, the CPU reads GTT pages instead: still a valid check of what SDMA
 * wrote, no longer one that bypasses GTT coherency. Not decidable from
 * user space; the data check holds either way.
 */
static struct amd_bo amd_window_new(void)
{
	return amd_bo_new(amd_window, AMDGPU_GEM_DOMAIN_VRAM,
			  AMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
}

/* Bytes in GTT, or VRAM, for the whole device (all processes). */
static uint64_t amd_gtt_usage(void)
{
	uint64_t v = 0;

	igt_assert_eq(amdgpu_query_info(amd_dev, AMDGPU_INFO_GTT_USAGE,
					sizeof(v), &v), 0);
	return v;
}

static uint64_t amd_vram_usage(void)
{
	uint64_t v = 0;

	igt_assert_eq(amdgpu_query_info(amd_dev, AMDGPU_INFO_VRAM_USAGE,
					sizeof(v), &v), 0);
	return v;
}

/* debugfs, procfs, sysfs */

static bool amd_debugfs_root_path(const char *file, char *path, size_t len)
{
	const char *root = igt_debugfs_mount();

	if (!root)
		return false;
	snprintf(path, len, "%s/%s", root, file);
	return true;
}

static bool amd_debugfs_root_u64(const char *file, uint64_t *val)
{
	char path[256], buf[64];

	if (!amd_debugfs_root_path(file, path, sizeof(path)) ||
	    igt_debugfs_simple_read(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return false;
	*val = strtoull(buf, NULL, 0);
	return true;
}

/* Write 0 to swiotlb/io_tlb_used_hiwater; false if there is none. */
static bool amd_swiotlb_reset_hiwater(void)
{
	char path[256];
	int f;
	bool ok;

	if (!amd_debugfs_root_path("swiotlb/io_tlb_used_hiwater", path,
				   sizeof(path)))
		return false;
	f = open(path, O_WRONLY);
	if (f < 0)
		return false;
	ok = write(f, "0", 1) == 1;
	close(f);
	return ok;
}

static uint64_t amd_swiotlb_used(void)
{
	uint64_t used = 0;

	amd_debugfs_root_u64("swiotlb/io_tlb_used", &used);
	return used;
}

/* Whether streaming DMA mappings bounce: swiotlb=force or Xen PV. */
static bool amd_bounce_platform(char *why, size_t len)
{
	char buf[4096], type[32], guest[32];
	const char *p;

	if (igt_debugfs_simple_read(AT_FDCWD, "/proc/cmdline", buf, sizeof(buf)) > 0) {
		for (p = strstr(buf, "swiotlb="); p; p = strstr(p + 1, "swiotlb=")) {
			size_t n = strcspn(p, " \n");

			if ((p == buf || p[-1] == ' ') &&
			    memmem(p, n, "force", 5)) {
				snprintf(why, len, "swiotlb=force on the kernel "
					 "command line");
				return true;
			}
		}
	}
	if (igt_debugfs_simple_read(AT_FDCWD, "/sys/hypervisor/type", type, sizeof(type)) > 0 &&
	    !strncmp(type, "xen", 3) &&
	    igt_debugfs_simple_read(AT_FDCWD, "/sys/hypervisor/guest_type", guest,
			  sizeof(guest)) > 0 && !strncmp(guest, "PV", 2)) {
		snprintf(why, len, "Xen PV guest/dom0");
		return true;
	}
	snprintf(why, len, "no swiotlb=force, not Xen PV");
	return false;
}

/* "backend: NAME (reason)" of debugfs dri/N/ttm_page_pool. */
static void amd_report_backend(void)
{
	char buf[4096], path[256], name[64] = "", *nl;
	const char *reason;
	uint64_t v;

	igt_debugfs_read(amd_fd, "ttm_page_pool", buf);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	if (sscanf(buf, "backend: %63s", name) == 1) {
		snprintf(amd_backend, sizeof(amd_backend), "%s", name);
		reason = strchr(buf, '(');
		snprintf(amd_backend_reason, sizeof(amd_backend_reason), "%s",
			 reason ? reason + 1 : "");
		amd_backend_reason[strcspn(amd_backend_reason, ")")] = '\0';
		igt_info("TTM pool backend: %s (%s)\n", amd_backend,
			 amd_backend_reason);
	} else {
		igt_info("TTM pool backend: unknown (debugfs ttm_page_pool "
			 "%s: \"%s\")\n", buf[0] ? "first line" : "missing",
			 buf);
	}

	if (amd_swiotlb_reset_hiwater())
		igt_info("swiotlb: io_tlb_used_hiwater reset, %" PRIu64
			 " slots in use\n", amd_swiotlb_used());
	else
		igt_info("swiotlb: no io_tlb_used_hiwater in debugfs\n");
	if (amd_debugfs_root_u64("swiotlb/io_tlb_nslabs", &v))
		igt_info("swiotlb: %" PRIu64 " slots\n", v);

	if (amd_debugfs_root_path("ttm/page_pool_backends", path,
				  sizeof(path)) &&
	    igt_debugfs_simple_read(AT_FDCWD, path, buf, sizeof(buf)) > 0)
		igt_info("ttm/page_pool_backends:\n%s", buf);
}

/* Subtests */

static const struct amd_gtt_mode {
	const char *name;
	uint64_t flags;
} amd_gtt_modes[] = {
	{ "cached", 0 },
	{ "uswc", AMDGPU_GEM_CREATE_CPU_GTT_USWC },
};

/*
 * The start of every subtest: free what a failed subtest left behind, and
 * use a new context, so that one a GPU hang made guilty (amdgpu_cs.c: its
 * submissions fail with -ECANCELED) does not fail the subtests after it.
 */
static void amd_subtest_begin(void)
{
	amd_free_leftovers();
	igt_require_f(amd_sdma.available_rings, "no SDMA ring available "
		      "(amdgpu.user_queue=2, or no SDMA IP)\n");
	if (amd_ctx)
		amdgpu_cs_ctx_free(amd_ctx);
	amd_ctx = NULL;
	igt_assert_eq(amdgpu_cs_ctx_create(amd_dev, &amd_ctx), 0);
}

static void test_cpu_write_gpu_read(uint64_t flags)
{
	struct amd_bo vis, g;
	struct amd_pat a, b;

	amd_subtest_begin();
	vis = amd_window_new();
	g = amd_bo_new(amd_size, AMDGPU_GEM_DOMAIN_GTT, flags);

	a = amd_new_pat();
	amd_fill(g.map, g.size, a);
	amd_check_by_gpu(&vis, &g, a, "first CPU write, GPU read");
	amd_check(g.map, g.size, a, (struct amd_pat){ },
		  "the source after the GPU read it");

	/* Again after the GPU read it: the CPU's new data, not the old. */
	b = amd_new_pat();
	amd_fill(g.map, g.size, b);
	amd_check_by_gpu(&vis, &g, b, "second CPU write, GPU read");

	amd_bo_free(&g);
	amd_bo_free(&vis);
}

static void test_gpu_write_cpu_read(uint64_t flags)
{
	struct amd_bo vis, g;
	struct amd_pat a, b, c;

	amd_subtest_begin();
	vis = amd_window_new();
	g = amd_bo_new(amd_size, AMDGPU_GEM_DOMAIN_GTT, flags);

	a = amd_new_pat();
	amd_fill(g.map, g.size, a);
	igt_assert(amd_matches(g.map, g.size, a));	/* CPU caches hot */

	b = amd_new_pat();
	amd_write_by_gpu(&vis, &g, b);
	amd_check(g.map, g.size, b, a, "first GPU write, CPU read");

	c = amd_new_pat();
	amd_write_by_gpu(&vis, &g, c);
	amd_check(g.map, g.size, c, b, "second GPU write, CPU read");

	amd_bo_free(&g);
	amd_bo_free(&vis);
}

/*
 * What the kernel guarantees (build/linux, TTM with the series): a user
 * BO (ttm_bo_type_device) gets its tt on the first move with
 * TTM_TT_FLAG_ZERO_ALLOC (ttm_bo.c ttm_bo_handle_move_mem(): old_use_tt
 * is true without a resource; ttm_tt.c ttm_tt_create()), so new pages are
 * allocated with __GFP_ZERO (ttm_pool.c) or by dma_alloc_pages() (zeroed),
 * and pages recycled through the pool are cleared when they are given
 * back (ttm_pool.c ttm_pool_type_give(): clear_page()). So a new GTT BO
 * reads zero for the CPU and for the GPU, whatever it recycles. (VRAM is
 * only cleared with AMDGPU_GEM_CREATE_VRAM_CLEARED; not tested here.)
 */
static void test_fresh_zero(void)
{
	struct amd_bo vis, g[2];
	unsigned int m, i;
	char what[128];

	amd_subtest_begin();
	vis = amd_window_new();
	for (m = 0; m < ARRAY_SIZE(amd_gtt_modes); m++) {
		for (i = 0; i < 2; i++) {
			g[i] = amd_bo_new(amd_size, AMDGPU_GEM_DOMAIN_GTT,
					  amd_gtt_modes[m].flags);
			amd_fill(g[i].map, g[i].size, amd_new_pat());
		}
		/* GPU reads too, so that the pages were DMA-mapped dirty */
		amd_sdma_copy(&vis, 0, &g[0], 0, vis.size);
		for (i = 0; i < 2; i++)
			amd_bo_free(&g[i]);

		for (i = 0; i < 2; i++)
			g[i] = amd_bo_new(amd_size, AMDGPU_GEM_DOMAIN_GTT,
					  amd_gtt_modes[m].flags);
		for (i = 0; i < 2; i++) {
			snprintf(what, sizeof(what), "new %s BO %u, GPU view",
				 amd_gtt_modes[m].name, i);
			amd_check_by_gpu(&vis, &g[i], amd_zero_pat(), what);
			snprintf(what, sizeof(what), "new %s BO %u, CPU view",
				 amd_gtt_modes[m].name, i);
			amd_check(g[i].map, g[i].size, amd_zero_pat(),
				  (struct amd_pat){ }, what);
		}
		for (i = 0; i < 2; i++)
			amd_bo_free(&g[i]);
	}
	amd_bo_free(&vis);
}

static void test_large_gtt(void)
{
	struct amd_bo vis, g[AMD_LARGE_COUNT];
	struct amd_pat a[AMD_LARGE_COUNT], b[AMD_LARGE_COUNT];
	uint64_t before, hiwater = 0, nslabs = 0, grew;
	bool tracked, no_bounce;
	unsigned int i;
	char what[128];

	amd_subtest_begin();
	vis = amd_window_new();

	before = amd_swiotlb_used();
	tracked = amd_swiotlb_reset_hiwater();
	amd_debugfs_root_u64("swiotlb/io_tlb_nslabs", &nslabs);

	for (i = 0; i < AMD_LARGE_COUNT; i++) {
		g[i] = amd_bo_new(amd_size, AMDGPU_GEM_DOMAIN_GTT,
				  i & 1 ? AMDGPU_GEM_CREATE_CPU_GTT_USWC : 0);
		a[i] = amd_new_pat();
		amd_fill(g[i].map, g[i].size, a[i]);
	}
	for (i = 0; i < AMD_LARGE_COUNT; i++) {
		snprintf(what, sizeof(what), "BO %u of %u, CPU write, GPU read",
			 i, AMD_LARGE_COUNT);
		amd_check_by_gpu(&vis, &g[i], a[i], what);
	}
	for (i = 0; i < AMD_LARGE_COUNT; i++) {
		b[i] = amd_new_pat();
		amd_write_by_gpu(&vis, &g[i], b[i]);
	}
	for (i = 0; i < AMD_LARGE_COUNT; i++) {
		snprintf(what, sizeof(what), "BO %u of %u, GPU write, CPU read",
			 i, AMD_LARGE_COUNT);
		amd_check(g[i].map, g[i].size, b[i], a[i], what);
	}

	if (tracked)
		tracked = amd_debugfs_root_u64("swiotlb/io_tlb_used_hiwater",
					       &hiwater);
	for (i = 0; i < AMD_LARGE_COUNT; i++)
		amd_bo_free(&g[i]);
	amd_bo_free(&vis);

	if (!tracked) {
		igt_info("large-gtt: %u x %" PRIu64 " MiB checked; no swiotlb "
			 "high-water mark in debugfs: not checked\n",
			 AMD_LARGE_COUNT, amd_size / AMD_MIB);
		return;
	}
	grew = hiwater > before ? hiwater - before : 0;
	igt_info("swiotlb: before=%" PRIu64 " hiwater=%" PRIu64 " (+%" PRIu64
		 " slots, %" PRIu64 " KiB) nslabs=%" PRIu64 " after=%" PRIu64
		 "\n", before, hiwater, grew, grew * AMD_SWIOTLB_SLOT / 1024,
		 nslabs, amd_swiotlb_used());

	/*
	 * dma-pages never bounces; streaming chosen because "streaming
	 * mappings do not bounce" does not either. Anything else (forced,
	 * driver default, no DMA mask, unknown) may bounce: report only.
	 */
	no_bounce = !strcmp(amd_backend, "dma-pages") ||
		    (!strcmp(amd_backend, "streaming") &&
		     !strcmp(amd_backend_reason,
			     "streaming mappings do not bounce"));
	if (!no_bounce) {
		igt_info("large-gtt: case \"may bounce\": backend %s (%s): the "
			 "high-water mark rose by %" PRIu64 " slots; reported, "
			 "not checked\n", amd_backend[0] ? amd_backend :
			 "unknown", amd_backend_reason, grew);
		return;
	}
	igt_info("large-gtt: case \"no bounce\": backend %s (%s): the swiotlb "
		 "high-water mark must not rise\n", amd_backend,
		 amd_backend_reason);
	igt_assert_f(grew == 0, "backend %s (%s): the swiotlb high-water mark "
		     "rose by %" PRIu64 " slots (%" PRIu64 " KiB) while %u x %"
		     PRIu64 " MiB of GTT were in use: TT pages bounced. (Other "
		     "devices' streaming DMA under swiotlb=force counts too: "
		     "rerun on an idle system to rule that out.)\n",
		     amd_backend, amd_backend_reason, grew,
		     grew * AMD_SWIOTLB_SLOT / 1024, AMD_LARGE_COUNT,
		     amd_size / AMD_MIB);
}

/*
 * Swap out everything TTM can. Each read of debugfs ttm/tt_shrink
 * (ttm_tt.c ttm_tt_debugfs_shrink_show()) runs ttm_global_swapout() once:
 * it swaps out the first idle, unpinned, populated tt on the LRU of the
 * first device that has one (ttm_bo_swapout() with a target of 1: one BO),
 * moving a GTT BO to system first, and prints its number of pages; 0 when
 * nothing is left to swap out, a negative error otherwise. Our BOs were in
 * GTT: if GTT usage did not drop by their size, they were not swapped out
 * and the checks after this prove less than they claim: a warning.
 */
static void amd_tt_shrink(const char *path, uint64_t our_bytes)
{
	long pages = 0, ret = 0;
	uint64_t gtt_before, gtt_after;
	char buf[64];
	int reads;

	gtt_before = amd_gtt_usage();
	for (reads = 1; reads <= 4096; reads++) {
		igt_assert_lt(0, igt_debugfs_simple_read(AT_FDCWD, path, buf, sizeof(buf)));
		ret = strtol(buf, NULL, 10);
		if (ret <= 0)
			break;
		pages += ret;
	}
	gtt_after = amd_gtt_usage();
	igt_info("tt_shrink: %ld pages swapped out in %d reads (last %ld); "
		 "GTT usage %" PRIu64 " -> %" PRIu64 " KiB\n", pages, reads,
		 ret, gtt_before / 1024, gtt_after / 1024);
	igt_assert_f(ret >= 0, "ttm/tt_shrink returned %ld (%s)\n", ret,
		     strerror(-ret));
	if (gtt_after + our_bytes > gtt_before)
		igt_warn("tt_shrink: GTT usage dropped by %" PRIu64 " KiB, "
			 "less than the %" PRIu64 " KiB of this test's BOs: "
			 "they may not all have been swapped out\n",
			 gtt_before > gtt_after ?
			 (gtt_before - gtt_after) / 1024 : 0,
			 our_bytes / 1024);
}

static void test_swap(void)
{
	struct amd_bo vis, g[2];
	struct amd_pat a[2], b[2], c[2];
	char path[256];
	unsigned int i;

	amd_subtest_begin();
	igt_require_f(amd_debugfs_root_path("ttm/tt_shrink", path,
					    sizeof(path)) &&
		      access(path, R_OK) == 0,
		      "no debugfs ttm/tt_shrink (needs debugfs and root); "
		      "booting with a lowered ttm.pages_limit would force "
		      "swap-out instead, but is not automated here\n");

	vis = amd_window_new();
	for (i = 0; i < 2; i++) {
		g[i] = amd_bo_new(amd_size, AMDGPU_GEM_DOMAIN_GTT,
				  i ? AMDGPU_GEM_CREATE_CPU_GTT_USWC : 0);
		a[i] = amd_new_pat();
		amd_fill(g[i].map, g[i].size, a[i]);
		b[i] = amd_new_pat();
		amd_write_by_gpu(&vis, &g[i], b[i]);
	}
	amd_tt_shrink(path, 2 * amd_size);

	/* BO 0: CPU first, then GPU; BO 1: GPU first, then CPU. */
	amd_check(g[0].map, g[0].size, b[0], a[0],
		  "BO 0 after swap-out, CPU read first");
	amd_check_by_gpu(&vis, &g[0], b[0], "BO 0 after swap-out, GPU read");
	amd_check_by_gpu(&vis, &g[1], b[1],
			 "BO 1 after swap-out, GPU read first");
	amd_check(g[1].map, g[1].size, b[1], a[1],
		  "BO 1 after swap-out, CPU read");

	/* The CPU rewrites them, out again, back to the GPU first. */
	for (i = 0; i < 2; i++) {
		c[i] = amd_new_pat();
		amd_fill(g[i].map, g[i].size, c[i]);
	}
	amd_tt_shrink(path, 2 * amd_size);
	amd_check_by_gpu(&vis, &g[0], c[0],
			 "BO 0, CPU write, second swap-out, GPU read");
	amd_check(g[1].map, g[1].size, c[1], b[1],
		  "BO 1, CPU write, second swap-out, CPU read");
	amd_check_by_gpu(&vis, &g[1], c[1],
			 "BO 1, CPU write, second swap-out, GPU read");

	for (i = 0; i < 2; i++)
		amd_bo_free(&g[i]);
	amd_bo_free(&vis);
}

static unsigned int amd_env_uint(const char *name, unsigned int def)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return def;
	v = strtoul(s, &end, 0);
	igt_assert_f(!*end && v > 0 && v < (1ul << 20),
		     "%s=%s: not a positive number\n", name, s);
	return v;
}

/*
 * A clean refusal of a userptr bind, at creation (libdrm passes
 * AMDGPU_GEM_USERPTR_VALIDATE, so amdgpu_gem_userptr_ioctl() binds it) or
 * at CS: the errors of ttm_tt_map_user_pages() (build/linux
 * drivers/gpu/drm/ttm/ttm_tt.c), which amdgpu_ttm_tt_pin_userptr()
 * returns: -EOPNOTSUPP where the device does not snoop (never on x86,
 * where every device is DMA-coherent), -EIO where a page would bounce,
 * -ENOMEM. Anything else is not the documented refusal.
 */
static bool amd_userptr_clean_error(int r)
{
#if defined(__x86_64__) || defined(__i386__)
	if (r == -EOPNOTSUPP)
		return false;
#endif
	return r == -EIO || r == -EOPNOTSUPP || r == -ENOMEM;
}

/*
 * swiotlb slots in use, the least of a few samples: a leak stays, the
 * bounce buffers of other devices' I/O in flight (swiotlb=force) come and
 * go.
 */
static uint64_t amd_swiotlb_used_settled(void)
{
	uint64_t v, least = UINT64_MAX;
	int i;

	for (i = 0; i < 10; i++) {
		v = amd_swiotlb_used();
		if (v < least)
			least = v;
		usleep(20 * 1000);
	}
	return least;
}

/* GTT usage, once freed BOs are gone (TTM may destroy them delayed). */
static uint64_t amd_gtt_usage_settled(uint64_t target)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 40; i++) {
		v = amd_gtt_usage();
		if (v <= target)
			break;
		usleep(50 * 1000);
	}
	return v;
}

/*
 * Userptr over anonymous memory: where the mapping would bounce or the
 * device does not snoop, the series refuses it (amdgpu_ttm_tt_pin_userptr()
 * -> ttm_tt_map_user_pages()) at creation or at CS, with one of the errors
 * of amd_userptr_clean_error(); anywhere an accepted userptr must move
 * correct data both ways. A kernel WARN on the way is not visible here:
 * the harness judges dmesg.
 */
static void test_userptr(void)
{
	unsigned int loops = amd_env_uint("AMD_TTM_DMA_USERPTR_LOOPS", 200);
	unsigned int i, ok = 0, bad_create = 0, bad_cs = 0;
	uint64_t size = AMD_USERPTR_SIZE + 3 * amd_page_size;
	uint64_t gtt_before, gtt_after;
	uint64_t tlb_before, tlb_after;
	int last_create = 0, last_cs = 0, r;
	struct amd_pat p, q, poison;
	amdgpu_bo_handle bos[2];
	struct amd_bo vis, u;
	char why[128];
	bool bounce;
	void *mem;

	amd_subtest_begin();
	bounce = amd_bounce_platform(why, sizeof(why));
	igt_info("userptr: %s: mappings %s\n", why,
		 bounce ? "bounce: a clean refusal is expected" :
		 "do not bounce: success is expected, unless the device does "
		 "not snoop or the kernel sees another reason to bounce");

	vis = amd_bo_new(size, AMDGPU_GEM_DOMAIN_VRAM,
			 AMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	gtt_before = amd_gtt_usage();
	tlb_before = amd_swiotlb_used_settled();

	for (i = 0; i < loops; i++) {
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		igt_assert(mem != MAP_FAILED);
		amd_track_map(0, mem, size, -1);
		p = amd_new_pat();
		amd_fill(mem, size, p);

		memset(&u, 0, sizeof(u));
		u.size = size;
		r = amdgpu_create_bo_from_user_mem(amd_dev, mem, size, &u.bo);
		if (r) {
			igt_assert_f(amd_userptr_clean_error(r), "iteration "
				     "%u: creating a userptr BO failed with "
				     "%d (%s): not a clean refusal (-EIO, "
				     "-ENOMEM%s)\n", i, r, strerror(-r),
				     amd_userptr_clean_error(-EOPNOTSUPP) ?
				     ", -EOPNOTSUPP" : "");
			bad_create++;
			last_create = r;
			igt_assert_eq(munmap(mem, size), 0);
			amd_untrack_map(0);
			continue;
		}
		igt_assert_eq(amdgpu_va_range_alloc(amd_dev,
						    amdgpu_gpu_va_range_general,
						    size, 4096, 0, &u.mc, &u.va,
						    0), 0);
		igt_assert_eq(amdgpu_bo_va_op(u.bo, 0, size, u.mc, 0,
					      AMDGPU_VA_OP_MAP), 0);
		amd_track(&u);	/* u.map NULL: no CPU mapping of the BO */
		bos[0] = vis.bo;
		bos[1] = u.bo;

		/* user memory -> GPU */
		poison = amd_new_pat();
		amd_fill(vis.map, size, poison);
		r = __amd_sdma_copy(vis.mc, u.mc, size, bos, 2);
		if (r) {
			igt_assert_f(amd_userptr_clean_error(r), "iteration "
				     "%u: the CS reading a userptr BO failed "
				     "with %d (%s): not a clean refusal\n", i,
				     r, strerror(-r));
			bad_cs++;
			last_cs = r;
		} else {
			amd_check(vis.map, size, p, poison,
				  "userptr, CPU write, GPU read");
			/* GPU -> user memory */
			q = amd_new_pat();
			amd_fill(vis.map, size, q);
			r = __amd_sdma_copy(u.mc, vis.mc, size, bos, 2);
			igt_assert_f(r == 0, "the second CS on an accepted "
				     "userptr failed: %s\n", strerror(-r));
			amd_check(mem, size, q, p,
				  "userptr, GPU write, CPU read");
			ok++;
		}
		amd_untrack(u.bo);
		igt_assert_eq(amdgpu_bo_va_op(u.bo, 0, size, u.mc, 0,
					      AMDGPU_VA_OP_UNMAP), 0);
		igt_assert_eq(amdgpu_va_range_free(u.va), 0);
		igt_assert_eq(amdgpu_bo_free(u.bo), 0);
		igt_assert_eq(munmap(mem, size), 0);
		amd_untrack_map(0);
	}

	gtt_after = amd_gtt_usage_settled(gtt_before);
	tlb_after = amd_swiotlb_used_settled();
	amd_bo_free(&vis);

	igt_info("userptr: %u iterations of %" PRIu64 " KiB: %u moved "
		 "correct data, %u refused at creation (last: %s), %u "
		 "refused at CS (last: %s)\n", loops, size / 1024, ok,
		 bad_create, bad_create ? strerror(-last_create) : "-",
		 bad_cs, bad_cs ? strerror(-last_cs) : "-");
	igt_info("userptr: GTT usage before %" PRIu64 " after %" PRIu64
		 " bytes; swiotlb slots in use before %" PRIu64 " after %"
		 PRIu64 "\n", gtt_before, gtt_after, tlb_before, tlb_after);
	if (bounce && ok)
		igt_info("userptr: accepted on a bounce platform (an IOMMU "
			 "translates?): the data was correct both ways\n");
	if (!bounce && (bad_create || bad_cs))
		igt_info("userptr: refused although neither swiotlb=force nor "
			 "Xen PV: expected where the device does not snoop "
			 "(-EOPNOTSUPP), in SEV/TDX guests or for pages above "
			 "the DMA mask (-EIO); judge with dmesg\n");

	/*
	 * A leak of one buffer per iteration would be loops x size; allow
	 * one buffer (others' allocations meanwhile).
	 */
	igt_assert_f(gtt_after <= gtt_before + size,
		     "GTT usage grew by %" PRIu64 " KiB over %u userptr "
		     "iterations: leak\n", (gtt_after - gtt_before) / 1024,
		     loops);
	/* Half a page per iteration (a page is 2 or more slots). */
	igt_assert_f(tlb_after <= tlb_before + (loops > 16 ? loops : 16),
		     "swiotlb slots in use grew by %" PRIu64 " over %u "
		     "userptr iterations: leaked bounce buffers\n",
		     tlb_after - tlb_before, loops);
}

static void test_dmabuf_cpu_access(void)
{
	struct amd_bo vis, g;
	struct amd_pat a, b;
	uint32_t dmabuf_fd = 0;
	void *map;
	int dmabuf, err;

	amd_subtest_begin();
	vis = amd_window_new();
	g = amd_bo_new(amd_size, AMDGPU_GEM_DOMAIN_GTT, 0);

	igt_assert_eq(amdgpu_bo_export(g.bo, amdgpu_bo_handle_type_dma_buf_fd,
				       &dmabuf_fd), 0);
	dmabuf = dmabuf_fd;
	map = mmap(NULL, g.size, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	if (map == MAP_FAILED && errno == EACCES) {
		uint32_t kms = 0;

		/* A libdrm that exports without DRM_RDWR: export writable */
		igt_info("dma-buf from amdgpu_bo_export() is read-only; "
			 "exporting with DRM_RDWR\n");
		close(dmabuf);
		igt_assert_eq(amdgpu_bo_export(g.bo, amdgpu_bo_handle_type_kms,
					       &kms), 0);
		dmabuf = prime_handle_to_fd_for_mmap(amd_fd, kms);
		igt_assert_lte(0, dmabuf);
		map = mmap(NULL, g.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   dmabuf, 0);
	}
	err = errno;
	amd_track_map(1, map == MAP_FAILED ? NULL : map, g.size, dmabuf);
	igt_assert_f(map != MAP_FAILED, "mmap of the dma-buf failed: %s\n",
		     strerror(err));

	/* CPU writes through the dma-buf -> GPU */
	a = amd_new_pat();
	prime_sync_start(dmabuf, true);
	amd_fill(map, g.size, a);
	prime_sync_end(dmabuf, true);
	amd_check_by_gpu(&vis, &g, a, "CPU write through the dma-buf, GPU read");

	/* GPU -> CPU reads through the dma-buf */
	b = amd_new_pat();
	amd_write_by_gpu(&vis, &g, b);
	prime_sync_start(dmabuf, false);
	amd_check(map, g.size, b, a, "GPU write, CPU read through the dma-buf");
	prime_sync_end(dmabuf, false);

	igt_assert_eq(munmap(map, g.size), 0);
	close(dmabuf);
	amd_untrack_map(1);
	amd_bo_free(&g);
	amd_bo_free(&vis);
}

static void test_evict_vram(void)
{
	struct amd_bo vis, v[2];
	struct amd_pat p[2];
	uint64_t vram_before, vram_after;
	char buf[64];
	unsigned int i;
	int dir, n;
	long ret;

	amd_subtest_begin();
	igt_require_f(igt_debugfs_exists(amd_fd, "amdgpu_evict_vram",
					 O_RDONLY),
		      "no debugfs amdgpu_evict_vram (needs debugfs and root)\n");

	vis = amd_window_new();
	for (i = 0; i < 2; i++) {
		/* Not CPU-visible: the CPU only maps them once in GTT. */
		v[i] = amd_bo_new(amd_size, AMDGPU_GEM_DOMAIN_VRAM, 0);
		p[i] = amd_new_pat();
		amd_write_by_gpu(&vis, &v[i], p[i]);
	}

	/*
	 * Reading debugfs amdgpu_evict_vram (amdgpu_debugfs.c
	 * amdgpu_debugfs_evict_vram()) runs amdgpu_ttm_evict_resources(adev,
	 * TTM_PL_VRAM): ttm_resource_manager_evict_all() until VRAM's LRU is
	 * empty (pinned BOs stay), and prints its result, 0 or a negative
	 * error ("%lld"). amdgpu_evict_flags() sends our BOs (not
	 * CPU_ACCESS_REQUIRED) to GTT, with SDMA writing the GTT pages, or
	 * first to invisible VRAM and then, evicted again, to GTT.
	 */
	vram_before = amd_vram_usage();
	dir = igt_debugfs_dir(amd_fd);
	igt_assert_lte(0, dir);
	n = igt_debugfs_simple_read(dir, "amdgpu_evict_vram", buf, sizeof(buf));
	close(dir);
	vram_after = amd_vram_usage();
	igt_assert_f(n > 0, "reading amdgpu_evict_vram failed: %s\n",
		     strerror(n < 0 ? -n : EIO));
	ret = strtol(buf, NULL, 0);
	igt_assert_f(ret == 0, "amdgpu_evict_vram: eviction failed: %ld (%s)\n",
		     ret, strerror(ret < 0 ? -ret : EIO));
	igt_info("evict-vram: VRAM usage %" PRIu64 " -> %" PRIu64 " KiB\n",
		 vram_before / 1024, vram_after / 1024);
	/* Others' CS may bring their BOs back at once: a warning only. */
	if (vram_after + 2 * amd_size > vram_before)
		igt_warn("evict-vram: VRAM usage dropped by less than the "
			 "%" PRIu64 " KiB of this test's BOs: they may not have "
			 "been evicted\n", 2 * amd_size / 1024);

	for (i = 0; i < 2; i++) {
		char what[96];

		snprintf(what, sizeof(what), "VRAM BO %u evicted to GTT, CPU "
			 "read through its mapping", i);
		amd_check(v[i].map, v[i].size, p[i], (struct amd_pat){ },
			  what);
		snprintf(what, sizeof(what), "VRAM BO %u after eviction, GPU "
			 "read", i);
		amd_check_by_gpu(&vis, &v[i], p[i], what);
	}

	for (i = 0; i < 2; i++)
		amd_bo_free(&v[i]);
	amd_bo_free(&vis);
}

/* Fixture */

static void amd_init(void)
{
	struct amdgpu_heap_info vis, gtt;
	uint32_t major, minor;
	uint64_t free_vis;
	int r;

	amd_page_size = sysconf(_SC_PAGESIZE);
	amd_seed_state = random();
	igt_info("pattern seed %u\n", amd_seed_state);

	amd_fd = __drm_open_driver(DRIVER_AMDGPU);
	igt_require_f(amd_fd >= 0, "no amdgpu device\n");
	r = amdgpu_device_initialize(amd_fd, &major, &minor, &amd_dev);
	igt_require_f(r == 0, "amdgpu_device_initialize failed: %s\n",
		      strerror(-r));
	igt_info("Initialized amdgpu, driver version %u.%u\n", major, minor);

	igt_assert_eq(amdgpu_query_gpu_info(amd_dev, &amd_gpu), 0);
	r = amdgpu_query_hw_ip_info(amd_dev, AMDGPU_HW_IP_DMA, 0, &amd_sdma);
	if (r)
		memset(&amd_sdma, 0, sizeof(amd_sdma));

	/*
	 * Bytes per copy packet: copy_max_bytes of the kernel's SDMA
	 * buffer funcs, rounded down to 32 bytes: si_dma.c 0xffff8 (20-bit
	 * byte count of sid.h DMA_PACKET()), cik_sdma.c and sdma_v2_4.c
	 * 0x1fffff (IP block versions 2.0 and 2.4: Topaz is FAMILY_VI with
	 * SDMA 2.4), sdma_v3_0.c 0x3fffe0 ("HW limitation"), all counts in
	 * bytes; sdma_v4_0.c 1 << 22 before SDMA 4.4 and sdma_v5_0.c
	 * 0x400000, count - 1 in the 22-bit COUNT field of
	 * vega10_sdma_pkt_open.h / navi10_sdma_pkt_open.h (later ones allow
	 * 1 << 30; 4 MiB is the least common limit).
	 */
	if (amd_gpu.family_id == AMDGPU_FAMILY_SI)
		amd_copy_max = 0xfffe0;
	else if (amd_gpu.family_id < AMDGPU_FAMILY_AI)
		amd_copy_max = amd_sdma.hw_ip_version_major >= 3 ? 0x3fffe0 :
			       0x1fffe0;
	else
		amd_copy_max = 0x400000;
	igt_info("family %u, chip external rev %u, SDMA %u.%u, %s, %u "
		 "bytes per copy packet\n", amd_gpu.family_id,
		 amd_gpu.chip_external_rev, amd_sdma.hw_ip_version_major,
		 amd_sdma.hw_ip_version_minor, amd_sdma.available_rings ?
		 "ring available" : "no ring", amd_copy_max);

	amd_size = amd_env_uint("AMD_TTM_DMA_MIB", AMD_DEFAULT_MIB) * AMD_MIB;
	igt_assert_eq(amdgpu_query_heap_info(amd_dev, AMDGPU_GEM_DOMAIN_VRAM,
					     AMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED,
					     &vis), 0);
	igt_assert_eq(amdgpu_query_heap_info(amd_dev, AMDGPU_GEM_DOMAIN_GTT,
					     0, &gtt), 0);
	free_vis = vis.heap_size > vis.heap_usage ?
		   vis.heap_size - vis.heap_usage : 0;
	amd_window = amd_size < free_vis / 2 ? amd_size : free_vis / 2;
	amd_window = amd_window / AMD_MIB * AMD_MIB;
	if (getenv("AMD_TTM_DMA_WINDOW_MIB")) {
		uint64_t w = amd_env_uint("AMD_TTM_DMA_WINDOW_MIB", 1) *
			     AMD_MIB;

		if (w < amd_window)
			amd_window = w;
	}
	igt_info("buffers %" PRIu64 " MiB, VRAM window %" PRIu64 " MiB "
		 "(visible VRAM %" PRIu64 " MiB, %" PRIu64 " MiB free), GTT %"
		 PRIu64 " MiB (largest allocation %" PRIu64 " MiB)\n",
		 amd_size / AMD_MIB, amd_window / AMD_MIB,
		 vis.heap_size / AMD_MIB, free_vis / AMD_MIB,
		 gtt.heap_size / AMD_MIB, gtt.max_allocation / AMD_MIB);
	igt_require_f(amd_window >= AMD_MIB, "less than 1 MiB of CPU-visible "
		      "VRAM free\n");
	igt_require_f(gtt.max_allocation >= amd_size, "GTT allocations are "
		      "limited to %" PRIu64 " MiB: set AMD_TTM_DMA_MIB\n",
		      gtt.max_allocation / AMD_MIB);

	amd_report_backend();

	/*
	 * The IB lives for the whole run; contexts are per subtest. USWC,
	 * so that what SDMA executes does not depend on the CPU-to-device
	 * hand-over of cached GTT under test: a broken hand-over then shows
	 * as wrong data in the checked buffers, not as a stale IB.
	 */
	if (amd_sdma.available_rings)
		amd_ib = __amd_bo_new(AMD_IB_SIZE, AMDGPU_GEM_DOMAIN_GTT,
				      AMDGPU_GEM_CREATE_CPU_GTT_USWC);
}

int igt_main()
{
	const struct amd_gtt_mode *m;

	igt_fixture()
		amd_init();

	for (m = amd_gtt_modes; m < amd_gtt_modes + ARRAY_SIZE(amd_gtt_modes);
	     m++) {
		igt_describe("The CPU fills a GTT buffer of 64 MiB or more, "
			     "SDMA copies it into CPU-visible VRAM, every "
			     "dword must match through the BAR; again after "
			     "the CPU rewrote it.");
		igt_subtest_f("cpu-write-gpu-read-%s", m->name)
			test_cpu_write_gpu_read(m->flags);
	}

	for (m = amd_gtt_modes; m < amd_gtt_modes + ARRAY_SIZE(amd_gtt_modes);
	     m++) {
		igt_describe("SDMA overwrites a GTT buffer the CPU filled and "
			     "read: the CPU must see the new data in every "
			     "dword, twice (stale cache lines or bounce "
			     "buffers fail).");
		igt_subtest_f("gpu-write-cpu-read-%s", m->name)
			test_gpu_write_cpu_read(m->flags);
	}

	igt_describe("New GTT buffers allocated after freeing dirty ones of "
		     "the same size must read zero for SDMA and for the CPU, "
		     "as TTM clears new and recycled pool pages.");
	igt_subtest("fresh-allocation-reads-zero")
		test_fresh_zero();

	igt_describe("256 MiB of GTT buffers at once, each checked in both "
		     "directions; with a backend that does not bounce the "
		     "swiotlb high-water mark must not rise.");
	igt_subtest("large-gtt")
		test_large_gtt();

	igt_describe("Buffers written by SDMA are swapped out with debugfs "
		     "ttm/tt_shrink and must come back intact for the CPU and "
		     "for SDMA, twice.");
	igt_subtest("swap")
		test_swap();

	igt_describe("Userptr buffers over anonymous memory, 200 times: a "
		     "clean error (-EIO, -EOPNOTSUPP, -ENOMEM) at creation or "
		     "CS where mappings bounce or the device does not snoop, "
		     "or correct data both ways; no GTT or swiotlb leak. "
		     "Kernel WARNs are not visible here: the harness judges "
		     "dmesg.");
	igt_subtest("userptr-fails-cleanly")
		test_userptr();

	igt_describe("CPU access through the mmap of an exported dma-buf, "
		     "bracketed by DMA_BUF_IOCTL_SYNC, must be seen by SDMA "
		     "and see what SDMA wrote.");
	igt_subtest("dmabuf-cpu-access")
		test_dmabuf_cpu_access();

	igt_describe("VRAM buffers written by SDMA and evicted to GTT with "
		     "debugfs amdgpu_evict_vram must read back intact through "
		     "the CPU mapping and by SDMA.");
	igt_subtest("evict-vram")
		test_evict_vram();

	igt_fixture() {
		amd_free_leftovers();
		if (amd_ib.bo)
			__amd_bo_free(&amd_ib);
		if (amd_ctx)
			amdgpu_cs_ctx_free(amd_ctx);
		amdgpu_device_deinitialize(amd_dev);
		drm_close_driver(amd_fd);
	}
}
