// SPDX-License-Identifier: MIT
/*
 * radeon_ttm_dma: CPU/GPU coherency of TTM-managed GTT memory on radeon
 * (R600 to CIK), with raw DRM_RADEON_CS submissions (IB, RELOCS and FLAGS
 * chunks) and no GPU library.
 *
 * Packet choice per family (every encoding is taken from the kernel's
 * headers and command stream checkers, cited where it is built below):
 *
 *  - RV7xx (RV770/730/710/740), Evergreen (Cedar..Hemlock, Palm, Sumo),
 *    NI/BTC (Barts, Turks, Caicos) and Cayman/Aruba: the async DMA ring
 *    (RADEON_CS_RING_DMA) without VM. The CS checkers r600_dma_cs_parse()
 *    (RV7xx, r600_cs.c) and evergreen_dma_cs_parse() (evergreen_cs.c)
 *    accept DMA_PACKET_WRITE (linear: header, dst lo, dst hi & 0xff, data)
 *    and DMA_PACKET_COPY (linear, dword aligned: header, dst lo, src lo,
 *    dst hi, src hi). They patch addresses with the RELOCS entries in
 *    order, one per destination and source per packet (dma_reloc_idx, no
 *    NOP reloc packets), so the reloc list repeats a buffer once per use,
 *    as Mesa's radeon winsys does for DMA. Count in dwords; at most 0xFFFF
 *    on RV7xx (r600_cs.c GET_DMA_COUNT), so packets move 128 KiB.
 *  - SI (Tahiti, Pitcairn, Verde, Oland, Hainan): the DMA ring has no CS
 *    checker (si_dma_ring.cs_parse = NULL: RADEON_CS_USE_VM is required);
 *    buffers get GPU virtual addresses with DRM_RADEON_GEM_VA and the IB
 *    uses sid.h DMA_PACKET(cmd, b, t, s, n) as si_dma.c does: WRITE
 *    (b = 0, count in dwords) and COPY with b = 1 (count in bytes).
 *  - CIK (Bonaire, Kaveri, Kabini, Hawaii, Mullins) on radeon: VM as SI,
 *    with the SDMA packets of cikd.h / cik_sdma.c (SDMA_OPCODE_WRITE and
 *    SDMA_OPCODE_COPY, linear).
 *  - R6xx (R600, RV610..RV670, RS780/RS880): radeon_cs_get_ring() refuses
 *    user DMA before RV770. The GFX ring's checker (r600_packet3_check())
 *    accepts PACKET3_MEM_WRITE (count 3: address lo, address hi, data lo,
 *    data hi; the checker rewrites the high address dword, a 64-bit write,
 *    8-byte aligned), each followed by a PACKET3_NOP carrying the reloc
 *    index * 4 (radeon_cs_packet_next_reloc()). That only writes: R6xx
 *    runs gpu-write-cpu-read (one qword per 4 KiB page, the rest of every
 *    page checked untouched) and skips the subtests that need the GPU to
 *    read memory.
 *  - R100 to R500: no user DMA, no MEM_WRITE: every GPU subtest skips.
 *
 * Family: DRM_RADEON_INFO decides the class (TILING_CONFIG fails before
 * R600, CIK_MACROTILE_MODE_ARRAY answers on CIK only, SI_TILE_MODE_ARRAY
 * on SI and CIK, VA_START from Cayman on); only R6xx against RV7xx and
 * later needs the device ID, looked up in libdrm's r600_pci_ids.h.
 *
 * Data: a different, never zero value in every dword (a bijection of the
 * dword index, seeded per object and per run from IGT_SRANDOM), over
 * buffers of 64 MiB and more, i.e. many TTM pool chunks and many swiotlb
 * segments, and every dword of them is checked: a wrong DMA address for
 * one chunk, a bounce buffer nobody synced or a stale cache line fails.
 * A failure reports the first bad offset, expected and actual values, how
 * many dwords and pages are bad and whether the bad value is the previous
 * content (stale: a missing sync, a bounce buffer not copied), zero (pages
 * the GPU or the CPU never saw, e.g. a mapping of other memory) or
 * garbage (another buffer's data: a wrong address). Which of the series'
 * hand-overs is broken then depends on the direction the subtest names.
 *
 * GPU reads are checked by copying into CPU-visible VRAM (a BAR mapping:
 * no TTM pool pages and no swiotlb on that side), GPU writes by reading
 * the GTT object's own mapping. Waits are bounded: a GEM_BUSY poll with a
 * deadline, then GEM_WAIT_IDLE (which flushes the HDP cache for VRAM
 * objects), so that a GPU hang fails instead of hanging the test.
 */

/**
 * TEST: radeon ttm dma
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: Memory management tests
 * Functionality: TTM GTT memory, DMA mapping, CPU and GPU coherency
 * Description: Data written by the CPU into GTT objects is what radeon's
 *	DMA engines read, and what they write is what the CPU reads, for
 *	cached, write-combined and uncached GTT, under bounce buffering,
 *	through dma-buf, across swap-out and VRAM eviction, and for user
 *	pages.
 * Test category: functionality test
 *
 * SUBTEST: cpu-write-gpu-read-%s
 * Description: The CPU fills a 64 MiB GTT object through its mapping; the
 *	DMA engine copies it into CPU-visible VRAM, checked through the BAR.
 *
 * SUBTEST: gpu-write-cpu-read-%s
 * Description: The CPU prefills a 64 MiB GTT object, the GPU writes all of
 *	it, the CPU checks every dword; a second GPU write must be seen too.
 *
 * arg[1]:
 *
 * @cached:	cached GTT (no RADEON_GEM_GTT_* flag)
 * @wc:		RADEON_GEM_GTT_WC
 * @uc:		RADEON_GEM_GTT_UC
 *
 * SUBTEST: fresh-allocation-reads-zero
 * Description: A new GTT object nobody wrote reads as zeroes, for the GPU
 *	and for the CPU, also when its pages were just used and freed.
 *
 * SUBTEST: large-gtt
 * Description: 256 MiB of GTT objects alive at once, written by the CPU and
 *	read by the GPU; with the pool's automatic backend no mapping bounces
 *	(the swiotlb high-water mark stays 0).
 *
 * SUBTEST: swap
 * Description: GTT contents survive swap-out through debugfs ttm/tt_shrink,
 *	read back by the GPU first and by the CPU first.
 *
 * SUBTEST: dmabuf-cpu-access
 * Description: CPU access through an exported dma-buf, bracketed by
 *	DMA_BUF_IOCTL_SYNC, sees and is seen by the GPU.
 *
 * SUBTEST: evict-vram
 * Description: VRAM objects filled by the CPU and evicted to GTT by VRAM
 *	pressure read back correctly by the CPU and the GPU.
 *
 * SUBTEST: userptr-fails-cleanly
 * Description: User pages either fail with a clean error where they would
 *	bounce (EIO) or cannot be mapped coherently (EOPNOTSUPP), or work with
 *	correct data in both directions; nothing leaks over repeated tries.
 */
#include <endian.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "igt.h"
#include "radeon_drm.h"

IGT_TEST_DESCRIPTION("Check that data written by the CPU into radeon GTT "
		     "objects reaches the GPU's DMA engine and data written "
		     "by the GPU reaches the CPU, for every GTT caching mode, "
		     "under bounce buffering, through dma-buf, across swap-out "
		     "and VRAM eviction, and for user pages.");

#define RDN_MIB			((uint64_t)1 << 20)
#define RDN_BO_SIZE		(64 * RDN_MIB)
#define RDN_PAGE		4096u
/* A GPU job of ours moves at most a few hundred MiB: 60 s means a hang. */
#define RDN_WAIT_SEC		60
/* IB and relocs per submission: well below RADEON_IB_VM_MAX_SIZE (64K dw). */
#define RDN_IB_DW		16384
#define RDN_RELOCS		2048
/* Per DMA packet: 128 KiB, below 0xFFFF dwords (RV7xx) and 0xFFFFF bytes (SI). */
#define RDN_COPY_CHUNK		(128 * 1024u)
#define RDN_WRITE_DW		4096u

/* ---- family ---------------------------------------------------------- */

