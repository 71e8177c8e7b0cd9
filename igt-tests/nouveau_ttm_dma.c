// SPDX-License-Identifier: MIT
/*
 * nouveau_ttm_dma: CPU/GPU coherency of nouveau's TTM GART memory, for the
 * "TTM DMA pool backends" series (drm/nouveau: let TTM choose TT memory and
 * hand it over with its syncs).
 *
 * What the GPU does, per generation (chipset from libdrm's nouveau_device):
 *
 * - GPU writes: a host semaphore release on the channel, no engine object
 *   needed. The encodings are the kernel's (drivers/gpu/drm/nouveau/include/
 *   nvhw/class/) and the sequences those of its fence code:
 *   * NV826F (G84..GT21x, chipset 0x84..0xaf; nv84_fence.c): method 0x60
 *     SET_CONTEXT_DMA_SEMAPHORE = the channel's VM ctxdma (libdrm's
 *     nv04_fifo.vram handle), 0x10 SEMAPHOREA (OFFSET_UPPER 7:0), 0x14
 *     SEMAPHOREB (OFFSET_LOWER), 0x18 SEMAPHOREC (PAYLOAD), 0x1c SEMAPHORED
 *     OPERATION_RELEASE = 2 (cl826f.h). The class has no release size: a
 *     release may write a 16-byte record (value, zero, timestamp), as the
 *     kernel's 16-byte fence slots suggest, so releases go to 16-byte
 *     aligned slots and only the slot's first dword is checked.
 *   * NV906F (Fermi..Pascal, 0xc0..0x13f; nvc0_fence.c): same offsets,
 *     SEMAPHORED = OPERATION_RELEASE (2) | RELEASE_WFI_EN (0 << 20) |
 *     RELEASE_SIZE_4BYTE (1 << 24) (cl906f.h; the kernel uses 16BYTE for
 *     its fences, we want exactly one dword written).
 *   * NVC36F (Volta+, 0x140..; gv100_fence.c): 0x5c SEM_ADDR_LO, 0x60
 *     SEM_ADDR_HI (7:0), 0x64 SEM_PAYLOAD_LO, 0x68 SEM_PAYLOAD_HI, 0x6c
 *     SEM_EXECUTE = OPERATION_RELEASE (1) | RELEASE_WFI_EN (1 << 20) |
 *     PAYLOAD_SIZE_32BIT | RELEASE_TIMESTAMP_DIS, then MEM_OP_A..D (0x28..
 *     0x34) with MEM_OP_C MEMBAR_TYPE_SYS_MEMBAR and MEM_OP_D OPERATION
 *     MEMBAR (5 << 27) (clc36f.h).
 *   NV50 itself (0x50) has no channel semaphores (the kernel uses
 *   nv50_fence there) and pre-NV50 chips have no per-client VM: the data
 *   subtests skip there.
 * - GPU copies (Kepler and newer, 0xe0..): the copy engine's class
 *   (KEPLER_DMA_COPY_A 0xa0b5, MAXWELL 0xb0b5, PASCAL 0xc0b5/0xc1b5, VOLTA
 *   0xc3b5, TURING 0xc5b5, AMPERE 0xc6b5/0xc7b5, ADA/HOPPER/BLACKWELL
 *   0xc8b5/0xc9b5/0xcab5) on a channel of the CE runlist (libdrm nve0_fifo,
 *   engine NVE0_FIFO_ENGINE_CE0 | CE1, as IGT's lib/igt_nouveau.c), bound
 *   to subchannel 4 with SET_OBJECT (method 0 = class), as the kernel's
 *   nve0_bo_move_init() does. A copy is the kernel's nve0_bo_move_copy()
 *   (nouveau_boa0b5.c): OFFSET_IN/OUT_UPPER/LOWER 0x400..0x40c, PITCH_IN/OUT
 *   0x410/0x414, LINE_LENGTH_IN 0x418, LINE_COUNT 0x41c, LAUNCH_DMA 0x300 =
 *   NON_PIPELINED | FLUSH_ENABLE | SRC/DST pitch | MULTI_LINE (cla0b5.h):
 *   4 KiB lines with a 4 KiB pitch, plus one single-line launch
 *   (MULTI_LINE_ENABLE false) for a tail shorter than 4 KiB.
 *   Fermi's copy engines (0x90b5) are not used: Fermi gets the semaphore
 *   subtests only, and the copy parts of the others skip.
 * - Method headers: NV50 channels use the NV06C format (count 28:18,
 *   subchannel 15:13, address 12:2; cl006c.h), Fermi and newer NV906F's
 *   INC_METHOD (sec_op 1 << 29, count 28:16, subchannel 15:13, address
 *   11:0 = method >> 2; cl906f.h).
 *
 * CPU access protocol (the series' nouveau patch, nouveau_gem.c and
 * nouveau_bo.c): DRM_NOUVEAU_GEM_CPU_PREP waits for the GPU (at most 30 s,
 * then -EBUSY: a GPU that never finishes fails here instead of hanging)
 * and hands the pages to the CPU; DRM_NOUVEAU_GEM_CPU_FINI (libdrm has no
 * wrapper: issued directly) or the validation in GEM_PUSHBUF hands them
 * back. EXEC (VM_BIND) revalidates only evicted buffers, so the vm-bind
 * variant must CPU_FINI before every EXEC. libdrm's nouveau_bo_wait()
 * skips CPU_PREP when it believes the GPU did not write the buffer, so
 * the test issues CPU_PREP itself, before every CPU access, and CPU_FINI
 * after every CPU write. dma-buf mappings are bracketed by
 * DMA_BUF_IOCTL_SYNC only.
 *
 * Data: 64 MiB objects (many pool chunks), a different value in every
 * dword, seeded per run (IGT_SRANDOM). Every dword of every object is
 * checked: the written ones and everything that must be untouched.
 *
 * What a failure means: a mismatch reports the first bad offset, the
 * expected and actual dword, how many dwords and pages are wrong and
 * whether the bad value is the previous content (stale: a hand-over
 * between CPU and GPU was missing -- a sync_for_cpu not done at CPU_PREP,
 * a sync_for_device not done at CPU_FINI/validation, a bounce buffer
 * copied the wrong way), zero (pages lost or never written: a wrong DMA
 * address in a multi-chunk tt, a swap-in that lost data) or garbage
 * (a wrong DMA address pointing at someone else's memory). A CPU_PREP
 * returning EBUSY means the GPU did not finish in 30 s (hang, bad
 * methods on this generation: check dmesg for nouveau errors).
 */

/**
 * TEST: nouveau ttm dma
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: Memory management tests
 * Functionality: TTM GART memory, DMA mapping, CPU and GPU coherency
 * Description: Data the GPU writes into GART objects is what the CPU
 *	reads after DRM_NOUVEAU_GEM_CPU_PREP, and data the CPU writes is what
 *	the GPU reads after CPU_FINI or a submission, over 64 MiB objects with
 *	a different value in every dword, on nouveau (G84 and newer).
 * Test category: functionality test
 *
 * SUBTEST: gpu-write-cpu-read
 * Description: Semaphore releases of distinct values at two offsets in
 *	every 4 KiB page of a 64 MiB GART object, three rounds (the second
 *	without CPU_FINI, handed back by GEM_PUSHBUF's validation; the third
 *	after the CPU rewrote the object); the CPU checks every dword.
 *
 * SUBTEST: cpu-write-gpu-read
 * Description: (Kepler+) the copy engine copies a CPU-written 64 MiB GART
 *	object into another one, windows at odd offsets across 2 MiB
 *	boundaries, and through VRAM and back; the CPU checks every dword.
 *
 * SUBTEST: fresh-allocation-reads-zero
 * Description: A new GART object, created after others were written and
 *	freed, reads as zero for the GPU (Kepler+: copied into a CPU-filled
 *	object) and for the CPU.
 *
 * SUBTEST: large-gart
 * Description: Four 64 MiB GART objects alive at once, each written by the
 *	CPU and the GPU and checked; swiotlb high water stays 0 with the
 *	dma-pages backend, no swiotlb slot leaks.
 *
 * SUBTEST: swap
 * Description: A GPU-written object is swapped out through debugfs
 *	ttm/tt_shrink and comes back intact, for the GPU and for the CPU.
 *
 * SUBTEST: dmabuf-cpu-access
 * Description: CPU access through a mapping of an exported dma-buf,
 *	bracketed by DMA_BUF_IOCTL_SYNC, sees what the GPU wrote and (Kepler+)
 *	is seen by the copy engine.
 *
 * SUBTEST: vm-bind
 * Description: gpu-write-cpu-read through VM_INIT/VM_BIND/EXEC (Fermi+),
 *	with CPU_FINI before every EXEC.
 */