enum rdn_class {
	RDN_PRE_R600,	/* R100..R500 */
	RDN_R6XX,	/* GFX ring MEM_WRITE only */
	RDN_R7XX_NI,	/* RV7xx, Evergreen, BTC, Cayman, Aruba: DMA + relocs */
	RDN_SI,		/* DMA ring, VM */
	RDN_CIK,	/* SDMA ring, VM */
};

static const char *const rdn_class_name[] = {
	[RDN_PRE_R600] = "R100-R500",
	[RDN_R6XX] = "R6xx",
	[RDN_R7XX_NI] = "RV7xx-NI",
	[RDN_SI] = "SI",
	[RDN_CIK] = "CIK",
};

static const struct rdn_pci_id {
	uint16_t id;
	const char *family;
} rdn_pci_ids[] = {
#define CHIPSET(id, name, family) { id, #family },
#include "r600_pci_ids.h"
#undef CHIPSET
};

static const char *rdn_family_of(uint32_t devid)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rdn_pci_ids); i++)
		if (rdn_pci_ids[i].id == devid)
			return rdn_pci_ids[i].family;
	return NULL;
}

static bool rdn_family_is_r6xx(const char *f)
{
	static const char *const r6xx[] = {
		"R600", "RV610", "RV630", "RV670", "RV620", "RV635",
		"RS780", "RS880",
	};
	unsigned int i;

	for (i = 0; f && i < ARRAY_SIZE(r6xx); i++)
		if (!strcmp(f, r6xx[i]))
			return true;
	return false;
}

struct rdn_dev {
	int fd;
	enum rdn_class cls;
	uint32_t devid;
	const char *family;
	bool vm;		/* RADEON_CS_USE_VM + GEM_VA */
	bool accel;
	bool dma_ring;		/* RADEON_INFO_RING_WORKING(DMA) */
	uint64_t va_next;
	uint64_t gart_size, vram_size, vram_visible;
	char backend[256];
	uint64_t staging_size;
};

static struct rdn_dev rdn;
static uint32_t rdn_seed_state;

/* ---- patterns -------------------------------------------------------- */

/*
 * Dword i (from the start of the object) holds a bijection of i modulo
 * 2^31, shifted left with bit 0 set: never zero, different in every dword
 * of anything below 8 GiB, different per object and per run.
 */
struct rdn_pat {
	uint32_t s1, s2;
	bool zero;
};

static uint32_t rdn_mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static struct rdn_pat rdn_new_pat(void)
{
	rdn_seed_state++;
	return (struct rdn_pat){
		.s1 = rdn_mix(rdn_seed_state * 2 + 1) & 0x7fffffff,
		.s2 = rdn_mix(rdn_seed_state * 2 + 2),
	};
}

static struct rdn_pat rdn_zero_pat(void)
{
	return (struct rdn_pat){ .zero = true };
}

static inline uint32_t rdn_pat_dw(const struct rdn_pat *p, uint64_t i)
{
	uint32_t x;

	if (p->zero)
		return 0;
	x = (((uint32_t)i ^ p->s1) * 0x9e3779b1u + p->s2) & 0x7fffffff;
	return x << 1 | 1;
}

/* Dword accesses only: BAR and uncached mappings may be Device memory. */
static void rdn_fill(volatile uint32_t *map, uint64_t first_dw, uint64_t ndw,
		     const struct rdn_pat *p)
{
	uint64_t i;

	for (i = 0; i < ndw; i++)
		map[i] = htole32(rdn_pat_dw(p, first_dw + i));
}

/*
 * map[0, ndw) must hold dwords first_dw.. of @want; @old is what it held
 * before (to tell stale data from zero and garbage). The comparison
 * decides; a second pass describes the mismatch.
 */
static void rdn_check(const volatile uint32_t *map, uint64_t first_dw,
		      uint64_t ndw, const struct rdn_pat *want,
		      const struct rdn_pat *old, const char *what)
{
	uint64_t i, bad = 0, first = 0, pages = 0, last_page = UINT64_MAX;
	uint32_t exp = 0, got = 0, v;
	const char *kind;

	for (i = 0; i < ndw; i++)
		if (le32toh(map[i]) != rdn_pat_dw(want, first_dw + i))
			break;
	if (i == ndw)
		return;

	for (i = 0; i < ndw; i++) {
		v = le32toh(map[i]);
		if (v == rdn_pat_dw(want, first_dw + i))
			continue;
		if (!bad++) {
			first = i;
			exp = rdn_pat_dw(want, first_dw + i);
			got = v;
		}
		if ((first_dw + i) * 4 / RDN_PAGE != last_page) {
			last_page = (first_dw + i) * 4 / RDN_PAGE;
			pages++;
		}
	}
	igt_assert_f(bad, "%s: a mismatch that a second read does not see: "
		     "the data changed while the CPU read it\n", what);

	if (old && got == rdn_pat_dw(old, first_dw + first))
		kind = "the previous content: stale data";
	else if (!got)
		kind = "zero";
	else
		kind = "neither the new nor the previous content: garbage";
	for (i = first & ~7ull; i <= (first | 7) && i < ndw; i++)
		igt_info("  %#" PRIx64 ": expected %08x got %08x%s\n",
			 (first_dw + i) * 4, rdn_pat_dw(want, first_dw + i),
			 le32toh(map[i]), i == first ? "  <- first" : "");
	igt_assert_f(false, "%s: %" PRIu64 " of %" PRIu64 " dwords wrong in %"
		     PRIu64 " page(s); first at byte offset %#" PRIx64
		     ": expected %#010x, got %#010x (%s)\n", what, bad, ndw,
		     pages, (first_dw + first) * 4, exp, got, kind);
}

/* ---- ioctls ---------------------------------------------------------- */

static int rdn_info(int fd, uint32_t request, void *value)
{
	struct drm_radeon_info info = {
		.request = request,
		.value = (uintptr_t)value,
	};
	int err = 0;

	if (igt_ioctl(fd, DRM_IOCTL_RADEON_INFO, &info))
		err = -errno;
	errno = 0;
	return err;
}

struct rdn_bo {
	uint32_t handle;
	uint32_t domain;	/* RADEON_GEM_DOMAIN_GTT or _VRAM */
	uint32_t flags;		/* RADEON_GEM_* creation flags */
	uint64_t size;
	uint64_t va;		/* GPU VA (VM families) */
	volatile uint32_t *map;
	bool userptr;
};

static void rdn_va_map(struct rdn_bo *bo)
{
	struct drm_radeon_gem_va va = {
		.handle = bo->handle,
		.operation = RADEON_VA_MAP,
		.vm_id = 0,
		.flags = RADEON_VM_PAGE_READABLE | RADEON_VM_PAGE_WRITEABLE,
		.offset = rdn.va_next,
	};

	if (!rdn.vm)
		return;
	do_ioctl(rdn.fd, DRM_IOCTL_RADEON_GEM_VA, &va);
	igt_assert_f(va.operation == RADEON_VA_RESULT_OK,
		     "GEM_VA map of handle %u at %#" PRIx64 ": result %u\n",
		     bo->handle, rdn.va_next, va.operation);
	bo->va = rdn.va_next;
	/* 1 MiB gaps: an access past the end faults instead of hitting data */
	rdn.va_next += (bo->size + 2 * RDN_MIB - 1) & ~(RDN_MIB - 1);
}

static int __rdn_bo_create(uint64_t size, uint32_t domain, uint32_t flags,
			   struct rdn_bo *bo)
{
	struct drm_radeon_gem_create arg = {
		.size = size,
		.alignment = RDN_PAGE,
		.initial_domain = domain,
		.flags = flags,
	};
	int err = 0;

	memset(bo, 0, sizeof(*bo));
	if (igt_ioctl(rdn.fd, DRM_IOCTL_RADEON_GEM_CREATE, &arg))
		err = -errno;
	errno = 0;
	if (err)
		return err;
	bo->handle = arg.handle;
	bo->domain = domain;
	bo->flags = flags;
	bo->size = size;
	rdn_va_map(bo);
	return 0;
}

static struct rdn_bo rdn_bo_create(uint64_t size, uint32_t domain,
				   uint32_t flags)
{
	struct rdn_bo bo;
	int err = __rdn_bo_create(size, domain, flags, &bo);

	igt_assert_f(!err, "GEM_CREATE of %" PRIu64 " MiB, domain %#x, flags "
		     "%#x: %s\n", size >> 20, domain, flags, strerror(-err));
	return bo;
}