#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <time.h>
#include <sys/ioctl.h>

#include <linux/dma-buf.h>

#include "igt.h"

#include <xf86drm.h>
#include <nouveau_drm.h>
#include <nouveau/nouveau.h>
#include <nouveau/nvif/class.h>
#include <nouveau/nvif/cl0080.h>

IGT_TEST_DESCRIPTION("CPU/GPU coherency of nouveau's TTM GART memory: GPU "
		     "semaphore writes and copy-engine copies checked dword by "
		     "dword over 64 MiB objects.");

#define MIB			((uint64_t)1024 * 1024)
#define OBJ_SIZE		(64 * MIB)
#define GPU_PAGE		((uint64_t)4096)
#define BATCH_RELEASES		4096
#define PUSH_SIZE		(512 * 1024)

/* Class ids (kernel nvif/class.h; libdrm defines only some of them). */
#define CE_KEPLER_A	0xa0b5
#define CE_MAXWELL_A	0xb0b5
#define CE_PASCAL_A	0xc0b5
#define CE_PASCAL_B	0xc1b5
#define CE_VOLTA_A	0xc3b5
#define CE_TURING_A	0xc5b5
#define CE_AMPERE_A	0xc6b5
#define CE_AMPERE_B	0xc7b5
#define CE_HOPPER_A	0xc8b5
#define CE_BLACKWELL_A	0xc9b5
#define CE_BLACKWELL_B	0xcab5

/* Host (channel) methods, subchannel 0 */
#define NV826F_SEMAPHOREA			0x0010	/* cl826f.h, cl906f.h */
#define NV826F_SEMAPHORED_OPERATION_RELEASE	0x2
#define NV826F_SET_CONTEXT_DMA_SEMAPHORE	0x0060
#define NV906F_SEMAPHORED_RELEASE_SIZE_4BYTE	(1u << 24)
#define NVC36F_MEM_OP_A				0x0028	/* clc36f.h */
#define NVC36F_MEM_OP_D_OPERATION_MEMBAR	(5u << 27)
#define NVC36F_SEM_ADDR_LO			0x005c
#define NVC36F_SEM_EXECUTE_OPERATION_RELEASE	0x1
#define NVC36F_SEM_EXECUTE_RELEASE_WFI_EN	(1u << 20)

/* Copy engine methods, subchannel 4 (cla0b5.h) */
#define SUBC_CE				4
#define NVA0B5_SET_OBJECT		0x0000
#define NVA0B5_LAUNCH_DMA		0x0300
#define NVA0B5_OFFSET_IN_UPPER		0x0400
#define LAUNCH_NON_PIPELINED		0x2
#define LAUNCH_FLUSH_ENABLE		(1u << 2)
#define LAUNCH_SRC_PITCH		(1u << 7)
#define LAUNCH_DST_PITCH		(1u << 8)
#define LAUNCH_MULTI_LINE		(1u << 9)

enum sem_kind { SEM_NONE, SEM_826F, SEM_906F, SEM_C36F };

static const char *const sem_names[] = {
	[SEM_NONE] = "none", [SEM_826F] = "NV826F",
	[SEM_906F] = "NV906F", [SEM_C36F] = "NVC36F",
};

static struct nv {
	int fd;
	char path[64];
	uint32_t chipset;
	uint64_t vram_size, gart_size;
	struct nouveau_drm *drm;
	struct nouveau_device *dev;
	struct nouveau_client *client;
	struct nouveau_object *chan;
	struct nouveau_pushbuf *push;
	struct nouveau_object *ce;
	uint32_t ce_class;
	uint32_t ctxdma;		/* NV826F: the VM ctxdma */
	enum sem_kind sem;
	unsigned int span;		/* bytes a release may write */
	char backend[64];
} nv = { .fd = -1 };

static uint32_t seed_state;

/* ---- patterns: a different dword everywhere, per object and per run ---- */

static uint32_t mix32(uint32_t seed, uint64_t i)
{
	uint64_t x = (i ^ (uint64_t)seed << 40) * 0x9e3779b97f4a7c15ull;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	return (uint32_t)x;
}

static uint32_t new_seed(void)
{
	uint32_t s;

	do {
		s = mix32(0x5eed, ++seed_state);
	} while (!s);
	return s;
}

/* Dword i of pattern seed: never zero, differs between neighbours. */
static uint32_t pat(uint32_t seed, uint64_t i)
{
	return (mix32(seed, i) & ~0xffffu) | (uint32_t)(i & 0xffff) | 0x10000;
}

static void fill(uint32_t *map, uint64_t bytes, uint32_t seed)
{
	volatile uint32_t *p = map;
	uint64_t i;

	for (i = 0; i < bytes / 4; i++)
		p[i] = pat(seed, i);
}

/*
 * What an object must hold: dword d is (in order of precedence) a slot
 * value, a window of another pattern, or the base pattern (seed 0: zero).
 * old_* says what it held before, for the report (stale data).
 */
struct slots {
	uint64_t n;
	uint64_t *off;			/* sorted byte offsets */
	uint32_t *val, *old;
	unsigned int span;		/* bytes after off not checked: span - 4 */
};

struct window {
	uint64_t dst, src, len;		/* bytes, 4-aligned */
	uint32_t seed;
};

struct expect {
	uint32_t seed, old_seed;	/* 0: zero */
	bool old_known;
	const struct slots *s;
	const struct window *w;
	unsigned int nw;
	uint32_t w_old_seed;		/* what the windows held before */
};

static uint32_t exp_base(const struct expect *e, uint64_t d, uint32_t *old,
			 bool *has_old)
{
	unsigned int k;

	for (k = 0; k < e->nw; k++) {
		const struct window *w = &e->w[k];

		if (d * 4 >= w->dst && d * 4 < w->dst + w->len) {
			*has_old = true;
			*old = e->w_old_seed ? pat(e->w_old_seed, d) : 0;
			return pat(w->seed, (d * 4 - w->dst + w->src) / 4);
		}
	}
	*has_old = e->old_known;
	*old = e->old_seed ? pat(e->old_seed, d) : 0;
	return e->seed ? pat(e->seed, d) : 0;
}

/*
 * Check all of map against e. The comparison decides; the report gives
 * the first mismatch, the count, and whether the value is stale.
 */