static volatile uint32_t *rdn_bo_mmap(struct rdn_bo *bo)
{
	struct drm_radeon_gem_mmap arg = {
		.handle = bo->handle,
		.size = bo->size,
	};
	void *ptr;

	do_ioctl(rdn.fd, DRM_IOCTL_RADEON_GEM_MMAP, &arg);
	ptr = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, rdn.fd,
		   arg.addr_ptr);
	igt_assert_f(ptr != MAP_FAILED, "mmap of handle %u: %s\n", bo->handle,
		     strerror(errno));
	bo->map = ptr;
	return bo->map;
}

static void rdn_bo_close(struct rdn_bo *bo)
{
	if (!bo->handle)
		return;
	if (bo->map && !bo->userptr)
		igt_assert_eq(munmap((void *)bo->map, bo->size), 0);
	gem_close(rdn.fd, bo->handle);
	if (rdn.vm && bo->va &&
	    bo->va + ((bo->size + 2 * RDN_MIB - 1) & ~(RDN_MIB - 1)) ==
	    rdn.va_next)
		rdn.va_next = bo->va;	/* the last one: reuse its VA range */
	memset(bo, 0, sizeof(*bo));
}

static int __rdn_busy(uint32_t handle, uint32_t *domain)
{
	struct drm_radeon_gem_busy arg = { .handle = handle };
	int err = 0;

	if (igt_ioctl(rdn.fd, DRM_IOCTL_RADEON_GEM_BUSY, &arg))
		err = -errno;
	errno = 0;
	if (domain)
		*domain = arg.domain;
	return err;
}

/*
 * Wait for every fence on @bo, bounded: GEM_BUSY until idle (or fail after
 * RDN_WAIT_SEC), then GEM_WAIT_IDLE, which returns at once and flushes the
 * HDP cache when the object is in VRAM (radeon_gem_wait_idle_ioctl()).
 */
static void rdn_wait(const struct rdn_bo *bo)
{
	struct drm_radeon_gem_wait_idle arg = { .handle = bo->handle };
	struct timespec start, now;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		err = __rdn_busy(bo->handle, NULL);
		if (err != -EBUSY)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		igt_assert_f(now.tv_sec - start.tv_sec < RDN_WAIT_SEC,
			     "handle %u still busy after %d s: GPU hang?\n",
			     bo->handle, RDN_WAIT_SEC);
		usleep(1000);
	}
	igt_assert_f(!err, "GEM_BUSY of handle %u: %s\n", bo->handle,
		     strerror(-err));
	do_ioctl(rdn.fd, DRM_IOCTL_RADEON_GEM_WAIT_IDLE, &arg);
}

/* ---- command submission ---------------------------------------------- */

struct rdn_cs {
	uint32_t ib[RDN_IB_DW];
	unsigned int ndw;
	struct drm_radeon_cs_reloc relocs[RDN_RELOCS];
	unsigned int nrelocs;
	uint64_t submitted;
};

static struct rdn_cs rdn_cs;

/* The ring and the NOP used to pad IBs to 8 dwords (as Mesa does). */
static uint32_t rdn_ring(void)
{
	return rdn.cls == RDN_R6XX ? RADEON_CS_RING_GFX : RADEON_CS_RING_DMA;
}

static uint32_t rdn_nop(void)
{
	switch (rdn.cls) {
	case RDN_R6XX:
		return 0x80000000;	/* type-2 packet (RADEON_PACKET_TYPE2) */
	case RDN_CIK:
		return 0;		/* SDMA_OPCODE_NOP (cikd.h) */
	default:
		return 0xf0000000;	/* DMA_PACKET_NOP: r600d.h, evergreend.h, sid.h */
	}
}

static int __rdn_cs_submit(struct rdn_cs *cs)
{
	uint32_t flags[3] = { rdn.vm ? RADEON_CS_USE_VM : 0, rdn_ring(), 0 };
	struct drm_radeon_cs_chunk chunks[3] = {
		{ RADEON_CHUNK_ID_IB, cs->ndw, (uintptr_t)cs->ib },
		{ RADEON_CHUNK_ID_RELOCS, cs->nrelocs * 4,
		  (uintptr_t)cs->relocs },
		{ RADEON_CHUNK_ID_FLAGS, 3, (uintptr_t)flags },
	};
	uint64_t ptrs[3] = {
		(uintptr_t)&chunks[0], (uintptr_t)&chunks[1],
		(uintptr_t)&chunks[2],
	};
	struct drm_radeon_cs arg = {
		.num_chunks = 3,
		.chunks = (uintptr_t)ptrs,
	};
	int err = 0;

	if (!cs->ndw)
		return 0;
	while (cs->ndw & 7)
		cs->ib[cs->ndw++] = rdn_nop();
	if (igt_ioctl(rdn.fd, DRM_IOCTL_RADEON_CS, &arg))
		err = -errno;
	errno = 0;
	cs->submitted++;
	cs->ndw = 0;
	cs->nrelocs = 0;
	return err;
}

static void rdn_cs_flush(struct rdn_cs *cs)
{
	int err = __rdn_cs_submit(cs);

	igt_assert_f(!err, "DRM_RADEON_CS (%s ring%s) failed: %s\n",
		     rdn.cls == RDN_R6XX ? "GFX" : "DMA",
		     rdn.vm ? ", VM" : "", strerror(-err));
}

/* Room for @ndw dwords and @nrelocs relocs, submitting what is queued. */
static void rdn_cs_need(struct rdn_cs *cs, unsigned int ndw,
			unsigned int nrelocs)
{
	if (cs->ndw + ndw + 8 > RDN_IB_DW || cs->nrelocs + nrelocs > RDN_RELOCS)
		rdn_cs_flush(cs);
}

/*
 * A RELOCS entry for @bo. Non-VM DMA: one entry per use, in packet order
 * (r600_dma_cs_next_reloc()). Otherwise one per object; GFX packets name
 * it by index * 4 (radeon_cs_packet_next_reloc(): "reloc size is 4 dwords").
 */
static unsigned int rdn_cs_reloc(struct rdn_cs *cs, const struct rdn_bo *bo,
				 bool write)
{
	uint32_t domain = bo->domain;
	unsigned int i = cs->nrelocs;

	if (rdn.vm || rdn.cls == RDN_R6XX) {
		for (i = 0; i < cs->nrelocs; i++)
			if (cs->relocs[i].handle == bo->handle)
				break;
	}
	if (i == cs->nrelocs) {
		igt_assert(cs->nrelocs < RDN_RELOCS);
		cs->relocs[i] = (struct drm_radeon_cs_reloc){
			.handle = bo->handle,
			.read_domains = domain,
		};
		cs->nrelocs++;
	}
	if (write)
		cs->relocs[i].write_domain = domain;
	return i;
}

/* Copy @bytes (multiple of 4) from src+soff to dst+doff. */
static void rdn_emit_copy(struct rdn_cs *cs, const struct rdn_bo *src,
			  uint64_t soff, const struct rdn_bo *dst,
			  uint64_t doff, uint64_t bytes)
{
	uint64_t s, d;
	uint32_t n;

	igt_assert(rdn.cls >= RDN_R7XX_NI);
	igt_assert(!(bytes % 4) && !(soff % 4) && !(doff % 4));
	igt_assert(soff + bytes <= src->size && doff + bytes <= dst->size);
	while (bytes) {
		n = bytes > RDN_COPY_CHUNK ? RDN_COPY_CHUNK : bytes;
		rdn_cs_need(cs, 8, 2);
		switch (rdn.cls) {
		case RDN_R7XX_NI:
			/*
			 * r600d.h DMA_PACKET(DMA_PACKET_COPY, 0, 0, ndw) ==
			 * evergreend.h DMA_PACKET(DMA_PACKET_COPY, 0, ndw):
			 * (3 << 28) | ndw; dst lo, src lo, dst hi, src hi as
			 * rv770_copy_dma()/evergreen_copy_dma(); offsets are
			 * within the objects, the checker adds the relocs'
			 * GPU offsets (source reloc first).
			 */
			rdn_cs_reloc(cs, src, false);
			rdn_cs_reloc(cs, dst, true);
			cs->ib[cs->ndw++] = (3u << 28) | (n / 4);
			cs->ib[cs->ndw++] = (uint32_t)doff;
			cs->ib[cs->ndw++] = (uint32_t)soff;
			cs->ib[cs->ndw++] = (doff >> 32) & 0xff;
			cs->ib[cs->ndw++] = (soff >> 32) & 0xff;
			break;
		case RDN_SI:
			/* sid.h DMA_PACKET(DMA_PACKET_COPY, 1, 0, 0, bytes): si_copy_dma() */
			rdn_cs_reloc(cs, src, false);
			rdn_cs_reloc(cs, dst, true);
			s = src->va + soff;
			d = dst->va + doff;
			cs->ib[cs->ndw++] = (3u << 28) | (1u << 26) | n;
			cs->ib[cs->ndw++] = (uint32_t)d;
			cs->ib[cs->ndw++] = (uint32_t)s;
			cs->ib[cs->ndw++] = (d >> 32) & 0xff;
			cs->ib[cs->ndw++] = (s >> 32) & 0xff;
			break;
		case RDN_CIK:
			/*
			 * cikd.h SDMA_PACKET(SDMA_OPCODE_COPY (1),
			 * SDMA_COPY_SUB_OPCODE_LINEAR (0), 0): cik_copy_dma()
			 */
			rdn_cs_reloc(cs, src, false);
			rdn_cs_reloc(cs, dst, true);
			s = src->va + soff;
			d = dst->va + doff;
			cs->ib[cs->ndw++] = 1;
			cs->ib[cs->ndw++] = n;
			cs->ib[cs->ndw++] = 0;	/* no endian swap */
			cs->ib[cs->ndw++] = (uint32_t)s;
			cs->ib[cs->ndw++] = s >> 32;
			cs->ib[cs->ndw++] = (uint32_t)d;
			cs->ib[cs->ndw++] = d >> 32;
			break;
		default:
			igt_assert(false);
		}
		soff += n;
		doff += n;
		bytes -= n;
	}
}

/* The GPU writes dwords [first_dw, first_dw + ndw) of @p into @dst. */
static void rdn_emit_write(struct rdn_cs *cs, const struct rdn_bo *dst,
			   uint64_t first_dw, uint64_t ndw,
			   const struct rdn_pat *p)
{
	uint64_t off, d;
	uint32_t n, i;

	igt_assert(rdn.cls >= RDN_R7XX_NI);
	igt_assert((first_dw + ndw) * 4 <= dst->size);
	while (ndw) {
		n = ndw > RDN_WRITE_DW ? RDN_WRITE_DW : ndw;
		rdn_cs_need(cs, n + 8, 1);
		rdn_cs_reloc(cs, dst, true);
		off = first_dw * 4;
		d = dst->va + off;
		switch (rdn.cls) {
		case RDN_R7XX_NI:
			/*
			 * DMA_PACKET(DMA_PACKET_WRITE, 0, 0, n) (r600d.h) ==
			 * DMA_PACKET(DMA_PACKET_WRITE, 0, n) (evergreend.h,
			 * linear): dst lo, dst hi & 0xff, n dwords
			 */
			cs->ib[cs->ndw++] = (2u << 28) | n;
			cs->ib[cs->ndw++] = (uint32_t)off;
			cs->ib[cs->ndw++] = (off >> 32) & 0xff;
			break;
		case RDN_SI:
			/* sid.h DMA_PACKET(DMA_PACKET_WRITE, 0, 0, 0, n) */
			cs->ib[cs->ndw++] = (2u << 28) | n;
			cs->ib[cs->ndw++] = (uint32_t)d;
			cs->ib[cs->ndw++] = (d >> 32) & 0xff;
			break;
		case RDN_CIK:
			/* cikd.h SDMA_PACKET(SDMA_OPCODE_WRITE (2), LINEAR, 0) */
			cs->ib[cs->ndw++] = 2;
			cs->ib[cs->ndw++] = (uint32_t)d;
			cs->ib[cs->ndw++] = d >> 32;
			cs->ib[cs->ndw++] = n;
			break;
		default:
			igt_assert(false);
		}
		for (i = 0; i < n; i++)
			cs->ib[cs->ndw++] = rdn_pat_dw(p, first_dw + i);
		first_dw += n;
		ndw -= n;
	}
}

/*
 * R6xx: PACKET3(PACKET3_MEM_WRITE (0x3D), 3) (r600d.h PACKET3()) with a
 * qword at @off, then PACKET3(PACKET3_NOP (0x10), 0) with the reloc index
 * * 4; r600_packet3_check() adds the object's GPU offset.
 */
static void rdn_emit_mem_write(struct rdn_cs *cs, const struct rdn_bo *dst,
			       uint64_t off, uint32_t lo, uint32_t hi)
{
	unsigned int r;

	igt_assert(!(off % 8) && off + 8 <= dst->size);
	rdn_cs_need(cs, 7, 1);
	r = rdn_cs_reloc(cs, dst, true);
	cs->ib[cs->ndw++] = (3u << 30) | (3u << 16) | (0x3d << 8);
	cs->ib[cs->ndw++] = (uint32_t)off;
	cs->ib[cs->ndw++] = (off >> 32) & 0xff;
	cs->ib[cs->ndw++] = lo;
	cs->ib[cs->ndw++] = hi;
	cs->ib[cs->ndw++] = (3u << 30) | (0u << 16) | (0x10 << 8);
	cs->ib[cs->ndw++] = r * 4;
}

/* ---- helpers of the subtests ----------------------------------------- */

static const struct rdn_mode {
	const char *name;
	uint32_t flags;
} rdn_modes[] = {
	{ "cached", 0 },
	{ "wc", RADEON_GEM_GTT_WC },
	{ "uc", RADEON_GEM_GTT_UC },
};

static void rdn_require_dma(void)
{
	igt_require_f(rdn.accel, "acceleration is not working on this GPU\n");
	igt_require_f(rdn.cls >= RDN_R7XX_NI,
		      "%s: the CS checker takes no user DMA ring before RV770 "
		      "(radeon_cs_get_ring()), and no GFX packet copies memory "
		      "without 3D state\n", rdn_class_name[rdn.cls]);
	igt_require_f(rdn.dma_ring, "RADEON_INFO_RING_WORKING: DMA ring not "
		      "ready\n");
}

static void rdn_require_write(void)
{
	igt_require_f(rdn.accel, "acceleration is not working on this GPU\n");
	igt_require_f(rdn.cls != RDN_PRE_R600, "R100-R500: no user DMA ring "
		      "and no MEM_WRITE in the CS checker\n");
	igt_require_f(rdn.cls == RDN_R6XX || rdn.dma_ring,
		      "RADEON_INFO_RING_WORKING: DMA ring not ready\n");
}

static uint64_t rdn_mem_available(void)
{
	char line[256];
	uint64_t kib = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %" SCNu64 " kB", &kib) == 1)
			break;
	fclose(f);
	return kib << 10;
}

/* CPU-written VRAM: GEM_WAIT_IDLE flushes HDP before the GPU reads it. */
static void rdn_cpu_done_vram(const struct rdn_bo *bo)
{
	rdn_wait(bo);
}

/*
 * The GPU reads all of @src: window by window into the CPU-visible VRAM
 * staging object (prefilled with another pattern), checked through the BAR.
 */
static void rdn_check_by_gpu(const struct rdn_bo *src, const struct rdn_pat *want,
			     const char *what)
{
	struct rdn_bo stg;
	struct rdn_pat poison;
	uint64_t off, len;
	char msg[160];

	stg = rdn_bo_create(rdn.staging_size, RADEON_GEM_DOMAIN_VRAM,
			    RADEON_GEM_CPU_ACCESS);
	rdn_bo_mmap(&stg);
	for (off = 0; off < src->size; off += len) {
		len = src->size - off < stg.size ? src->size - off : stg.size;
		poison = rdn_new_pat();
		rdn_fill(stg.map, off / 4, len / 4, &poison);
		rdn_cpu_done_vram(&stg);
		rdn_emit_copy(&rdn_cs, src, off, &stg, 0, len);
		rdn_cs_flush(&rdn_cs);
		rdn_wait(&stg);
		snprintf(msg, sizeof(msg), "%s, GPU copy of [%#" PRIx64 ", %#"
			 PRIx64 ") into VRAM", what, off, off + len);
		rdn_check(stg.map, off / 4, len / 4, want, &poison, msg);
	}
	rdn_bo_close(&stg);
}