static void check(const uint32_t *map, uint64_t bytes, const struct expect *e,
		  const char *what)
{
	const volatile uint32_t *p = map;
	uint64_t d, n = bytes / 4, si = 0, bad = 0, pages = 0, first = 0;
	uint64_t last_page = UINT64_MAX, skip_until = 0;
	uint32_t want, got, old, f_want = 0, f_got = 0, f_old = 0;
	bool has_old, f_has_old = false;
	const char *kind;

	for (d = 0; d < n; d++) {
		if (e->s && si < e->s->n && e->s->off[si] == d * 4) {
			want = e->s->val[si];
			old = e->s->old[si];
			has_old = true;
			skip_until = d + e->s->span / 4;
			si++;
		} else if (d < skip_until) {
			continue;	/* rest of a 16-byte release record */
		} else {
			want = exp_base(e, d, &old, &has_old);
		}
		got = p[d];
		if (got == want)
			continue;
		if (!bad++) {
			first = d;
			f_want = want;
			f_got = got;
			f_old = old;
			f_has_old = has_old;
		}
		if (d * 4 / GPU_PAGE != last_page) {
			last_page = d * 4 / GPU_PAGE;
			pages++;
		}
	}
	if (!bad)
		return;

	if (f_has_old && f_got == f_old)
		kind = "the previous content: stale data";
	else if (!f_got)
		kind = "zero";
	else
		kind = "neither the new nor the previous content: garbage";
	igt_assert_f(false, "%s: %" PRIu64 " of %" PRIu64 " dwords wrong in %"
		     PRIu64 " 4 KiB page(s); first at offset %#" PRIx64
		     ": expected %#010x, got %#010x (%s)\n", what, bad, n, pages,
		     first * 4, f_want, f_got, kind);
}

/* ---- device ---- */

static int open_nouveau(void)
{
	const char *forced = getenv("IGT_FORCE_DRIVER");
	int fd, i;

	if (forced) {
		/* IGT's rule: the forced driver, or nothing. */
		fd = __drm_open_driver(DRIVER_ANY);
		if (fd >= 0 && !is_nouveau_device(fd)) {
			close(fd);
			fd = -1;
		}
		if (fd >= 0)
			snprintf(nv.path, sizeof(nv.path), "(IGT_FORCE_DRIVER)");
		return fd;
	}
	/* Any card, not just the first one: hybrid laptops, test VMs. */
	for (i = 0; i < 16; i++) {
		snprintf(nv.path, sizeof(nv.path), "/dev/dri/card%d", i);
		fd = open(nv.path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_nouveau_device(fd))
			return fd;
		close(fd);
	}
	return -1;
}

static uint32_t hdr(unsigned int subc, uint32_t mthd, unsigned int count)
{
	if (nv.chipset < 0xc0)	/* NV06C format (cl006c.h) */
		return count << 18 | subc << 13 | (mthd & 0x1ffc);
	return 1u << 29 | count << 16 | subc << 13 | mthd >> 2; /* cl906f.h */
}

static void out(uint32_t v)
{
	igt_assert(nv.push->cur < nv.push->end);
	*nv.push->cur++ = v;
}

/* Room for @dwords and references to @n objects; kicked by end_batch(). */
static void begin_batch(unsigned int dwords, struct nouveau_bo **bos,
			const uint32_t *access, unsigned int n)
{
	struct nouveau_pushbuf_refn refs[8];
	unsigned int i;

	igt_assert(n <= ARRAY_SIZE(refs));
	igt_assert_eq(nouveau_pushbuf_space(nv.push, dwords + 16, 0, 0), 0);
	for (i = 0; i < n; i++) {
		refs[i].bo = bos[i];
		refs[i].flags = access[i] |
			(bos[i]->flags & (NOUVEAU_BO_GART | NOUVEAU_BO_VRAM));
	}
	igt_assert_eq(nouveau_pushbuf_refn(nv.push, refs, n), 0);
}

static void end_batch(void)
{
	igt_assert_eq(nouveau_pushbuf_kick(nv.push, nv.push->channel), 0);
}

/* Dwords of one release; emit it into @p (advanced). */
static unsigned int release_dwords(void)
{
	return nv.sem == SEM_C36F ? 6 : 5;
}

static uint32_t *emit_release(uint32_t *p, uint64_t va, uint32_t value)
{
	if (nv.sem == SEM_C36F) {
		*p++ = hdr(0, NVC36F_SEM_ADDR_LO, 5);
		*p++ = (uint32_t)va;
		*p++ = (uint32_t)(va >> 32) & 0xff;
		*p++ = value;
		*p++ = 0;
		*p++ = NVC36F_SEM_EXECUTE_OPERATION_RELEASE |
		       NVC36F_SEM_EXECUTE_RELEASE_WFI_EN;
	} else {
		*p++ = hdr(0, NV826F_SEMAPHOREA, 4);
		*p++ = (uint32_t)(va >> 32) & 0xff;
		*p++ = (uint32_t)va;
		*p++ = value;
		*p++ = NV826F_SEMAPHORED_OPERATION_RELEASE |
		       (nv.sem == SEM_906F ?
			NV906F_SEMAPHORED_RELEASE_SIZE_4BYTE : 0);
	}
	return p;
}

static uint32_t *emit_batch_start(uint32_t *p)
{
	if (nv.sem == SEM_826F) {
		*p++ = hdr(0, NV826F_SET_CONTEXT_DMA_SEMAPHORE, 1);
		*p++ = nv.ctxdma;
	}
	return p;
}

static uint32_t *emit_batch_end(uint32_t *p)
{
	if (nv.sem == SEM_C36F) {	/* as gv100_fence_emit32() */
		*p++ = hdr(0, NVC36F_MEM_OP_A, 4);
		*p++ = 0;
		*p++ = 0;
		*p++ = 0;				/* SYS_MEMBAR */
		*p++ = NVC36F_MEM_OP_D_OPERATION_MEMBAR;
	}
	return p;
}

/* GPU writes s->val[i] at s->off[i] of bo, through GEM_PUSHBUF. */
static void gpu_release(struct nouveau_bo *bo, const struct slots *s)
{
	uint32_t acc = NOUVEAU_BO_WR;
	uint64_t i, n;

	igt_assert(bo->offset + bo->size <= 1ull << 40);
	for (i = 0; i < s->n; i += n) {
		n = s->n - i < BATCH_RELEASES ? s->n - i : BATCH_RELEASES;
		begin_batch(n * release_dwords() + 8, &bo, &acc, 1);
		nv.push->cur = emit_batch_start(nv.push->cur);
		for (uint64_t k = i; k < i + n; k++) {
			igt_assert(nv.push->cur + 6 <= nv.push->end);
			nv.push->cur = emit_release(nv.push->cur,
						    bo->offset + s->off[k],
						    s->val[k]);
		}
		nv.push->cur = emit_batch_end(nv.push->cur);
		end_batch();
	}
}

static bool has_ce(void)
{
	return nv.ce != NULL;
}

/* One copy-engine launch: @lines lines of @line_len bytes, pitch @pitch. */
static void __ce_copy(uint64_t o, uint64_t in, uint32_t line_len,
		      uint32_t lines, uint32_t pitch,
		      struct nouveau_bo *dst, struct nouveau_bo *src)
{
	struct nouveau_bo *bos[2] = { src, dst };
	uint32_t acc[2] = { NOUVEAU_BO_RD, NOUVEAU_BO_WR };

	begin_batch(16, bos, acc, 2);
	out(hdr(SUBC_CE, NVA0B5_OFFSET_IN_UPPER, 8));
	out((uint32_t)(in >> 32) & 0xff);
	out((uint32_t)in);
	out((uint32_t)(o >> 32) & 0xff);
	out((uint32_t)o);
	out(pitch);				/* PITCH_IN */
	out(pitch);				/* PITCH_OUT */
	out(line_len);				/* LINE_LENGTH_IN */
	out(lines);				/* LINE_COUNT */
	out(hdr(SUBC_CE, NVA0B5_LAUNCH_DMA, 1));
	out(LAUNCH_NON_PIPELINED | LAUNCH_FLUSH_ENABLE | LAUNCH_SRC_PITCH |
	    LAUNCH_DST_PITCH | (lines > 1 ? LAUNCH_MULTI_LINE : 0));
	end_batch();
}

/*
 * Copy engine, len bytes: the bulk as 4 KiB lines with a 4 KiB pitch (a
 * contiguous copy, as nve0_bo_move_copy()), the rest (< 4 KiB) as one
 * line; any 4-byte aligned offsets.
 */
static void ce_copy(struct nouveau_bo *dst, uint64_t dst_off,
		    struct nouveau_bo *src, uint64_t src_off, uint64_t len)
{
	uint64_t in = src->offset + src_off, o = dst->offset + dst_off;
	uint64_t bulk = len / GPU_PAGE;

	igt_assert(len && !(len % 4) && bulk <= UINT32_MAX);
	igt_assert(src_off + len <= src->size && dst_off + len <= dst->size);
	if (bulk)
		__ce_copy(o, in, GPU_PAGE, bulk, GPU_PAGE, dst, src);
	if (len % GPU_PAGE)
		__ce_copy(o + bulk * GPU_PAGE, in + bulk * GPU_PAGE,
			  len % GPU_PAGE, 1, 0, dst, src);
}

static int __cpu_prep(int fd, uint32_t handle, bool write)
{
	struct drm_nouveau_gem_cpu_prep req = {
		.handle = handle,
		.flags = write ? NOUVEAU_GEM_CPU_PREP_WRITE : 0,
	};

	return igt_ioctl(fd, DRM_IOCTL_NOUVEAU_GEM_CPU_PREP, &req) ? -errno : 0;
}

/* Wait for the GPU (bounded by the kernel: 30 s) and take the pages. */
static void cpu_prep_handle(int fd, uint32_t handle, bool write)
{
	int ret = __cpu_prep(fd, handle, write);

	igt_assert_f(ret != -EBUSY, "CPU_PREP: the GPU did not finish within "
		     "30 s (hang or bad methods; see dmesg)\n");
	igt_assert_f(ret == 0, "CPU_PREP: %s\n", strerror(-ret));
}

static void cpu_fini_handle(int fd, uint32_t handle)
{
	struct drm_nouveau_gem_cpu_fini req = { .handle = handle };

	do_ioctl(fd, DRM_IOCTL_NOUVEAU_GEM_CPU_FINI, &req);
}

static void cpu_prep(struct nouveau_bo *bo, bool write)
{
	cpu_prep_handle(nv.fd, bo->handle, write);
}

static void cpu_fini(struct nouveau_bo *bo)
{
	cpu_fini_handle(nv.fd, bo->handle);
}

static struct nouveau_bo *bo_new(uint32_t domain, uint64_t size, bool map)
{
	struct nouveau_bo *bo = NULL;
	union nouveau_bo_config cfg;
	int ret;

	memset(&cfg, 0, sizeof(cfg));
	ret = nouveau_bo_new(nv.dev, domain | NOUVEAU_BO_RDWR |
			     (map ? NOUVEAU_BO_MAP : 0),
			     nv.chipset < 0x140 ? 256 : 64, size, &cfg, &bo);
	igt_assert_f(ret == 0, "nouveau_bo_new(%s, %" PRIu64 " MiB): %s\n",
		     domain == NOUVEAU_BO_VRAM ? "VRAM" : "GART", size / MIB,
		     strerror(-ret));
	if (map) /* mmap, after CPU_PREP (libdrm's nouveau_bo_wait) */
		igt_assert_eq(nouveau_bo_map(bo, NOUVEAU_BO_RDWR, nv.client),
			      0);
	return bo;
}

static void bo_del(struct nouveau_bo **bo)
{
	nouveau_bo_ref(NULL, bo);
}

/* CPU writes pattern seed over all of bo: CPU_PREP, write, CPU_FINI. */
static void cpu_fill(struct nouveau_bo *bo, uint32_t seed)
{
	cpu_prep(bo, true);
	fill(bo->map, bo->size, seed);
	cpu_fini(bo);
}

/*
 * Two release slots per 4 KiB page: one at a seeded offset, one at the
 * first (even pages) or last (odd pages) slot of the page; values differ
 * from each other, from the base pattern there and from @prev.
 */
static void slots_init(struct slots *s, uint64_t size, unsigned int per_page,
		       unsigned int span, uint32_t seed)
{
	uint64_t pages = size / GPU_PAGE, pg, i = 0;
	unsigned int nslot = GPU_PAGE / span;

	s->n = pages * per_page;
	s->span = span;
	s->off = calloc(s->n, sizeof(*s->off));
	s->val = calloc(s->n, sizeof(*s->val));
	s->old = calloc(s->n, sizeof(*s->old));
	igt_assert(s->off && s->val && s->old);
	for (pg = 0; pg < pages; pg++) {
		uint64_t a = mix32(seed, pg) % nslot;
		uint64_t b = pg & 1 ? nslot - 1 : 0;

		if (per_page == 1) {
			s->off[i++] = pg * GPU_PAGE + a * span;
			continue;
		}
		if (a == b)
			a = pg & 1 ? a - 1 : a + 1;
		s->off[i++] = pg * GPU_PAGE + (a < b ? a : b) * span;
		s->off[i++] = pg * GPU_PAGE + (a < b ? b : a) * span;
	}
}

/* New values: old = what was there (base pattern or previous values). */
static void slots_values(struct slots *s, uint32_t seed, uint32_t base_seed,
			 bool first)
{
	uint64_t i;

	for (i = 0; i < s->n; i++) {
		uint32_t old = first ? (base_seed ? pat(base_seed, s->off[i] / 4)
					: 0) : s->val[i];
		uint32_t v = mix32(seed, i) | 1;

		while (v == old)
			v += 2;
		s->old[i] = old;
		s->val[i] = v;
	}
}

static void slots_free(struct slots *s)
{
	free(s->off);
	free(s->val);
	free(s->old);
}

/* ---- debugfs ---- */