/* The GPU writes all of @dst with @p (WRITE packets). */
static void rdn_gpu_write(const struct rdn_bo *dst, const struct rdn_pat *p)
{
	rdn_emit_write(&rdn_cs, dst, 0, dst->size / 4, p);
	rdn_cs_flush(&rdn_cs);
	rdn_wait(dst);
}

static uint64_t rdn_swiotlb_read(const char *file)
{
	char path[128], buf[64] = "";
	const char *root = igt_debugfs_mount();
	int fd, n;

	if (!root)
		return UINT64_MAX;
	snprintf(path, sizeof(path), "%s/swiotlb/%s", root, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return UINT64_MAX;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return UINT64_MAX;
	buf[n] = '\0';
	return strtoull(buf, NULL, 0);
}

static bool rdn_swiotlb_reset_hiwater(void)
{
	char path[128];
	const char *root = igt_debugfs_mount();
	int fd;
	bool ok;

	if (!root)
		return false;
	snprintf(path, sizeof(path), "%s/swiotlb/io_tlb_used_hiwater", root);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return false;
	ok = write(fd, "0", 1) == 1;
	close(fd);
	return ok;
}

static uint64_t rdn_gtt_usage(void)
{
	uint64_t v = 0;

	igt_assert_eq(rdn_info(rdn.fd, RADEON_INFO_GTT_USAGE, &v), 0);
	return v;
}

/* ---- subtests -------------------------------------------------------- */

static void test_cpu_write_gpu_read(uint32_t flags)
{
	struct rdn_pat p = rdn_new_pat();
	struct rdn_bo bo;

	rdn_require_dma();
	bo = rdn_bo_create(RDN_BO_SIZE, RADEON_GEM_DOMAIN_GTT, flags);
	rdn_bo_mmap(&bo);
	rdn_fill(bo.map, 0, bo.size / 4, &p);
	rdn_check_by_gpu(&bo, &p, "CPU-written GTT");
	/* The GPU only read it: the CPU must still see its own data. */
	rdn_check(bo.map, 0, bo.size / 4, &p, NULL,
		  "GTT source after the GPU read it");
	rdn_bo_close(&bo);
}

/* R6xx: one qword per page, at an offset that moves from page to page. */
static uint64_t rdn_r6xx_off(uint64_t page, unsigned int round)
{
	return page * RDN_PAGE + ((page * 7 + round * 3) % (RDN_PAGE / 8)) * 8;
}

static void rdn_r6xx_expect(uint32_t *exp, uint64_t page, unsigned int rounds,
			    const struct rdn_pat *p0, const struct rdn_pat *p)
{
	uint64_t i, first = page * RDN_PAGE / 4, dw;
	unsigned int r;

	for (i = 0; i < RDN_PAGE / 4; i++)
		exp[i] = rdn_pat_dw(p0, first + i);
	for (r = 0; r < rounds; r++) {
		dw = rdn_r6xx_off(page, r) / 4;
		exp[dw - first] = rdn_pat_dw(&p[r], dw);
		exp[dw - first + 1] = rdn_pat_dw(&p[r], dw + 1);
	}
}

static void rdn_r6xx_check(const struct rdn_bo *bo, unsigned int rounds,
			   const struct rdn_pat *p0, const struct rdn_pat *p)
{
	uint32_t exp[RDN_PAGE / 4];
	uint64_t page, i, bad = 0, first = 0;
	uint32_t got = 0, want = 0, v;

	for (page = 0; page < bo->size / RDN_PAGE; page++) {
		rdn_r6xx_expect(exp, page, rounds, p0, p);
		for (i = 0; i < RDN_PAGE / 4; i++) {
			v = le32toh(bo->map[page * RDN_PAGE / 4 + i]);
			if (v != exp[i] && !bad++) {
				first = page * RDN_PAGE + i * 4;
				got = v;
				want = exp[i];
			}
		}
	}
	igt_assert_f(!bad, "MEM_WRITE round %u: %" PRIu64 " dwords wrong; first "
		     "at %#" PRIx64 ": expected %#010x, got %#010x (%s)\n",
		     rounds, bad, first, want, got,
		     got == rdn_pat_dw(p0, first / 4) ? "the CPU prefill: the "
		     "GPU write was not seen" : !got ? "zero" : "garbage");
}

static void test_gpu_write_cpu_read_r6xx(uint32_t flags)
{
	struct rdn_pat p0 = rdn_new_pat(), p[2] = { rdn_new_pat(), rdn_new_pat() };
	struct rdn_bo bo;
	uint64_t page, off;
	unsigned int r;

	bo = rdn_bo_create(RDN_BO_SIZE, RADEON_GEM_DOMAIN_GTT, flags);
	rdn_bo_mmap(&bo);
	rdn_fill(bo.map, 0, bo.size / 4, &p0);
	/* The CPU reads it once: stale lines/bounce data must not survive. */
	rdn_check(bo.map, 0, bo.size / 4, &p0, NULL, "CPU prefill");
	for (r = 0; r < 2; r++) {
		for (page = 0; page < bo.size / RDN_PAGE; page++) {
			off = rdn_r6xx_off(page, r);
			rdn_emit_mem_write(&rdn_cs, &bo, off,
					   rdn_pat_dw(&p[r], off / 4),
					   rdn_pat_dw(&p[r], off / 4 + 1));
		}
		rdn_cs_flush(&rdn_cs);
		rdn_wait(&bo);
		rdn_r6xx_check(&bo, r + 1, &p0, p);
	}
	igt_info("R6xx: MEM_WRITE of one qword per page, %" PRIu64
		 " submissions\n", rdn_cs.submitted);
	rdn_bo_close(&bo);
}

static void test_gpu_write_cpu_read(uint32_t flags)
{
	struct rdn_pat p0 = rdn_new_pat(), p1 = rdn_new_pat(), p2 = rdn_new_pat();
	struct rdn_bo bo;

	rdn_require_write();
	if (rdn.cls == RDN_R6XX) {
		test_gpu_write_cpu_read_r6xx(flags);
		return;
	}
	bo = rdn_bo_create(RDN_BO_SIZE, RADEON_GEM_DOMAIN_GTT, flags);
	rdn_bo_mmap(&bo);
	rdn_fill(bo.map, 0, bo.size / 4, &p0);
	rdn_check(bo.map, 0, bo.size / 4, &p0, NULL, "CPU prefill");
	rdn_gpu_write(&bo, &p1);
	rdn_check(bo.map, 0, bo.size / 4, &p1, &p0, "first GPU write");
	rdn_gpu_write(&bo, &p2);
	rdn_check(bo.map, 0, bo.size / 4, &p2, &p1, "second GPU write");
	rdn_bo_close(&bo);
}

/*
 * New GTT objects are zeroed: TTM creates their tt with
 * TTM_TT_FLAG_ZERO_ALLOC (ttm_bo_handle_move_mem(): !bo->resource counts
 * as a tt placement, ttm_tt_create(bo, true)) and the pool allocates with
 * __GFP_ZERO. Nothing like that holds for VRAM, which is not checked.
 */
static void test_fresh_zero(void)
{
	struct rdn_pat p = rdn_new_pat(), zero = rdn_zero_pat();
	struct rdn_bo old, bo;
	unsigned int i;

	rdn_require_dma();
	for (i = 0; i < ARRAY_SIZE(rdn_modes); i++) {
		/* Leave GPU- and CPU-written pages in the pool first. */
		old = rdn_bo_create(RDN_BO_SIZE, RADEON_GEM_DOMAIN_GTT,
				    rdn_modes[i].flags);
		rdn_gpu_write(&old, &p);
		rdn_bo_close(&old);

		bo = rdn_bo_create(RDN_BO_SIZE, RADEON_GEM_DOMAIN_GTT,
				   rdn_modes[i].flags);
		rdn_check_by_gpu(&bo, &zero, rdn_modes[i].name);
		rdn_bo_mmap(&bo);
		rdn_check(bo.map, 0, bo.size / 4, &zero, &p,
			  "fresh GTT object read by the CPU");
		rdn_bo_close(&bo);
	}
}

static void test_large_gtt(void)
{
	enum { N = 4 };
	struct rdn_pat p[N];
	struct rdn_bo bo[N];
	uint64_t before, hiwater, after, nslabs;
	bool reset;
	int i;

	rdn_require_dma();
	igt_require_f(rdn.gart_size >= N * RDN_BO_SIZE + RDN_BO_SIZE,
		      "GART of %" PRIu64 " MiB is too small for 256 MiB + "
		      "staging\n", rdn.gart_size >> 20);
	igt_require_f(rdn_mem_available() / 2 > N * RDN_BO_SIZE,
		      "256 MiB is more than half of MemAvailable\n");
	reset = rdn_swiotlb_reset_hiwater();
	before = rdn_swiotlb_read("io_tlb_used");
	for (i = 0; i < N; i++) {
		p[i] = rdn_new_pat();
		bo[i] = rdn_bo_create(RDN_BO_SIZE, RADEON_GEM_DOMAIN_GTT,
				      rdn_modes[i % ARRAY_SIZE(rdn_modes)].flags);
		rdn_bo_mmap(&bo[i]);
		rdn_fill(bo[i].map, 0, bo[i].size / 4, &p[i]);
	}
	for (i = 0; i < N; i++)
		rdn_check_by_gpu(&bo[i], &p[i], "256 MiB of GTT");
	hiwater = rdn_swiotlb_read("io_tlb_used_hiwater");
	for (i = 0; i < N; i++)
		rdn_bo_close(&bo[i]);
	after = rdn_swiotlb_read("io_tlb_used");
	nslabs = rdn_swiotlb_read("io_tlb_nslabs");
	igt_info("backend: %s\n", rdn.backend[0] ? rdn.backend : "(unknown)");
	if (!reset || hiwater == UINT64_MAX) {
		igt_info("swiotlb: no debugfs swiotlb/ (or not resettable): "
			 "data checked, bounce use not measured\n");
		return;
	}
	igt_info("swiotlb: before=%" PRIu64 " hiwater=%" PRIu64 " after=%"
		 PRIu64 " nslabs=%" PRIu64 "\n", before, hiwater, after, nslabs);
	if (!strncmp(rdn.backend, "dma-pages", 9) ||
	    !strncmp(rdn.backend, "streaming", 9)) {
		/*
		 * TTM_ALLOCATION_POOL_DMA_AUTO: dma-pages where streaming
		 * mappings would bounce, streaming where they do not. Either
		 * way the GPU's pages never go through swiotlb. (The high
		 * water is only tracked with swiotlb=...,track_hiwater; other
		 * devices' DMA can raise it, which this would blame on us.)
		 */
		igt_assert_f(hiwater == 0, "backend %s: the swiotlb high-water "
			     "mark rose to %" PRIu64 " slots: GTT pages were "
			     "bounced\n", rdn.backend, hiwater);
		igt_info("case: automatic backend (%.9s), no bounce\n",
			 rdn.backend);
	} else {
		igt_info("case: backend '%s' is not an automatic choice; "
			 "%s\n", rdn.backend,
			 hiwater ? "mappings bounced" : "nothing bounced");
	}
}

/* Read debugfs ttm/tt_shrink until it swaps out nothing more. */
static int rdn_tt_shrink(void)
{
	char path[128], buf[32];
	const char *root = igt_debugfs_mount();
	int fd, n, rounds, total = 0;
	long v;

	snprintf(path, sizeof(path), "%s/ttm/tt_shrink", root ? root : "");
	for (rounds = 0; rounds < 100000; rounds++) {
		fd = open(path, O_RDONLY);
		igt_assert_f(fd >= 0, "%s: %s\n", path, strerror(errno));
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		igt_assert_f(n > 0, "read %s failed\n", path);
		buf[n] = '\0';
		v = strtol(buf, NULL, 10);
		if (v <= 0)
			break;
		total += v;
	}
	return total;
}

static void test_swap(void)
{
	enum { N = 2 };
	struct rdn_pat p[N], q;
	struct rdn_bo bo[N];
	const char *root = igt_debugfs_mount();
	char path[128];
	int i, swapped;

	rdn_require_dma();
	snprintf(path, sizeof(path), "%s/ttm/tt_shrink", root ? root : "");
	igt_require_f(root && !access(path, R_OK), "no debugfs ttm/tt_shrink "
		      "(CONFIG_DEBUG_FS, root)\n");
	for (i = 0; i < N; i++) {
		p[i] = rdn_new_pat();
		bo[i] = rdn_bo_create(RDN_BO_SIZE, RADEON_GEM_DOMAIN_GTT,
				      rdn_modes[i].flags);
		rdn_bo_mmap(&bo[i]);
		rdn_fill(bo[i].map, 0, bo[i].size / 4, &p[i]);
	}
	/* The GPU reads both once, so that they are bound. */
	for (i = 0; i < N; i++)
		rdn_check_by_gpu(&bo[i], &p[i], "before swap-out");

	swapped = rdn_tt_shrink();
	igt_info("tt_shrink: %d pages swapped out\n", swapped);
	igt_assert_f(swapped > 0, "tt_shrink swapped nothing out\n");
	/* GPU first after swap-in, then the CPU. */
	rdn_check_by_gpu(&bo[0], &p[0], "after swap-out, GPU first");
	rdn_check(bo[0].map, 0, bo[0].size / 4, &p[0], NULL,
		  "after swap-out, CPU second");
	rdn_check(bo[1].map, 0, bo[1].size / 4, &p[1], NULL,
		  "after swap-out, CPU first");
	rdn_check_by_gpu(&bo[1], &p[1], "after swap-out, GPU second");

	/* The GPU writes, swap-out again, the CPU reads first. */
	q = rdn_new_pat();
	rdn_gpu_write(&bo[0], &q);
	swapped = rdn_tt_shrink();
	igt_info("tt_shrink: %d pages swapped out\n", swapped);
	rdn_check(bo[0].map, 0, bo[0].size / 4, &q, &p[0],
		  "GPU write, swap-out, CPU read");
	rdn_check_by_gpu(&bo[0], &q, "GPU write, swap-out, GPU read");
	for (i = 0; i < N; i++)
		rdn_bo_close(&bo[i]);
}

static void test_dmabuf_cpu_access(void)
{
	struct rdn_pat p = rdn_new_pat(), q = rdn_new_pat();
	struct rdn_bo bo;
	volatile uint32_t *map;
	int dmabuf;

	rdn_require_dma();
	bo = rdn_bo_create(RDN_BO_SIZE, RADEON_GEM_DOMAIN_GTT, 0);
	dmabuf = prime_handle_to_fd_for_mmap(rdn.fd, bo.handle);
	igt_require_f(dmabuf >= 0, "PRIME export for mmap failed\n");
	map = mmap(NULL, bo.size, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	igt_require_f(map != MAP_FAILED, "mmap of the dma-buf: %s\n",
		      strerror(errno));

	prime_sync_start(dmabuf, true);
	rdn_fill(map, 0, bo.size / 4, &p);
	prime_sync_end(dmabuf, true);
	rdn_check_by_gpu(&bo, &p, "written through the dma-buf");

	rdn_gpu_write(&bo, &q);
	prime_sync_start(dmabuf, false);
	rdn_check(map, 0, bo.size / 4, &q, &p,
		  "GPU write read through the dma-buf");
	prime_sync_end(dmabuf, false);

	igt_assert_eq(munmap((void *)map, bo.size), 0);
	close(dmabuf);
	rdn_bo_close(&bo);
}

/*
 * radeon has no debugfs file that evicts VRAM (radeon_ttm.c creates
 * radeon_vram, radeon_gtt and ttm_page_pool only): create VRAM objects
 * until the victims, older in the LRU, move out; GEM_BUSY reports where.
 */
static void test_evict_vram(void)
{
	enum { NV = 2, MAXP = 256 };
	struct rdn_bo victim[NV], *pressure;
	struct rdn_pat p[NV];
	uint32_t domain;
	uint64_t total = 0, usage = 0;
	int i, np = 0, err, evicted = 0;

	rdn_require_dma();
	igt_assert_eq(rdn_info(rdn.fd, RADEON_INFO_VRAM_USAGE, &usage), 0);
	igt_require_f(rdn.vram_size <= 4096 * RDN_MIB &&
		      rdn.vram_size < rdn_mem_available() / 2 &&
		      rdn.vram_size + NV * RDN_BO_SIZE < rdn.gart_size,
		      "VRAM of %" PRIu64 " MiB: too large to evict through "
		      "GTT (GART %" PRIu64 " MiB, MemAvailable %" PRIu64
		      " MiB)\n", rdn.vram_size >> 20, rdn.gart_size >> 20,
		      rdn_mem_available() >> 20);
	for (i = 0; i < NV; i++) {
		p[i] = rdn_new_pat();
		victim[i] = rdn_bo_create(RDN_BO_SIZE, RADEON_GEM_DOMAIN_VRAM,
					  RADEON_GEM_CPU_ACCESS);
		rdn_bo_mmap(&victim[i]);
		rdn_fill(victim[i].map, 0, victim[i].size / 4, &p[i]);
		rdn_cpu_done_vram(&victim[i]);
	}
	pressure = calloc(MAXP, sizeof(*pressure));
	igt_assert(pressure);
	while (np < MAXP && total < rdn.vram_size + RDN_BO_SIZE) {
		err = __rdn_bo_create(RDN_BO_SIZE, RADEON_GEM_DOMAIN_VRAM,
				      RADEON_GEM_NO_CPU_ACCESS, &pressure[np]);
		if (err)
			break;
		total += RDN_BO_SIZE;
		np++;
		for (i = 0, evicted = 0; i < NV; i++) {
			igt_assert_eq(__rdn_busy(victim[i].handle, &domain), 0);
			evicted += domain != RADEON_GEM_DOMAIN_VRAM;
		}
		if (evicted == NV)
			break;
	}
	igt_info("VRAM %" PRIu64 " MiB (%" PRIu64 " MiB used before), %d "
		 "pressure objects, %d of %d victims evicted\n",
		 rdn.vram_size >> 20, usage >> 20, np, evicted, NV);
	if (evicted < NV) {
		for (i = np - 1; i >= 0; i--)
			rdn_bo_close(&pressure[i]);
		free(pressure);
		for (i = 0; i < NV; i++)
			rdn_bo_close(&victim[i]);
		igt_skip("VRAM pressure evicted %d of %d objects\n", evicted,
			 NV);
	}
	/* CPU first for one, GPU first (into GTT) for the other. */
	rdn_check(victim[0].map, 0, victim[0].size / 4, &p[0], NULL,
		  "evicted VRAM object read by the CPU");
	for (i = np - 1; i >= 0; i--)	/* last first: VA ranges are reused */
		rdn_bo_close(&pressure[i]);
	free(pressure);
	{
		struct rdn_bo gtt = rdn_bo_create(RDN_BO_SIZE,
						  RADEON_GEM_DOMAIN_GTT, 0);
		struct rdn_bo v1 = victim[1];

		/* A GTT reloc keeps it in GTT: the GPU reads the TT pages. */
		v1.domain = RADEON_GEM_DOMAIN_GTT;
		rdn_emit_copy(&rdn_cs, &v1, 0, &gtt, 0, RDN_BO_SIZE);
		rdn_cs_flush(&rdn_cs);
		rdn_wait(&gtt);
		rdn_bo_mmap(&gtt);
		rdn_check(gtt.map, 0, gtt.size / 4, &p[1], NULL,
			  "evicted VRAM object copied by the GPU");
		rdn_check(victim[1].map, 0, victim[1].size / 4, &p[1], NULL,
			  "evicted VRAM object read by the CPU after the GPU");
		rdn_bo_close(&gtt);
	}
	for (i = 0; i < NV; i++)
		rdn_bo_close(&victim[i]);
}

static int __rdn_userptr(void *addr, uint64_t size, uint32_t flags,
			 uint32_t *handle)
{
	struct drm_radeon_gem_userptr arg = {
		.addr = (uintptr_t)addr,
		.size = size,
		.flags = flags,
	};
	int err = 0;

	if (igt_ioctl(rdn.fd, DRM_IOCTL_RADEON_GEM_USERPTR, &arg))
		err = -errno;
	errno = 0;
	*handle = arg.handle;
	return err;
}

/*
 * radeon_ttm_tt_pin_userptr() maps user pages with ttm_tt_map_user_pages()
 * since the series: the pages themselves, or -EIO where they would bounce,
 * -EOPNOTSUPP on a device that does not snoop; the error comes from
 * creation with RADEON_GEM_USERPTR_VALIDATE or from the CS that binds it.
 */
static bool rdn_clean_error(int err)
{
	return err == -EIO || err == -EOPNOTSUPP;
}

static void test_userptr(void)
{
	const uint32_t uflags = RADEON_GEM_USERPTR_ANONONLY |
				RADEON_GEM_USERPTR_REGISTER;
	uint64_t gtt0, gtt1, tlb0, tlb1, size = RDN_BO_SIZE;
	struct rdn_pat p, q;
	struct rdn_bo ubo, stg;
	int round, err, worked = 0, refused = 0;
	uint32_t handle = 0;
	void *mem;

	rdn_require_dma();
	gtt0 = rdn_gtt_usage();
	tlb0 = rdn_swiotlb_read("io_tlb_used");
	for (round = 0; round < 8; round++) {
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		igt_assert(mem != MAP_FAILED);
		p = rdn_new_pat();
		rdn_fill(mem, 0, size / 4, &p);
		err = __rdn_userptr(mem, size, uflags |
				    (round & 1 ? RADEON_GEM_USERPTR_VALIDATE : 0),
				    &handle);
		igt_require_f(err != -ENODEV, "no MMU notifier: userptr "
			      "REGISTER unsupported\n");
		if (err) {
			igt_assert_f(rdn_clean_error(err), "USERPTR creation "
				     "failed with %s: not a clean refusal\n",
				     strerror(-err));
			refused++;
			igt_assert_eq(munmap(mem, size), 0);
			continue;
		}
		ubo = (struct rdn_bo){ .handle = handle, .size = size,
				       .domain = RADEON_GEM_DOMAIN_GTT,
				       .map = mem, .userptr = true };
		rdn_va_map(&ubo);
		stg = rdn_bo_create(size, RADEON_GEM_DOMAIN_GTT, 0);
		rdn_emit_copy(&rdn_cs, &ubo, 0, &stg, 0, size);
		err = __rdn_cs_submit(&rdn_cs);
		if (err) {
			igt_assert_f(rdn_clean_error(err), "CS with a userptr "
				     "object failed with %s: not a clean "
				     "refusal\n", strerror(-err));
			refused++;
		} else {
			rdn_wait(&stg);
			rdn_bo_mmap(&stg);
			rdn_check(stg.map, 0, size / 4, &p, NULL,
				  "user pages copied by the GPU");
			q = rdn_new_pat();
			rdn_gpu_write(&ubo, &q);
			rdn_check(mem, 0, size / 4, &q, &p,
				  "GPU write into user pages, read by the CPU");
			worked++;
		}
		rdn_bo_close(&stg);
		rdn_bo_close(&ubo);
		igt_assert_eq(munmap(mem, size), 0);
	}
	gtt1 = rdn_gtt_usage();
	tlb1 = rdn_swiotlb_read("io_tlb_used");
	igt_info("userptr: %d rounds worked, %d refused cleanly; GTT usage %"
		 PRIu64 " -> %" PRIu64 " KiB, swiotlb used %" PRIu64 " -> %"
		 PRIu64 "\n", worked, refused, gtt0 >> 10, gtt1 >> 10,
		 tlb0, tlb1);
	/*
	 * Others may allocate meanwhile: less than one round's object of
	 * growth is tolerated, a leak per round (8 x 64 MiB) is not.
	 */
	igt_assert_f(gtt1 < gtt0 + size, "GTT usage grew by %" PRIu64 " KiB "
		     "over the userptr rounds\n", (gtt1 - gtt0) >> 10);
	igt_assert_f(tlb0 == UINT64_MAX || tlb1 < tlb0 + size / 2048,
		     "swiotlb slots in use grew from %" PRIu64 " to %" PRIu64
		     "\n", tlb0, tlb1);
}

/* ---- fixture --------------------------------------------------------- */

/* The first radeon render node (or card node), IGT_FORCE_DRIVER honoured. */
static int rdn_open(void)
{
	const char *forced = getenv("IGT_FORCE_DRIVER");
	char path[32], name[32];
	int n, fd;

	igt_skip_on_f(forced && strcmp(forced, "radeon"),
		      "no radeon device: IGT_FORCE_DRIVER=%s\n", forced);
	for (n = 0; n < 32; n++) {
		if (n < 16)
			snprintf(path, sizeof(path), "/dev/dri/renderD%d",
				 128 + n);
		else
			snprintf(path, sizeof(path), "/dev/dri/card%d", n - 16);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!__get_drm_device_name(fd, name, sizeof(name)) &&
		    !strcmp(name, "radeon")) {
			igt_info("Opened device: %s\n", path);
			return fd;
		}
		close(fd);
	}
	igt_skip("no radeon device found (/dev/dri/renderD128.. and card0..)\n");
}

static void rdn_init(void)
{
	uint32_t tiles[32], v = 0;
	struct drm_radeon_gem_info gi = { };
	char buf[4096], *nl;
	int dbg;

	rdn.fd = rdn_open();
	rdn_seed_state = random();
	igt_info("pattern seed %u\n", rdn_seed_state);

	igt_assert_eq(rdn_info(rdn.fd, RADEON_INFO_DEVICE_ID, &rdn.devid), 0);
	rdn.family = rdn_family_of(rdn.devid);
	if (rdn_info(rdn.fd, RADEON_INFO_TILING_CONFIG, &v))
		rdn.cls = RDN_PRE_R600;
	else if (!rdn_info(rdn.fd, RADEON_INFO_CIK_MACROTILE_MODE_ARRAY, tiles))
		rdn.cls = RDN_CIK;
	else if (!rdn_info(rdn.fd, RADEON_INFO_SI_TILE_MODE_ARRAY, tiles))
		rdn.cls = RDN_SI;
	else if (!rdn_info(rdn.fd, RADEON_INFO_VA_START, &v))
		rdn.cls = RDN_R7XX_NI;	/* Cayman, Aruba: non-VM CS as well */
	else
		rdn.cls = rdn_family_is_r6xx(rdn.family) ? RDN_R6XX :
			  RDN_R7XX_NI;
	igt_require_f(rdn.cls != RDN_R7XX_NI || rdn.family ||
		      !rdn_info(rdn.fd, RADEON_INFO_VA_START, &v),
		      "device %04x is not in libdrm's r600_pci_ids.h: cannot "
		      "tell R6xx from RV7xx\n", rdn.devid);
	rdn.vm = rdn.cls == RDN_SI || rdn.cls == RDN_CIK;
	if (rdn.vm) {
		uint32_t va_start = 0;

		igt_assert_eq(rdn_info(rdn.fd, RADEON_INFO_VA_START,
				       &va_start), 0);
		rdn.va_next = ((uint64_t)va_start + RDN_MIB - 1) &
			      ~(RDN_MIB - 1);
	}
	v = 0;
	rdn.accel = !rdn_info(rdn.fd, RADEON_INFO_ACCEL_WORKING2, &v) && v;
	v = RADEON_CS_RING_DMA;
	rdn.dma_ring = !rdn_info(rdn.fd, RADEON_INFO_RING_WORKING, &v) && v;

	do_ioctl(rdn.fd, DRM_IOCTL_RADEON_GEM_INFO, &gi);
	rdn.gart_size = gi.gart_size;
	rdn.vram_size = gi.vram_size;
	rdn.vram_visible = gi.vram_visible;
	rdn.staging_size = rdn.vram_visible / 4 & ~(RDN_MIB - 1);
	if (rdn.staging_size > RDN_BO_SIZE)
		rdn.staging_size = RDN_BO_SIZE;
	if (rdn.staging_size < 4 * RDN_MIB)
		rdn.staging_size = 4 * RDN_MIB;

	igt_info("radeon %04x (%s), class %s, %s, accel %s, DMA ring %s; "
		 "VRAM %" PRIu64 " MiB (%" PRIu64 " visible), GART %" PRIu64
		 " MiB\n", rdn.devid, rdn.family ? rdn.family : "?",
		 rdn_class_name[rdn.cls], rdn.vm ? "VM" : "relocs",
		 rdn.accel ? "yes" : "no", rdn.dma_ring ? "ready" : "no",
		 rdn.vram_size >> 20, rdn.vram_visible >> 20,
		 rdn.gart_size >> 20);

	/* Pool backend: first line of dri/N/ttm_page_pool. */
	if (igt_debugfs_mount() && igt_debugfs_exists(rdn.fd, "ttm_page_pool",
						      O_RDONLY)) {
		igt_debugfs_read(rdn.fd, "ttm_page_pool", buf);
		nl = strchr(buf, '\n');
		if (nl)
			*nl = '\0';
		if (!strncmp(buf, "backend: ", 9))
			snprintf(rdn.backend, sizeof(rdn.backend), "%.255s",
				 buf + 9);
		igt_info("ttm_page_pool: %s\n", buf);
	} else {
		igt_info("no debugfs dri/N/ttm_page_pool (not root, or no "
			 "debugfs): backend unknown\n");
	}
	if (rdn_swiotlb_reset_hiwater())
		igt_info("swiotlb high-water mark reset\n");
	if (igt_debugfs_mount()) {
		snprintf(buf, sizeof(buf), "%s/ttm", igt_debugfs_mount());
		dbg = open(buf, O_RDONLY);
		if (dbg >= 0) {
			if (igt_debugfs_simple_read(dbg, "page_pool_backends",
						    buf, sizeof(buf)) > 0)
				igt_info("ttm/page_pool_backends:\n%s", buf);
			close(dbg);
		}
	}
}

int igt_main()
{
	const struct rdn_mode *m;

	igt_fixture() {
		rdn_init();
	}

	for (m = rdn_modes; m < rdn_modes + ARRAY_SIZE(rdn_modes); m++) {
		igt_describe("The CPU fills a 64 MiB GTT object; the DMA engine "
			     "copies it into CPU-visible VRAM; every dword "
			     "must arrive.");
		igt_subtest_f("cpu-write-gpu-read-%s", m->name)
			test_cpu_write_gpu_read(m->flags);
	}

	for (m = rdn_modes; m < rdn_modes + ARRAY_SIZE(rdn_modes); m++) {
		igt_describe("The CPU prefills a 64 MiB GTT object, the GPU "
			     "writes all of it, the CPU must see every dword; "
			     "then a second GPU write.");
		igt_subtest_f("gpu-write-cpu-read-%s", m->name)
			test_gpu_write_cpu_read(m->flags);
	}

	igt_describe("A new GTT object reads as zeroes for the GPU and the "
		     "CPU, also right after other objects' pages were freed.");
	igt_subtest("fresh-allocation-reads-zero")
		test_fresh_zero();

	igt_describe("256 MiB of GTT alive at once, CPU-written and GPU-read; "
		     "with the automatic pool backend nothing bounces.");
	igt_subtest("large-gtt")
		test_large_gtt();

	igt_describe("GTT contents survive swap-out (debugfs ttm/tt_shrink), "
		     "read back by the GPU or the CPU first.");
	igt_subtest("swap")
		test_swap();

	igt_describe("CPU access through an exported dma-buf, bracketed by "
		     "DMA_BUF_IOCTL_SYNC, sees and is seen by the GPU.");
	igt_subtest("dmabuf-cpu-access")
		test_dmabuf_cpu_access();

	igt_describe("CPU-filled VRAM objects evicted to GTT by VRAM pressure "
		     "read back correctly by the CPU and the GPU.");
	igt_subtest("evict-vram")
		test_evict_vram();

	igt_describe("User pages fail cleanly (EIO, EOPNOTSUPP) where they "
		     "would bounce or cannot be coherent, or work with correct "
		     "data both ways; nothing leaks.");
	igt_subtest("userptr-fails-cleanly")
		test_userptr();

	igt_fixture() {
		if (rdn.fd > 0)
			drm_close_driver(rdn.fd);
	}
}