static bool root_read(const char *file, char *buf, size_t len)
{
	const char *root = igt_debugfs_mount();
	char path[256];
	int fd, n;

	buf[0] = '\0';
	if (!root)
		return false;
	snprintf(path, sizeof(path), "%s/%s", root, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

static bool root_u64(const char *file, uint64_t *v)
{
	char buf[64];

	if (!root_read(file, buf, sizeof(buf)))
		return false;
	*v = strtoull(buf, NULL, 0);
	return true;
}

static bool root_write(const char *file, const char *val)
{
	const char *root = igt_debugfs_mount();
	char path[256];
	bool ok;
	int fd;

	if (!root)
		return false;
	snprintf(path, sizeof(path), "%s/%s", root, file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

static uint64_t mem_available(void)
{
	char buf[4096], *p;
	int fd = open("/proc/meminfo", O_RDONLY), n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "MemAvailable:");
	return p ? strtoull(p + 13, NULL, 10) * 1024 : 0;
}

/* ---- fixture ---- */

static void init_channel(void)
{
	struct nouveau_mclass ce_classes[] = {
		{ CE_BLACKWELL_B, -1, NULL }, { CE_BLACKWELL_A, -1, NULL },
		{ CE_HOPPER_A, -1, NULL }, { CE_AMPERE_B, -1, NULL },
		{ CE_AMPERE_A, -1, NULL }, { CE_TURING_A, -1, NULL },
		{ CE_VOLTA_A, -1, NULL }, { CE_PASCAL_B, -1, NULL },
		{ CE_PASCAL_A, -1, NULL }, { CE_MAXWELL_A, -1, NULL },
		{ CE_KEPLER_A, -1, NULL }, { 0, 0, NULL }
	};
	int ret, idx;

	if (nv.chipset < 0xc0) {
		/* libdrm's abi16 channel: these handles name the ctxdmas,
		 * both covering the VM on Tesla (nouveau_chan.c). */
		struct nv04_fifo f = { .vram = 0xbeef0201, .gart = 0xbeef0202 };

		ret = nouveau_object_new(&nv.dev->object, 0,
					 NOUVEAU_FIFO_CHANNEL_CLASS, &f,
					 sizeof(f), &nv.chan);
		nv.ctxdma = f.vram;
	} else if (nv.chipset < 0xe0) {
		struct nvc0_fifo f = {};

		ret = nouveau_object_new(&nv.dev->object, 0,
					 NOUVEAU_FIFO_CHANNEL_CLASS, &f,
					 sizeof(f), &nv.chan);
	} else {
		/* A channel on the CE runlist, as IGT's init_ce(). */
		struct nve0_fifo f = {
			.engine = NVE0_FIFO_ENGINE_CE0 | NVE0_FIFO_ENGINE_CE1,
		};

		ret = nouveau_object_new(&nv.dev->object, 0,
					 NOUVEAU_FIFO_CHANNEL_CLASS, &f,
					 sizeof(f), &nv.chan);
	}
	igt_assert_f(ret == 0, "channel creation: %s\n", strerror(-ret));
	igt_assert_eq(nouveau_pushbuf_new(nv.client, nv.chan, 4, PUSH_SIZE, 1,
					  &nv.push), 0);

	if (nv.chipset >= 0xe0) {
		idx = nouveau_object_mclass(nv.chan, ce_classes);
		igt_assert_f(idx >= 0, "no copy engine class on chipset %#x\n",
			     nv.chipset);
		nv.ce_class = ce_classes[idx].oclass;
		igt_assert_eq(nouveau_object_new(nv.chan, nv.ce_class,
						 nv.ce_class, NULL, 0, &nv.ce),
			      0);
		/* Bind it to its subchannel, as nve0_bo_move_init(). */
		begin_batch(2, NULL, NULL, 0);
		out(hdr(SUBC_CE, NVA0B5_SET_OBJECT, 1));
		out(nv.ce_class);
		end_batch();
	}
}

static void init(void)
{
	struct nv_device_v0 args = { .device = ~0ULL };
	char buf[4096], *nl;
	int dir;

	nv.fd = open_nouveau();
	igt_require_f(nv.fd >= 0, "no nouveau device\n");
	igt_assert_eq(nouveau_drm_new(nv.fd, &nv.drm), 0);
	igt_require_f(nv.drm->nvif, "libdrm_nouveau without NVIF\n");
	igt_assert_eq(nouveau_device_new(&nv.drm->client, NV_DEVICE, &args,
					 sizeof(args), &nv.dev), 0);
	igt_assert_eq(nouveau_client_new(nv.dev, &nv.client), 0);
	nv.chipset = nv.dev->chipset;
	nv.vram_size = nv.dev->vram_size;
	nv.gart_size = nv.dev->gart_size;

	nv.sem = nv.chipset >= 0x140 ? SEM_C36F :
		 nv.chipset >= 0xc0 ? SEM_906F :
		 nv.chipset >= 0x84 ? SEM_826F : SEM_NONE;
	nv.span = nv.sem == SEM_826F ? 16 : 4;

	seed_state = random();
	igt_info("nouveau %s: chipset %#x, VRAM %" PRIu64 " MiB, GART %" PRIu64
		 " MiB, semaphores %s, copy engine %s; pattern seed %u\n",
		 nv.path, nv.chipset, nv.vram_size / MIB, nv.gart_size / MIB,
		 sem_names[nv.sem], nv.chipset >= 0xe0 ? "yes" : "no",
		 seed_state);

	/* Pool backend: first line "backend: NAME (reason)", if exposed. */
	strcpy(nv.backend, "unknown");
	dir = igt_debugfs_dir(nv.fd);
	if (dir >= 0 &&
	    igt_debugfs_simple_read(dir, "ttm_page_pool", buf, sizeof(buf)) > 0 &&
	    !strncmp(buf, "backend: ", 9)) {
		nl = strchr(buf, '\n');
		if (nl)
			*nl = '\0';
		igt_info("ttm_page_pool: %s\n", buf);
		sscanf(buf + 9, "%63s", nv.backend);
	} else {
		igt_info("no dri/N/ttm_page_pool (nouveau has it from the "
			 "series' patch 34 on): the backend is in the kernel "
			 "log (dmesg, with debug on)\n");
	}
	if (dir >= 0)
		close(dir);
	if (root_read("ttm/page_pool_backends", buf, sizeof(buf)))
		igt_info("ttm/page_pool_backends:\n%s", buf);
	if (root_write("swiotlb/io_tlb_used_hiwater", "0"))
		igt_info("swiotlb high water reset\n");

	if (nv.sem != SEM_NONE)
		init_channel();
}

static void require_sem(void)
{
	igt_require_f(nv.sem != SEM_NONE, "chipset %#x: no channel semaphore "
		      "release (NV50 or older)\n", nv.chipset);
}

static void require_ce(void)
{
	require_sem();
	igt_require_f(has_ce(), "chipset %#x: no copy engine used before "
		      "Kepler (0xe0)\n", nv.chipset);
}

/* ---- subtests ---- */

/* Base pattern + slots written by the GPU over bo; checks, returns. */
static void release_round(struct nouveau_bo *bo, struct slots *s,
			  uint32_t base, bool first, const char *what)
{
	struct expect e = { .seed = base, .old_seed = base, .old_known = true,
			    .s = s };

	slots_values(s, new_seed(), base, first);
	gpu_release(bo, s);
	cpu_prep(bo, false);
	check(bo->map, bo->size, &e, what);
}

static void test_gpu_write_cpu_read(void)
{
	struct nouveau_bo *bo;
	struct slots s;
	uint32_t p1 = new_seed(), p2 = new_seed();

	require_sem();
	bo = bo_new(NOUVEAU_BO_GART, OBJ_SIZE, true);
	slots_init(&s, bo->size, 2, nv.span, new_seed());
	igt_info("%" PRIu64 " releases per round over %" PRIu64 " MiB\n",
		 s.n, bo->size / MIB);

	cpu_fill(bo, p1);
	release_round(bo, &s, p1, true, "round 1 (after CPU_FINI)");
	/* No CPU_FINI: GEM_PUSHBUF's validation must hand the pages back. */
	release_round(bo, &s, p1, false, "round 2 (handed back by validation)");
	/* The CPU rewrites everything: unwritten dwords must not be p1. */
	cpu_fill(bo, p2);
	release_round(bo, &s, p2, true, "round 3 (after a CPU rewrite)");

	slots_free(&s);
	bo_del(&bo);
}

static void test_cpu_write_gpu_read(void)
{
	struct nouveau_bo *a, *b, *c, *v;
	uint32_t pa = new_seed(), pb = new_seed(), pa2 = new_seed();
	uint32_t pc = new_seed();
	/* Windows starting and ending mid-page, across 2 MiB boundaries. */
	struct window w[] = {
		{ 2 * MIB - 3 * GPU_PAGE + 20, 5 * GPU_PAGE + 12,
		  2 * MIB + 3 * GPU_PAGE + 44, pa2 },
		{ 33 * MIB - 8, 17 * MIB + 100, 6 * MIB + 4, pa2 },
		{ OBJ_SIZE - GPU_PAGE - 12, 0, GPU_PAGE + 12, pa2 },
	};
	struct expect e = { .seed = pa, .old_seed = pb, .old_known = true };
	unsigned int k;

	require_ce();
	a = bo_new(NOUVEAU_BO_GART, OBJ_SIZE, true);
	b = bo_new(NOUVEAU_BO_GART, OBJ_SIZE, true);
	cpu_fill(a, pa);
	cpu_fill(b, pb);

	ce_copy(b, 0, a, 0, OBJ_SIZE);
	cpu_prep(b, false);
	check(b->map, b->size, &e, "GART->GART copy of all 64 MiB");
	e = (struct expect){ .seed = pa, .old_known = false };
	cpu_prep(a, false);
	check(a->map, a->size, &e, "source after the copy");

	/* The CPU rewrites the source; windows of it go into b. */
	cpu_fini(a);
	cpu_fini(b);
	cpu_fill(a, pa2);
	for (k = 0; k < ARRAY_SIZE(w); k++)
		ce_copy(b, w[k].dst, a, w[k].src, w[k].len);
	cpu_prep(b, false);
	e = (struct expect){ .seed = pa, .old_seed = pa, .old_known = true,
			     .w = w, .nw = ARRAY_SIZE(w), .w_old_seed = pa };
	check(b->map, b->size, &e, "windows copied after a CPU rewrite");
	cpu_fini(b);

	if (nv.vram_size < 4 * OBJ_SIZE) {
		igt_info("VRAM %" PRIu64 " MiB: GART->VRAM->GART part skipped\n",
			 nv.vram_size / MIB);
	} else {
		v = bo_new(NOUVEAU_BO_VRAM, OBJ_SIZE, false);
		c = bo_new(NOUVEAU_BO_GART, OBJ_SIZE, true);
		cpu_fill(c, pc);
		ce_copy(v, 0, a, 0, OBJ_SIZE);
		ce_copy(c, 0, v, 0, OBJ_SIZE);
		cpu_prep(c, false);
		e = (struct expect){ .seed = pa2, .old_seed = pc,
				     .old_known = true };
		check(c->map, c->size, &e, "GART->VRAM->GART copy");
		bo_del(&c);
		bo_del(&v);
	}
	bo_del(&a);
	bo_del(&b);
}

static void test_fresh_zero(void)
{
	struct nouveau_bo *old, *f, *d;
	struct slots s;
	struct expect e;
	int i;

	require_sem();
	/* Leave data in pages the pool recycles. */
	for (i = 0; i < 2; i++) {
		old = bo_new(NOUVEAU_BO_GART, OBJ_SIZE, true);
		cpu_fill(old, new_seed());
		slots_init(&s, GPU_PAGE, 1, nv.span, new_seed());
		slots_values(&s, new_seed(), 0, true);
		gpu_release(old, &s);		/* bound and used by the GPU */
		cpu_prep(old, false);
		slots_free(&s);
		bo_del(&old);
	}

	f = bo_new(NOUVEAU_BO_GART, OBJ_SIZE, false);
	if (has_ce()) {
		uint32_t pd = new_seed();

		d = bo_new(NOUVEAU_BO_GART, OBJ_SIZE, true);
		cpu_fill(d, pd);
		ce_copy(d, 0, f, 0, OBJ_SIZE);
		cpu_prep(d, false);
		e = (struct expect){ .seed = 0, .old_seed = pd,
				     .old_known = true };
		check(d->map, d->size, &e, "GPU copy of a fresh object");
		bo_del(&d);
	} else {
		igt_info("no copy engine: the GPU side is one release per "
			 "page into the fresh object\n");
		slots_init(&s, OBJ_SIZE, 1, nv.span, new_seed());
		slots_values(&s, new_seed(), 0, true);
		gpu_release(f, &s);
	}
	igt_assert_eq(nouveau_bo_map(f, NOUVEAU_BO_RDWR, nv.client), 0);
	cpu_prep(f, false);
	e = (struct expect){ .seed = 0, .old_known = false,
			     .s = has_ce() ? NULL : &s };
	check(f->map, f->size, &e, "CPU read of a fresh object");
	if (!has_ce())
		slots_free(&s);
	bo_del(&f);
}

static void test_large_gart(void)
{
	struct nouveau_bo *bo[4];
	struct slots s[4];
	uint32_t seed[4];
	uint64_t used0 = 0, used1 = 0, hw = 0, nslabs = 0;
	bool have_swiotlb;
	int i;

	require_sem();
	igt_require_f(nv.gart_size >= 5 * OBJ_SIZE, "GART %" PRIu64 " MiB < "
		      "320 MiB\n", nv.gart_size / MIB);
	igt_require_f(mem_available() >= 8 * OBJ_SIZE, "MemAvailable < 512 "
		      "MiB\n");

	have_swiotlb = root_u64("swiotlb/io_tlb_used", &used0);
	root_write("swiotlb/io_tlb_used_hiwater", "0");

	for (i = 0; i < 4; i++) {
		bo[i] = bo_new(NOUVEAU_BO_GART, OBJ_SIZE, true);
		seed[i] = new_seed();
		cpu_fill(bo[i], seed[i]);
		slots_init(&s[i], OBJ_SIZE, 1, nv.span, new_seed());
		slots_values(&s[i], new_seed(), seed[i], true);
	}
	/* All four bound at once, written by the GPU, then checked. */
	for (i = 0; i < 4; i++)
		gpu_release(bo[i], &s[i]);
	if (has_ce())	/* plus a copy across objects: 0 -> 3 */
		ce_copy(bo[3], 0, bo[0], 0, 8 * MIB);
	for (i = 0; i < 4; i++) {
		struct window w = { 0, 0, 8 * MIB, seed[0] };
		struct expect e = { .seed = seed[i], .old_seed = seed[i],
				    .old_known = true, .s = &s[i] };
		struct slots m = s[3];
		uint64_t k, n0 = 0, n3 = 0;

		cpu_prep(bo[i], false);
		if (i == 3 && has_ce()) {
			/*
			 * The copy (after all releases, same channel) made
			 * bo[3]'s first 8 MiB bo[0]'s, releases included:
			 * bo[0]'s slots there, bo[3]'s own beyond.
			 */
			while (n0 < s[0].n && s[0].off[n0] < 8 * MIB)
				n0++;
			while (n3 < s[3].n && s[3].off[n3] < 8 * MIB)
				n3++;
			m.n = n0 + s[3].n - n3;
			m.off = calloc(m.n, sizeof(*m.off));
			m.val = calloc(m.n, sizeof(*m.val));
			m.old = calloc(m.n, sizeof(*m.old));
			igt_assert(m.off && m.val && m.old);
			for (k = 0; k < m.n; k++) {
				const struct slots *from = k < n0 ? &s[0] : &s[3];
				uint64_t j = k < n0 ? k : k - n0 + n3;

				m.off[k] = from->off[j];
				m.val[k] = from->val[j];
				m.old[k] = from->old[j];
			}
			e.s = &m;
			e.w = &w;
			e.nw = 1;
			e.w_old_seed = seed[3];
		}
		check(bo[i]->map, OBJ_SIZE, &e, "large-gart object");
		if (e.s == &m)
			slots_free(&m);
	}

	if (have_swiotlb) {
		root_u64("swiotlb/io_tlb_used_hiwater", &hw);
		root_u64("swiotlb/io_tlb_nslabs", &nslabs);
	}
	for (i = 0; i < 4; i++) {
		slots_free(&s[i]);
		bo_del(&bo[i]);
	}
	if (!have_swiotlb) {
		igt_info("no debugfs swiotlb/: swiotlb use not checked\n");
		return;
	}
	root_u64("swiotlb/io_tlb_used", &used1);
	igt_info("swiotlb: before=%" PRIu64 " hiwater=%" PRIu64 " after=%"
		 PRIu64 " nslabs=%" PRIu64 " backend=%s\n", used0, hw, used1,
		 nslabs, nv.backend);
	if (!strcmp(nv.backend, "dma-pages"))
		igt_assert_f(hw == 0, "dma-pages backend, but swiotlb high "
			     "water %" PRIu64 " slots: TT memory bounced\n", hw);
	else if (hw)
		igt_info("case: mappings bounced (backend %s; 256 MiB of GART "
			 "used %" PRIu64 " swiotlb slots at peak)\n",
			 nv.backend, hw);
	else
		igt_info("case: nothing bounced (backend %s; 0 also when the "
			 "kernel was booted without swiotlb=...,track_hiwater)\n",
			 nv.backend);
	igt_assert_f(used1 <= used0, "swiotlb slots leaked: %" PRIu64
		     " in use before, %" PRIu64 " after freeing\n", used0, used1);
}

static long tt_shrink(void)
{
	char buf[64];
	long pages = 0, ret = 0;
	int reads;

	for (reads = 0; reads < 1024; reads++) {
		igt_assert(root_read("ttm/tt_shrink", buf, sizeof(buf)));
		ret = strtol(buf, NULL, 10);
		if (ret <= 0)
			break;
		pages += ret;
	}
	igt_info("tt_shrink: %ld pages in %d reads (last %ld)\n", pages,
		 reads + 1, ret);
	return pages;
}

static void test_swap(void)
{
	struct nouveau_bo *bo;
	struct slots s;
	struct expect e;
	uint32_t p = new_seed();
	char buf[256];

	require_sem();
	igt_require_f(igt_debugfs_mount(), "no debugfs\n");
	snprintf(buf, sizeof(buf), "%s/ttm/tt_shrink", igt_debugfs_mount());
	igt_require_f(access(buf, R_OK) == 0, "no debugfs ttm/tt_shrink\n");

	bo = bo_new(NOUVEAU_BO_GART, OBJ_SIZE, true);
	slots_init(&s, bo->size, 2, nv.span, new_seed());
	cpu_fill(bo, p);
	slots_values(&s, new_seed(), p, true);
	gpu_release(bo, &s);
	cpu_prep(bo, false);
	cpu_fini(bo);

	/* Swapped out; the GPU touches it first (swap-in, validation). */
	igt_require_f(tt_shrink() > 0, "tt_shrink swapped nothing out\n");
	slots_values(&s, new_seed(), p, false);
	gpu_release(bo, &s);
	cpu_prep(bo, false);
	e = (struct expect){ .seed = p, .old_seed = p, .old_known = true,
			     .s = &s };
	check(bo->map, bo->size, &e, "after swap-out, GPU first");
	cpu_fini(bo);

	/* Swapped out again; the CPU touches it first (fault, swap-in). */
	tt_shrink();
	cpu_prep(bo, false);
	check(bo->map, bo->size, &e, "after swap-out, CPU first");
	cpu_fini(bo);

	slots_free(&s);
	bo_del(&bo);
}

static void wait_dmabuf(int dmabuf)
{
	struct pollfd pfd = { .fd = dmabuf, .events = POLLIN | POLLOUT };
	int ret;

	ret = poll(&pfd, 1, 30000);
	igt_assert_f(ret == 1, "dma-buf fences not signalled within 30 s\n");
}

static void test_dmabuf_cpu_access(void)
{
	struct nouveau_bo *x, *y;
	struct slots s;
	struct expect e;
	uint32_t p = new_seed(), py = new_seed();
	uint32_t *map;
	int dmabuf = -1;

	require_sem();
	x = bo_new(NOUVEAU_BO_GART, OBJ_SIZE, false);
	/* libdrm's export (marks the object shared); the mapping needs a
	 * writable dma-buf (DRM_RDWR), as IGT's prime tests. */
	igt_assert_eq(nouveau_bo_set_prime(x, &dmabuf), 0);
	igt_assert_lte(0, dmabuf);
	close(dmabuf);
	dmabuf = prime_handle_to_fd_for_mmap(nv.fd, x->handle);
	igt_assert_f(dmabuf >= 0, "PRIME export with DRM_RDWR: %s\n",
		     strerror(errno));
	map = mmap(NULL, OBJ_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf,
		   0);
	igt_assert(map != MAP_FAILED);

	prime_sync_start(dmabuf, true);
	fill(map, OBJ_SIZE, p);
	prime_sync_end(dmabuf, true);

	if (has_ce()) {
		y = bo_new(NOUVEAU_BO_GART, OBJ_SIZE, true);
		cpu_fill(y, py);
		ce_copy(y, 0, x, 0, OBJ_SIZE);
		cpu_prep(y, false);
		e = (struct expect){ .seed = p, .old_seed = py,
				     .old_known = true };
		check(y->map, y->size, &e, "copy of dma-buf CPU writes");
		bo_del(&y);
	} else {
		igt_info("no copy engine: CPU -> GPU direction not checked\n");
	}

	slots_init(&s, OBJ_SIZE, 2, nv.span, new_seed());
	slots_values(&s, new_seed(), p, true);
	gpu_release(x, &s);
	wait_dmabuf(dmabuf);	/* bounded; SYNC itself waits forever */
	prime_sync_start(dmabuf, false);
	e = (struct expect){ .seed = p, .old_seed = p, .old_known = true,
			     .s = &s };
	check(map, OBJ_SIZE, &e, "GPU writes read through the dma-buf");
	prime_sync_end(dmabuf, false);

	slots_free(&s);
	munmap(map, OBJ_SIZE);
	close(dmabuf);
	bo_del(&x);
}

/* ---- VM_BIND / EXEC ---- */

struct ubo {
	uint32_t handle;
	uint64_t size, va;
	uint32_t *map;
};

static void ubo_new(int fd, struct ubo *b, uint64_t size, uint64_t va)
{
	struct drm_nouveau_gem_new req = {};
	struct drm_nouveau_vm_bind_op op = {};
	struct drm_nouveau_vm_bind bind = {};

	req.info.size = size;
	req.info.domain = NOUVEAU_GEM_DOMAIN_GART | NOUVEAU_GEM_DOMAIN_MAPPABLE;
	req.align = 0x10000;
	do_ioctl(fd, DRM_IOCTL_NOUVEAU_GEM_NEW, &req);
	b->handle = req.info.handle;
	b->size = size;
	b->va = va;

	op.op = DRM_NOUVEAU_VM_BIND_OP_MAP;
	op.handle = b->handle;
	op.addr = va;
	op.range = size;
	bind.op_count = 1;
	bind.op_ptr = (uintptr_t)&op;
	do_ioctl(fd, DRM_IOCTL_NOUVEAU_VM_BIND, &bind);

	b->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      req.info.map_handle);
	igt_assert(b->map != MAP_FAILED);
}

static void ubo_del(int fd, struct ubo *b)
{
	struct drm_nouveau_vm_bind_op op = {
		.op = DRM_NOUVEAU_VM_BIND_OP_UNMAP, .addr = b->va,
		.range = b->size,
	};
	struct drm_nouveau_vm_bind bind = {
		.op_count = 1, .op_ptr = (uintptr_t)&op,
	};

	munmap(b->map, b->size);
	do_ioctl(fd, DRM_IOCTL_NOUVEAU_VM_BIND, &bind);
	gem_close(fd, b->handle);
}

/* Releases through EXEC: pushes of at most 64 KiB, then a syncobj wait. */
static void exec_release(int fd, int chid, struct ubo *pb, struct ubo *data,
			 const struct slots *s, uint64_t push_max)
{
	struct drm_nouveau_exec_push push[64];
	struct drm_nouveau_sync sig = { .flags = DRM_NOUVEAU_SYNC_SYNCOBJ };
	struct drm_nouveau_exec ex = {};
	uint32_t *p, *start, syncobj;
	uint64_t i = 0, npush = 0, per = (64 * 1024 - 64) / 24;
	struct timespec ts;
	int64_t deadline;
	int ret;

	cpu_prep_handle(fd, pb->handle, true);
	p = pb->map;
	while (i < s->n) {
		start = p;
		for (uint64_t k = 0; k < per && i < s->n; k++, i++)
			p = emit_release(p, data->va + s->off[i], s->val[i]);
		p = emit_batch_end(p);
		igt_assert(npush < ARRAY_SIZE(push));
		push[npush].va = pb->va + (start - pb->map) * 4;
		push[npush].va_len = (p - start) * 4;
		push[npush].flags = 0;
		npush++;
		igt_assert((uint64_t)(p - pb->map) * 4 + 64 * 1024 <= pb->size);
	}
	cpu_fini_handle(fd, pb->handle);	/* EXEC does not validate */

	igt_assert_eq(drmSyncobjCreate(fd, 0, &syncobj), 0);
	sig.handle = syncobj;
	for (i = 0; i < npush; i += ex.push_count) {
		ex = (struct drm_nouveau_exec){ .channel = chid };
		ex.push_count = npush - i < push_max ? npush - i : push_max;
		ex.push_ptr = (uintptr_t)&push[i];
		if (i + ex.push_count == npush) {
			ex.sig_count = 1;
			ex.sig_ptr = (uintptr_t)&sig;
		}
		do_ioctl(fd, DRM_IOCTL_NOUVEAU_EXEC, &ex);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = ts.tv_sec * 1000000000ll + ts.tv_nsec + 30000000000ll;
	ret = drmSyncobjWait(fd, &syncobj, 1, deadline,
			     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL);
	igt_assert_f(ret == 0, "EXEC did not finish within 30 s: %s\n",
		     strerror(-ret));
	drmSyncobjDestroy(fd, syncobj);
}

static void test_vm_bind(void)
{
	/* Kernel-managed VA region and our VAs: all below 2^40 (Fermi). */
	struct drm_nouveau_vm_init vi = {
		.kernel_managed_addr = (1ull << 39) - (1ull << 32),
		.kernel_managed_size = 1ull << 32,
	};
	struct drm_nouveau_channel_alloc ca = {};
	struct drm_nouveau_channel_free cf = {};
	struct drm_nouveau_getparam gp = {
		.param = NOUVEAU_GETPARAM_EXEC_PUSH_MAX,
	};
	struct ubo data, pb;
	struct slots s;
	struct expect e;
	uint32_t p1 = new_seed(), p2 = new_seed();
	int fd, ret;

	igt_require_f(nv.chipset >= 0xc0, "chipset %#x: vm-bind needs Fermi "
		      "or newer (semaphores without a ctxdma)\n", nv.chipset);
	/* VM_INIT must come before any object on the file: a new one. */
	fd = open(nv.path, O_RDWR | O_CLOEXEC);
	igt_require_f(fd >= 0, "cannot reopen %s\n", nv.path);
	ret = igt_ioctl(fd, DRM_IOCTL_NOUVEAU_VM_INIT, &vi) ? -errno : 0;
	if (ret) {
		close(fd);
		igt_skip("VM_INIT: %s (no VM_BIND on this kernel or GPU)\n",
			 strerror(-ret));
	}
	if (nv.chipset >= 0xe0) {	/* the CE runlist, as above */
		ca.fb_ctxdma_handle = ~0u;
		ca.tt_ctxdma_handle = NOUVEAU_FIFO_ENGINE_CE;
	}
	do_ioctl(fd, DRM_IOCTL_NOUVEAU_CHANNEL_ALLOC, &ca);
	do_ioctl(fd, DRM_IOCTL_NOUVEAU_GETPARAM, &gp);
	igt_assert(gp.value > 0);

	ubo_new(fd, &data, OBJ_SIZE, 1ull << 32);
	ubo_new(fd, &pb, 2 * MIB, (1ull << 32) + 2 * OBJ_SIZE);
	slots_init(&s, OBJ_SIZE, 1, nv.span, new_seed());

	cpu_prep_handle(fd, data.handle, true);
	fill(data.map, OBJ_SIZE, p1);
	cpu_fini_handle(fd, data.handle);
	slots_values(&s, new_seed(), p1, true);
	exec_release(fd, ca.channel, &pb, &data, &s, gp.value);
	cpu_prep_handle(fd, data.handle, false);
	e = (struct expect){ .seed = p1, .old_seed = p1, .old_known = true,
			     .s = &s };
	check(data.map, OBJ_SIZE, &e, "EXEC round 1");

	/* The CPU rewrites it all; CPU_FINI before EXEC, which does not
	 * revalidate (so would not hand the pages back). */
	cpu_prep_handle(fd, data.handle, true);
	fill(data.map, OBJ_SIZE, p2);
	cpu_fini_handle(fd, data.handle);
	slots_values(&s, new_seed(), p2, true);
	exec_release(fd, ca.channel, &pb, &data, &s, gp.value);
	cpu_prep_handle(fd, data.handle, false);
	e.seed = e.old_seed = p2;
	check(data.map, OBJ_SIZE, &e, "EXEC round 2 (after a CPU rewrite)");
	cpu_fini_handle(fd, data.handle);

	slots_free(&s);
	ubo_del(fd, &pb);
	ubo_del(fd, &data);
	cf.channel = ca.channel;
	do_ioctl(fd, DRM_IOCTL_NOUVEAU_CHANNEL_FREE, &cf);
	close(fd);
}

int igt_main()
{
	igt_fixture()
		init();

	igt_describe("Semaphore releases of distinct values at two offsets "
		     "in every 4 KiB page of a 64 MiB GART object, three "
		     "rounds; the CPU checks every dword after CPU_PREP.");
	igt_subtest("gpu-write-cpu-read")
		test_gpu_write_cpu_read();

	igt_describe("Kepler+: the copy engine copies CPU-written GART "
		     "objects (whole, windows at odd offsets, through VRAM); "
		     "the CPU checks every dword of the destination.");
	igt_subtest("cpu-write-gpu-read")
		test_cpu_write_gpu_read();

	igt_describe("A new GART object reads as zero for the GPU and the "
		     "CPU, after others were written and freed.");
	igt_subtest("fresh-allocation-reads-zero")
		test_fresh_zero();

	igt_describe("256 MiB of GART objects alive at once, all written and "
		     "checked; no swiotlb use with dma-pages, no slot leak.");
	igt_subtest("large-gart")
		test_large_gart();

	igt_describe("A GPU-written object swapped out by ttm/tt_shrink comes "
		     "back intact for the GPU and the CPU.");
	igt_subtest("swap")
		test_swap();

	igt_describe("CPU access to an exported dma-buf, bracketed by "
		     "DMA_BUF_IOCTL_SYNC, sees GPU writes and is seen by the "
		     "copy engine.");
	igt_subtest("dmabuf-cpu-access")
		test_dmabuf_cpu_access();

	igt_describe("gpu-write-cpu-read through VM_INIT, VM_BIND and EXEC, "
		     "with CPU_FINI before every EXEC.");
	igt_subtest("vm-bind")
		test_vm_bind();

	igt_fixture() {
		nouveau_pushbuf_del(&nv.push);
		nouveau_object_del(&nv.ce);
		nouveau_object_del(&nv.chan);
		nouveau_client_del(&nv.client);
		nouveau_device_del(&nv.dev);
		nouveau_drm_del(&nv.drm);
		drm_close_driver(nv.fd);
	}
}
