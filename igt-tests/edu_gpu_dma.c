// SPDX-License-Identifier: MIT
/*
 * edu_gpu_dma: CPU/device coherency of TTM-managed memory, tested through
 * edu_gpu, a DRM/TTM driver for QEMU's edu PCI device whose only engine
 * copies bytes between buffer objects with DMA (RAM -> device -> RAM).
 *
 * Every check compares data: the CPU writes a pattern through a mapping,
 * the device copies it, the CPU reads the copy back. Patterns differ per
 * byte offset, per object and per run, and have no zero bytes, so that
 * stale cache lines, stale or never-written bounce buffers and pages that
 * were lost on the way (eviction, swap-out) show up as mismatches.
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
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "igt.h"
#include "edu_gpu_drm.h"

IGT_TEST_DESCRIPTION("Check that data written by the CPU reaches the device "
		     "and data written by the device reaches the CPU, for "
		     "every caching mode, under bounce buffering, through "
		     "dma-buf and across eviction and swap-out.");

#define EDU_TEST_MIB		((uint64_t)1 << 20)
/*
 * WAIT timeout, generous: 4 MiB take ~200 s of the device's (virtual)
 * time, 200 ms per transfer of 4095 bytes. A hung copy gives -EIO first.
 */
#define EDU_TEST_WAIT_NS	(3600ll * 1000 * 1000 * 1000)
#define EDU_TEST_SWIOTLB	"/sys/kernel/debug/swiotlb"
#define EDU_TEST_SLOT_SIZE	((uint64_t)2048)	/* IO_TLB_SIZE */
#define EDU_TEST_TT_SHRINK	"/sys/kernel/debug/ttm/tt_shrink"

static const struct edu_mode {
	const char *name;
	uint32_t caching;
} edu_modes[] = {
	{ "cached", EDU_GPU_CACHING_CACHED },
	{ "wc", EDU_GPU_CACHING_WC },
	{ "uc", EDU_GPU_CACHING_UC },
};

/* Each subtest below runs once for every CPU caching mode. */
#define for_each_edu_mode(m) \
	for ((m) = edu_modes; (m) < edu_modes + ARRAY_SIZE(edu_modes); (m)++)

static uint64_t edu_page_size;
static uint32_t edu_seed_state;

struct edu_bo {
	uint32_t handle;
	uint64_t size;		/* as rounded by CREATE */
	uint8_t *map;		/* GEM mmap, or NULL */
};

/* Byte i of a range holds byte off + i of the pattern with this seed. */
struct edu_pat {
	uint32_t seed;		/* 0: unknown */
	uint64_t off;
};

/*
 * Patterns: every byte non-zero, different per offset, object and run.
 * Byte o of the pattern is byte o % 8 (little-endian) of qword o / 8.
 */

static uint64_t edu_pattern_qword(uint32_t seed, uint64_t q)
{
	uint64_t x = (q ^ (uint64_t)seed << 40) * 0x9e3779b97f4a7c15ull;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	return x | 0x0101010101010101ull;
}

static uint8_t edu_pattern_byte(struct edu_pat pat, uint64_t i)
{
	uint64_t o = pat.off + i;

	return edu_pattern_qword(pat.seed, o / 8) >> (8 * (o % 8));
}

static struct edu_pat edu_new_pat(void)
{
	uint32_t s;

	do {
		s = edu_pattern_qword(0x5eed, ++edu_seed_state);
	} while (!s);
	return (struct edu_pat){ .seed = s };
}

static struct edu_pat edu_pat_at(struct edu_pat pat, uint64_t off)
{
	pat.off += off;
	return pat;
}

/*
 * CPU access to mappings: aligned 8-byte or 1-byte volatile accesses only,
 * as uncached mappings on arm64 are Device memory (no unaligned accesses,
 * no DC ZVA from an optimised memset/memcpy). The 8-byte path needs the
 * mapping offset and the pattern offset to be equally aligned.
 */
static void edu_fill(uint8_t *map, uint64_t off, uint64_t len,
		     struct edu_pat pat)
{
	volatile uint8_t *p = map + off;
	uint64_t i = 0;

	for (; i < len && ((off + i) % 8 || (pat.off + i) % 8); i++)
		p[i] = edu_pattern_byte(pat, i);
	for (; i + 8 <= len; i += 8)
		*(volatile uint64_t *)(p + i) =
			htole64(edu_pattern_qword(pat.seed, (pat.off + i) / 8));
	for (; i < len; i++)
		p[i] = edu_pattern_byte(pat, i);
}

static bool edu_matches(const uint8_t *map, uint64_t off, uint64_t len,
			struct edu_pat pat)
{
	const volatile uint8_t *p = map + off;
	uint64_t i = 0;

	for (; i < len && ((off + i) % 8 || (pat.off + i) % 8); i++)
		if (p[i] != edu_pattern_byte(pat, i))
			return false;
	for (; i + 8 <= len; i += 8)
		if (*(const volatile uint64_t *)(p + i) !=
		    htole64(edu_pattern_qword(pat.seed, (pat.off + i) / 8)))
			return false;
	for (; i < len; i++)
		if (p[i] != edu_pattern_byte(pat, i))
			return false;
	return true;
}

/*
 * Check that map[off, off + len) holds @want; @old (if known) is what the
 * range held before, to tell stale data from garbage in the report.
 */
static void edu_check(const uint8_t *map, uint64_t off, uint64_t len,
		      struct edu_pat want, struct edu_pat old, const char *what)
{
	const volatile uint8_t *p = map + off;
	uint64_t i, bad = 0, pages = 0, first = 0, last_page = UINT64_MAX;
	uint8_t exp = 0, got = 0, b;
	const char *kind;

	if (edu_matches(map, off, len, want))
		return;

	/* Slow path: one pass, byte by byte, for the report. */
	for (i = 0; i < len; i++) {
		b = p[i];
		if (b == edu_pattern_byte(want, i))
			continue;
		if (!bad++) {
			first = i;
			exp = edu_pattern_byte(want, i);
			got = b;
		}
		if ((off + i) / edu_page_size != last_page) {
			last_page = (off + i) / edu_page_size;
			pages++;
		}
	}

	if (old.seed && got == edu_pattern_byte(old, first))
		kind = "the previous content: stale data";
	else if (!got)
		kind = "zero";
	else
		kind = "neither the new nor the previous content";
	for (i = first & ~15ull; i <= (first | 15) && i < len; i++)
		igt_info("  %#" PRIx64 ": expected %02x got %02x%s\n", off + i,
			 edu_pattern_byte(want, i), p[i],
			 i == first ? "  <- first mismatch" : "");
	igt_assert_f(bad == 0,
		     "%s: %" PRIu64 " of %" PRIu64 " bytes wrong in %" PRIu64
		     " page(s) of [%#" PRIx64 ", %#" PRIx64 "); first at offset %#"
		     PRIx64 ": expected 0x%02x, got 0x%02x (%s)\n",
		     what, bad, len, pages, off, off + len, off + first, exp, got,
		     kind);
}

static struct edu_pat edu_unknown(void)
{
	return (struct edu_pat){ .seed = 0 };
}

/* ioctl wrappers: __edu_*() return 0 or -errno, edu_*() assert success */

static int __edu_create(int fd, uint64_t size, uint32_t placement,
			uint32_t caching, uint32_t flags, uint32_t *handle,
			uint64_t *out_size)
{
	struct drm_edu_gpu_create arg = {
		.size = size,
		.placement = placement,
		.caching = caching,
		.flags = flags,
	};
	int err = 0;

	if (igt_ioctl(fd, DRM_IOCTL_EDU_GPU_CREATE, &arg))
		err = -errno;
	else {
		*handle = arg.handle;
		*out_size = arg.size;
	}
	errno = 0;
	return err;
}

static struct edu_bo edu_bo_create(int fd, uint64_t size, uint32_t placement,
				   uint32_t caching)
{
	struct edu_bo bo = { };
	int err;

	err = __edu_create(fd, size, placement, caching, 0, &bo.handle,
			   &bo.size);
	igt_assert_f(err == 0, "CREATE of %#" PRIx64 " bytes, placement %u, "
		     "caching %u failed: %s\n", size, placement, caching,
		     strerror(-err));
	igt_assert_neq(bo.handle, 0);
	igt_assert_f(bo.size >= size && bo.size - size < edu_page_size &&
		     bo.size % edu_page_size == 0,
		     "CREATE rounded %#" PRIx64 " to %#" PRIx64 "\n",
		     size, bo.size);
	return bo;
}

static int __edu_mmap_offset(int fd, uint32_t handle, uint32_t pad,
			     uint64_t *offset)
{
	struct drm_edu_gpu_mmap_offset arg = { .handle = handle, .pad = pad };
	int err = 0;

	if (igt_ioctl(fd, DRM_IOCTL_EDU_GPU_MMAP_OFFSET, &arg))
		err = -errno;
	else
		*offset = arg.offset;
	errno = 0;
	return err;
}

static uint8_t *edu_bo_mmap(int fd, struct edu_bo *bo)
{
	uint64_t offset = 0;
	void *ptr;

	igt_assert_eq(__edu_mmap_offset(fd, bo->handle, 0, &offset), 0);
	ptr = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   offset);
	igt_assert_f(ptr != MAP_FAILED, "mmap of handle %u (%#" PRIx64
		     " bytes at offset %#" PRIx64 ") failed: %s\n",
		     bo->handle, bo->size, offset, strerror(errno));
	bo->map = ptr;
	return ptr;
}

static struct edu_bo edu_bo_create_mapped(int fd, uint64_t size,
					  uint32_t placement, uint32_t caching)
{
	struct edu_bo bo = edu_bo_create(fd, size, placement, caching);

	edu_bo_mmap(fd, &bo);
	return bo;
}

static void edu_bo_close(int fd, struct edu_bo *bo)
{
	struct drm_gem_close arg = { .handle = bo->handle };

	if (bo->map)
		igt_assert_eq(munmap(bo->map, bo->size), 0);
	do_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &arg);
	bo->map = NULL;
	bo->handle = 0;
}

static int __edu_copy(int fd, const struct drm_edu_gpu_copy *copy)
{
	struct drm_edu_gpu_copy arg = *copy;
	int err = 0;

	if (igt_ioctl(fd, DRM_IOCTL_EDU_GPU_COPY, &arg))
		err = -errno;
	errno = 0;
	return err;
}

static void edu_copy(int fd, const struct edu_bo *src, uint64_t src_off,
		     const struct edu_bo *dst, uint64_t dst_off, uint64_t size)
{
	struct drm_edu_gpu_copy arg = {
		.src_handle = src->handle,
		.dst_handle = dst->handle,
		.src_offset = src_off,
		.dst_offset = dst_off,
		.size = size,
	};
	int err = __edu_copy(fd, &arg);

	igt_assert_f(err == 0, "COPY of %#" PRIx64 " bytes from handle %u at %#"
		     PRIx64 " to handle %u at %#" PRIx64 " failed: %s\n",
		     size, src->handle, src_off, dst->handle, dst_off,
		     strerror(-err));
}

static int __edu_wait(int fd, uint32_t handle, uint32_t flags,
		      int64_t timeout_ns)
{
	struct drm_edu_gpu_wait arg = {
		.handle = handle,
		.flags = flags,
		.timeout_ns = timeout_ns,
	};
	int err = 0;

	if (igt_ioctl(fd, DRM_IOCTL_EDU_GPU_WAIT, &arg))
		err = -errno;
	errno = 0;
	return err;
}

static void edu_wait(int fd, const struct edu_bo *bo)
{
	int err = __edu_wait(fd, bo->handle, 0, EDU_TEST_WAIT_NS);

	igt_assert_f(err == 0, "WAIT on handle %u failed: %s\n", bo->handle,
		     strerror(-err));
}

static bool edu_is_edu_gpu(int fd)
{
	char name[32] = "";
	struct drm_version v = {
		.name_len = sizeof(name) - 1,
		.name = name,
	};

	if (igt_ioctl(fd, DRM_IOCTL_VERSION, &v))
		return false;
	return v.name_len == strlen("edu_gpu") && !strcmp(name, "edu_gpu");
}

/* debugfs and procfs */

static int edu_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int f;

	f = open(path, O_RDONLY);
	if (f < 0)
		return -errno;
	n = read(f, buf, len - 1);
	close(f);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

static bool edu_read_u64(const char *path, uint64_t *val)
{
	char buf[64];

	if (edu_read_file(path, buf, sizeof(buf)) <= 0)
		return false;
	*val = strtoull(buf, NULL, 0);
	return true;
}

static int edu_write_file(const char *path, const char *str)
{
	ssize_t n;
	int f;

	f = open(path, O_WRONLY);
	if (f < 0)
		return -errno;
	n = write(f, str, strlen(str));
	close(f);
	return n == (ssize_t)strlen(str) ? 0 : n < 0 ? -errno : -EIO;
}

static uint64_t edu_mem_available(void)
{
	char buf[4096], *p;

	if (edu_read_file("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return 0;
	p = strstr(buf, "MemAvailable:");
	return p ? strtoull(p + strlen("MemAvailable:"), NULL, 10) << 10 : 0;
}

static void edu_debugfs_path(int fd, const char *file, char *path,
			     size_t len)
{
	struct stat st;

	igt_assert_eq(fstat(fd, &st), 0);
	snprintf(path, len, "/sys/kernel/debug/dri/%u/%s",
		 minor(st.st_rdev), file);
}

/*
 * Sizes: one page; 2 MiB (one huge page); 3 pages + 123 bytes (odd); and
 * 4 MiB + 5 pages, more than TTM's largest chunk (MAX_PAGE_ORDER) and than
 * one swiotlb bounce (256 KiB), so that it spans chunks of several orders.
 * Each transfer of 4095 bytes costs ~10 ms of real time in the TCG VMs.
 */
static uint64_t edu_test_sizes[4];

static void edu_init(int fd)
{
	igt_require_f(edu_is_edu_gpu(fd), "the DRM device is not edu_gpu\n");
	edu_page_size = sysconf(_SC_PAGESIZE);
	edu_seed_state = random();
	igt_debug("pattern seed %u\n", edu_seed_state);
	edu_test_sizes[0] = edu_page_size;
	edu_test_sizes[1] = 2 * EDU_TEST_MIB;
	edu_test_sizes[2] = 3 * edu_page_size + 123;
	edu_test_sizes[3] = 4 * EDU_TEST_MIB + 5 * edu_page_size;
}

/*
 * The CPU fills the source, the device copies it, the CPU reads the copy:
 * catches CPU writes the device does not see (dirty cache lines not
 * written back, a bounce buffer not updated before the device read).
 */
static void test_cpu_write_device_read(int fd, uint32_t placement,
				       uint32_t caching, unsigned int nsizes)
{
	struct edu_pat p_src, p_bg;
	struct edu_bo src, dst;
	unsigned int i;
	uint64_t size;
	char what[64];

	for (i = 0; i < nsizes; i++) {
		size = edu_test_sizes[i];
		p_src = edu_new_pat();
		p_bg = edu_new_pat();
		igt_debug("size %#" PRIx64 "\n", size);

		src = edu_bo_create_mapped(fd, size, placement, caching);
		dst = edu_bo_create_mapped(fd, size, placement, caching);
		edu_fill(dst.map, 0, dst.size, p_bg);
		edu_fill(src.map, 0, src.size, p_src);

		edu_copy(fd, &src, 0, &dst, 0, size);
		edu_wait(fd, &dst);

		snprintf(what, sizeof(what), "copy of %#" PRIx64 " bytes", size);
		edu_check(dst.map, 0, size, p_src, p_bg, what);
		edu_check(dst.map, size, dst.size - size, edu_pat_at(p_bg, size),
			  edu_pat_at(p_src, size), "destination past the copy");
		edu_check(src.map, 0, src.size, p_src, edu_unknown(),
			  "source after the device read it");

		edu_bo_close(fd, &src);
		edu_bo_close(fd, &dst);
	}
}

/*
 * The CPU reads the destination (and so may cache it), the device
 * overwrites it, the CPU reads it again: catches stale cache lines and
 * bounce buffers not copied back after the device wrote.
 */
static void test_device_write_cpu_read(int fd, uint32_t caching)
{
	struct edu_pat p_a, p_b;
	struct edu_bo a, b, dst;
	unsigned int i;
	uint64_t size;
	char what[80];

	for (i = 0; i < ARRAY_SIZE(edu_test_sizes); i++) {
		size = edu_test_sizes[i];
		p_a = edu_new_pat();
		p_b = edu_new_pat();
		igt_debug("size %#" PRIx64 "\n", size);

		a = edu_bo_create_mapped(fd, size, EDU_GPU_PLACE_TT, caching);
		b = edu_bo_create_mapped(fd, size, EDU_GPU_PLACE_TT, caching);
		dst = edu_bo_create_mapped(fd, size, EDU_GPU_PLACE_TT, caching);
		edu_fill(a.map, 0, size, p_a);
		edu_fill(b.map, 0, size, p_b);

		/* Never touched by the CPU before: only the device wrote it. */
		edu_copy(fd, &a, 0, &dst, 0, size);
		edu_wait(fd, &dst);
		snprintf(what, sizeof(what), "first device write of %#"
			 PRIx64 " bytes", size);
		edu_check(dst.map, 0, size, p_a, edu_unknown(), what);

		/* Read by the CPU just before: the read must not be stale. */
		edu_copy(fd, &b, 0, &dst, 0, size);
		edu_wait(fd, &dst);
		snprintf(what, sizeof(what), "device write of %#" PRIx64
			 " bytes after a CPU read", size);
		edu_check(dst.map, 0, size, p_b, p_a, what);

		edu_bo_close(fd, &a);
		edu_bo_close(fd, &b);
		edu_bo_close(fd, &dst);
	}
}

/*
 * Objects totalling more than twice the swiotlb pool: with bounce
 * buffering they could not all be bound at once. Every object must be
 * usable and correct, and no swiotlb slots may stay in use afterwards.
 */
static void test_swiotlb_pressure(int fd, uint32_t caching)
{
	const uint64_t obj_size = 4 * EDU_TEST_MIB, tag = 16;
	uint64_t nslabs, before, after, hiwater, used, sampled, count, i, j;
	uint64_t off[3];
	struct edu_bo *bo, scratch, check;
	struct edu_pat *pat;
	struct timespec start, now;
	char cmdline[4096] = "";
	char what[96];
	int err;

	igt_require_f(edu_read_u64(EDU_TEST_SWIOTLB "/io_tlb_nslabs", &nslabs) &&
		      edu_read_u64(EDU_TEST_SWIOTLB "/io_tlb_used", &before) &&
		      edu_read_u64(EDU_TEST_SWIOTLB "/io_tlb_used_hiwater",
				   &hiwater),
		      "no swiotlb debugfs files in " EDU_TEST_SWIOTLB "\n");
	igt_require_f(nslabs > 0, "no swiotlb pool\n");
	count = 2 * nslabs * EDU_TEST_SLOT_SIZE / obj_size + 1;
	igt_require_f(count * obj_size < edu_mem_available() / 2,
		      "%" PRIu64 " MiB of objects need more memory\n",
		      count * obj_size >> 20);
	igt_require_f(edu_write_file(EDU_TEST_SWIOTLB "/io_tlb_used_hiwater",
				     "0") == 0,
		      "cannot reset io_tlb_used_hiwater\n");
	edu_read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	igt_info("swiotlb: %" PRIu64 " slots (%" PRIu64 " MiB), %" PRIu64
		 " objects of %" PRIu64 " MiB; high water mark %s\n", nslabs,
		 nslabs * EDU_TEST_SLOT_SIZE >> 20, count, obj_size >> 20,
		 strstr(cmdline, "track_hiwater") ? "tracked" :
		 "not tracked (no swiotlb=...,track_hiwater): sampling");

	bo = calloc(count, sizeof(*bo));
	pat = calloc(count, sizeof(*pat));
	igt_assert(bo && pat);
	scratch = edu_bo_create_mapped(fd, count * tag, EDU_GPU_PLACE_TT,
				       caching);
	check = edu_bo_create_mapped(fd, 3 * edu_page_size, EDU_GPU_PLACE_TT,
				     caching);
	sampled = before;

	for (i = 0; i < count; i++) {
		err = __edu_create(fd, obj_size, EDU_GPU_PLACE_TT, caching, 0,
				   &bo[i].handle, &bo[i].size);
		edu_read_u64(EDU_TEST_SWIOTLB "/io_tlb_used", &used);
		igt_assert_f(err == 0, "CREATE of object %" PRIu64 " of %" PRIu64
			     " failed: %s (swiotlb slots in use: %" PRIu64
			     " of %" PRIu64 ")\n", i + 1, count,
			     strerror(-err), used, nslabs);
		pat[i] = edu_new_pat();
		edu_bo_mmap(fd, &bo[i]);
		edu_fill(bo[i].map, 0, obj_size, pat[i]);
		igt_assert_eq(munmap(bo[i].map, obj_size), 0);
		bo[i].map = NULL;

		/* Bind: a small copy out of every object, all kept bound. */
		edu_copy(fd, &bo[i], 0, &scratch, i * tag, tag);
		edu_read_u64(EDU_TEST_SWIOTLB "/io_tlb_used", &used);
		sampled = used > sampled ? used : sampled;
	}
	edu_wait(fd, &scratch);
	for (i = 0; i < count; i++) {
		snprintf(what, sizeof(what), "first %" PRIu64 " bytes of object %"
			 PRIu64 " after binding", tag, i);
		edu_check(scratch.map, i * tag, tag, pat[i], edu_unknown(), what);
	}

	/* The first, a middle and the last page of every object, by the device. */
	off[0] = 0;
	off[1] = obj_size / 2;
	off[2] = obj_size - edu_page_size;
	for (i = 0; i < count; i++) {
		for (j = 0; j < 3; j++)
			edu_copy(fd, &bo[i], off[j], &check, j * edu_page_size,
				 edu_page_size);
		edu_wait(fd, &check);
		edu_read_u64(EDU_TEST_SWIOTLB "/io_tlb_used", &used);
		sampled = used > sampled ? used : sampled;
		for (j = 0; j < 3; j++) {
			snprintf(what, sizeof(what), "object %" PRIu64
				 " of %" PRIu64 ", page at %#" PRIx64,
				 i, count, off[j]);
			edu_check(check.map, j * edu_page_size, edu_page_size,
				  edu_pat_at(pat[i], off[j]), i ?
				  edu_pat_at(pat[i - 1], off[j]) :
				  edu_unknown(), what);
		}
	}
	edu_read_u64(EDU_TEST_SWIOTLB "/io_tlb_used_hiwater", &hiwater);

	for (i = 0; i < count; i++)
		edu_bo_close(fd, &bo[i]);
	edu_bo_close(fd, &scratch);
	edu_bo_close(fd, &check);
	free(bo);
	free(pat);

	/* Freeing may be deferred to a worker: give it a few seconds. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		edu_read_u64(EDU_TEST_SWIOTLB "/io_tlb_used", &after);
		if (after <= before)
			break;
		usleep(50 * 1000);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < 5);

	igt_info("swiotlb: before=%" PRIu64 " peak=%" PRIu64 " after=%" PRIu64
		 " nslabs=%" PRIu64 " hiwater=%" PRIu64 " sampled=%" PRIu64 "\n",
		 before, hiwater > sampled ? hiwater : sampled, after, nslabs,
		 hiwater, sampled);
	igt_assert_f(after <= before + 64,
		     "%" PRIu64 " swiotlb slots still in use after every "
		     "object was freed (%" PRIu64 " before)\n", after, before);
}

static int edu_prime_export(int fd, uint32_t handle)
{
	struct drm_prime_handle args = {
		.handle = handle,
		.flags = DRM_CLOEXEC | DRM_RDWR,
		.fd = -1,
	};

	do_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &args);
	igt_assert_lte(0, args.fd);
	return args.fd;
}

static void edu_dmabuf_sync(int dmabuf, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	do_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync);
}

/*
 * CPU access through a dma-buf mapping, bracketed by DMA_BUF_IOCTL_SYNC as
 * importers do: writes must reach the device, device writes must be
 * visible after SYNC_START, which also waits for the copy to finish.
 */
static void test_dmabuf_cpu_access(int fd, uint32_t caching)
{
	const uint64_t sizes[] = { 3 * edu_page_size + 123, 2 * EDU_TEST_MIB };
	struct edu_bo exp, other, src;
	struct edu_pat p_a, p_b;
	uint64_t size;
	unsigned int i;
	uint8_t *map;
	int dmabuf;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size = sizes[i];
		p_a = edu_new_pat();
		p_b = edu_new_pat();

		exp = edu_bo_create(fd, size, EDU_GPU_PLACE_TT, caching);
		other = edu_bo_create_mapped(fd, size, EDU_GPU_PLACE_TT, caching);
		src = edu_bo_create_mapped(fd, size, EDU_GPU_PLACE_TT, caching);
		dmabuf = edu_prime_export(fd, exp.handle);
		map = mmap(NULL, exp.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   dmabuf, 0);
		igt_assert_f(map != MAP_FAILED, "mmap of the dma-buf failed: %s\n",
			     strerror(errno));

		edu_dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		edu_fill(map, 0, size, p_a);
		edu_dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);

		edu_copy(fd, &exp, 0, &other, 0, size);
		edu_wait(fd, &other);
		edu_check(other.map, 0, size, p_a, edu_unknown(),
			  "device read of CPU writes made through the dma-buf");

		edu_fill(src.map, 0, size, p_b);
		edu_copy(fd, &src, 0, &exp, 0, size);
		/* No WAIT: SYNC_START must wait for the copy itself. */
		edu_dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		edu_check(map, 0, size, p_b, p_a,
			  "CPU read through the dma-buf of a device write");
		edu_dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);

		igt_assert_eq(munmap(map, exp.size), 0);
		close(dmabuf);
		edu_bo_close(fd, &exp);
		edu_bo_close(fd, &other);
		edu_bo_close(fd, &src);
	}
}

static void edu_evict(const char *evict_path)
{
	int err = edu_write_file(evict_path, "1");

	igt_assert_f(err == 0, "writing 1 to %s failed: %s\n", evict_path,
		     strerror(-err));
}

static void edu_tt_shrink(void)
{
	long pages = 0, ret = 0;
	char buf[64];
	int reads;

	/* Every read swaps out (at most) one object. */
	for (reads = 1; reads <= 1024; reads++) {
		igt_assert_lt(0, edu_read_file(EDU_TEST_TT_SHRINK, buf,
					       sizeof(buf)));
		ret = strtol(buf, NULL, 10);
		if (ret <= 0)
			break;
		pages += ret;
	}
	igt_info("tt_shrink: %ld pages swapped out in %d reads (last %ld)\n",
		 pages, reads, ret);
}

/*
 * Objects go TT -> system (eviction) -> shmem (swap-out) and come back
 * either by a CPU fault or by a device copy (which moves them into TT
 * again); then the CPU rewrites them and they are evicted once more.
 */
static void test_evict_and_return(int fd, uint32_t caching)
{
	const uint64_t sizes[] = {
		edu_page_size, 3 * edu_page_size + 123,
		2 * EDU_TEST_MIB, 4 * EDU_TEST_MIB + 5 * edu_page_size,
	};
	const unsigned int n = ARRAY_SIZE(sizes);
	struct edu_bo bo[ARRAY_SIZE(sizes)], scratch, chk;
	struct edu_pat pat[ARRAY_SIZE(sizes)], old[ARRAY_SIZE(sizes)];
	char evict[256], what[96];
	unsigned int i, round;
	bool cpu_first;

	edu_debugfs_path(fd, "edu_gpu_evict", evict, sizeof(evict));
	igt_require_f(access(evict, W_OK) == 0, "no %s\n", evict);
	igt_require_f(access(EDU_TEST_TT_SHRINK, R_OK) == 0,
		      "no " EDU_TEST_TT_SHRINK "\n");

	scratch = edu_bo_create_mapped(fd, n * 64, EDU_GPU_PLACE_TT, caching);
	for (i = 0; i < n; i++) {
		pat[i] = edu_new_pat();
		old[i] = edu_unknown();
		bo[i] = edu_bo_create_mapped(fd, sizes[i], EDU_GPU_PLACE_TT,
					     caching);
		edu_fill(bo[i].map, 0, bo[i].size, pat[i]);
		edu_copy(fd, &bo[i], 0, &scratch, i * 64, 64);	/* bind */
	}
	edu_wait(fd, &scratch);
	for (i = 0; i < n; i++)
		edu_check(scratch.map, i * 64, 64, pat[i], edu_unknown(),
			  "object before eviction");

	for (round = 0; round < 2; round++) {
		edu_evict(evict);
		if (round == 0)
			edu_tt_shrink();

		for (i = 0; i < n; i++) {
			/* Alternate which side brings the object back first. */
			cpu_first = (i + round) % 2 == 0;
			if (cpu_first) {
				snprintf(what, sizeof(what), "round %u, object %u "
					 "(%#" PRIx64 " bytes), CPU read first",
					 round, i, bo[i].size);
				edu_check(bo[i].map, 0, bo[i].size, pat[i],
					  old[i], what);
			}
			chk = edu_bo_create_mapped(fd, bo[i].size,
						   EDU_GPU_PLACE_TT, caching);
			edu_copy(fd, &bo[i], 0, &chk, 0, bo[i].size);
			edu_wait(fd, &chk);
			snprintf(what, sizeof(what), "round %u, object %u "
				 "(%#" PRIx64 " bytes), device copy", round, i,
				 bo[i].size);
			edu_check(chk.map, 0, bo[i].size, pat[i], old[i], what);
			edu_bo_close(fd, &chk);
			if (!cpu_first) {
				snprintf(what, sizeof(what), "round %u, object %u "
					 "(%#" PRIx64 " bytes), CPU read after "
					 "the device", round, i, bo[i].size);
				edu_check(bo[i].map, 0, bo[i].size, pat[i],
					  old[i], what);
			}
		}

		/* New CPU writes, which the next eviction must keep. */
		for (i = 0; round == 0 && i < n; i++) {
			old[i] = pat[i];
			pat[i] = edu_new_pat();
			edu_fill(bo[i].map, 0, bo[i].size, pat[i]);
		}
	}

	for (i = 0; i < n; i++)
		edu_bo_close(fd, &bo[i]);
	edu_bo_close(fd, &scratch);
}

static void edu_expect(int ret, int err, const char *what)
{
	igt_assert_f(ret == -err, "%s: expected %s, got %s\n", what,
		     err ? strerror(err) : "success",
		     ret ? strerror(-ret) : "success");
}

static void test_bad_input(int fd)
{
	const uint32_t TT = EDU_GPU_PLACE_TT, SYS = EDU_GPU_PLACE_SYSTEM;
	const uint32_t CACHED = EDU_GPU_CACHING_CACHED;
	const struct {
		uint64_t size;
		uint32_t placement, caching, flags;
		const char *what;
	} bad_create[] = {
		{ 0, TT, CACHED, 0, "CREATE of size 0" },
		{ EDU_GPU_MAX_OBJECT_SIZE + 1, TT, CACHED, 0,
		  "CREATE above the maximum size" },
		{ EDU_GPU_MAX_OBJECT_SIZE + edu_page_size, SYS, CACHED, 0,
		  "CREATE a page above the maximum size" },
		{ UINT64_MAX, TT, CACHED, 0,
		  "CREATE of a size that overflows when rounded up" },
		{ 1ull << 63, SYS, CACHED, 0, "CREATE of size 1 << 63" },
		{ edu_page_size, 0, CACHED, 0, "CREATE without placement" },
		{ edu_page_size, SYS | TT, CACHED, 0, "CREATE with two placements" },
		{ edu_page_size, 1 << 2, CACHED, 0, "CREATE with placement 1 << 2" },
		{ edu_page_size, 1u << 31, CACHED, 0,
		  "CREATE with placement 1 << 31" },
		{ edu_page_size, TT, EDU_GPU_CACHING_UC + 1, 0,
		  "CREATE with caching 3" },
		{ edu_page_size, TT, ~0u, 0, "CREATE with caching ~0" },
		{ edu_page_size, TT, CACHED, 1, "CREATE with flags 1" },
		{ edu_page_size, TT, CACHED, 1u << 31, "CREATE with flags 1 << 31" },
	};
	struct drm_edu_gpu_copy c;
	struct edu_bo a, b, x, big1, big2;
	struct edu_pat p_a, p_b, p_big;
	uint64_t size, off = 0;
	uint32_t handle, closed;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(bad_create); i++) {
		handle = 0;
		ret = __edu_create(fd, bad_create[i].size,
				   bad_create[i].placement, bad_create[i].caching,
				   bad_create[i].flags, &handle, &size);
		edu_expect(ret, EINVAL, bad_create[i].what);
	}
	/* Controls: the smallest size is rounded up, SYSTEM works. */
	x = edu_bo_create(fd, 1, SYS, EDU_GPU_CACHING_WC);
	igt_assert_eq_u64(x.size, edu_page_size);
	edu_bo_close(fd, &x);

	p_a = edu_new_pat();
	p_b = edu_new_pat();
	a = edu_bo_create_mapped(fd, 2 * edu_page_size, TT, CACHED);
	b = edu_bo_create_mapped(fd, 2 * edu_page_size, TT, CACHED);
	edu_fill(a.map, 0, a.size, p_a);
	edu_fill(b.map, 0, b.size, p_b);
	edu_wait(fd, &a);
	edu_wait(fd, &b);

	/* A handle that existed: use it before anything else is created. */
	x = edu_bo_create(fd, edu_page_size, TT, CACHED);
	closed = x.handle;
	edu_bo_close(fd, &x);

	/* MMAP_OFFSET */
	edu_expect(__edu_mmap_offset(fd, 0, 0, &off), ENOENT,
		   "MMAP_OFFSET of handle 0");
	edu_expect(__edu_mmap_offset(fd, closed, 0, &off), ENOENT,
		   "MMAP_OFFSET of a closed handle");
	edu_expect(__edu_mmap_offset(fd, 0x7fffffff, 0, &off), ENOENT,
		   "MMAP_OFFSET of handle 0x7fffffff");
	edu_expect(__edu_mmap_offset(fd, a.handle, 1, &off), EINVAL,
		   "MMAP_OFFSET with pad 1");
	edu_expect(__edu_mmap_offset(fd, a.handle, 1u << 31, &off), EINVAL,
		   "MMAP_OFFSET with pad 1 << 31");

	/* COPY: bad handles */
#define COPY(_src, _dst, _so, _do, _sz) (struct drm_edu_gpu_copy){ \
	.src_handle = (_src), .dst_handle = (_dst), \
	.src_offset = (_so), .dst_offset = (_do), .size = (_sz) }
	edu_expect(__edu_copy(fd, &COPY(0, b.handle, 0, 0, 16)), ENOENT,
		   "COPY from handle 0");
	edu_expect(__edu_copy(fd, &COPY(a.handle, 0, 0, 0, 16)), ENOENT,
		   "COPY to handle 0");
	edu_expect(__edu_copy(fd, &COPY(closed, b.handle, 0, 0, 16)), ENOENT,
		   "COPY from a closed handle");
	edu_expect(__edu_copy(fd, &COPY(a.handle, closed, 0, 0, 16)), ENOENT,
		   "COPY to a closed handle");
	edu_expect(__edu_copy(fd, &COPY(a.handle, 0x7fffffff, 0, 0, 16)),
		   ENOENT, "COPY to handle 0x7fffffff");

	/* WAIT: bad handles (before any copy is queued) */
	edu_expect(__edu_wait(fd, 0, 0, 0), ENOENT, "WAIT on handle 0");
	edu_expect(__edu_wait(fd, closed, 0, 0), ENOENT,
		   "WAIT on a closed handle");

	/* COPY: sizes, ranges, flags */
	edu_expect(__edu_copy(fd, &COPY(a.handle, b.handle, 0, 0, 0)), EINVAL,
		   "COPY of 0 bytes");
	edu_expect(__edu_copy(fd, &COPY(a.handle, b.handle, 0, 0, a.size + 1)),
		   EINVAL, "COPY of one byte more than the source");
	edu_expect(__edu_copy(fd, &COPY(a.handle, b.handle, a.size, 0, 1)),
		   EINVAL, "COPY from the end of the source");
	edu_expect(__edu_copy(fd, &COPY(a.handle, b.handle, a.size - 8, 0, 16)),
		   EINVAL, "COPY across the end of the source");
	edu_expect(__edu_copy(fd, &COPY(a.handle, b.handle, 0, b.size, 1)),
		   EINVAL, "COPY to the end of the destination");
	edu_expect(__edu_copy(fd, &COPY(a.handle, b.handle, 0, b.size - 8, 16)),
		   EINVAL, "COPY across the end of the destination");
	edu_expect(__edu_copy(fd, &COPY(a.handle, b.handle, UINT64_MAX, 0, 1)),
		   EINVAL, "COPY from offset ~0");
	edu_expect(__edu_copy(fd, &COPY(a.handle, b.handle, 8, 0,
					UINT64_MAX - 7)),
		   EINVAL, "COPY whose source end overflows to 0");
	edu_expect(__edu_copy(fd, &COPY(a.handle, b.handle, 16,
					0, UINT64_MAX - 7)),
		   EINVAL, "COPY whose source end overflows to 8");
	edu_expect(__edu_copy(fd, &COPY(a.handle, b.handle, 0,
					UINT64_MAX - 7, 16)),
		   EINVAL, "COPY whose destination end overflows");
	edu_expect(__edu_copy(fd, &COPY(a.handle, a.handle, 0, 0, 16)),
		   EINVAL, "COPY of a range onto itself");
	edu_expect(__edu_copy(fd, &COPY(a.handle, a.handle, 0, 100, edu_page_size)),
		   EINVAL, "COPY to an overlapping range above");
	edu_expect(__edu_copy(fd, &COPY(a.handle, a.handle, 100, 0, edu_page_size)),
		   EINVAL, "COPY to an overlapping range below");
	edu_expect(__edu_copy(fd, &COPY(a.handle, a.handle, edu_page_size - 1,
					0, edu_page_size)),
		   EINVAL, "COPY to a range overlapping by one byte");
	c = COPY(a.handle, b.handle, 0, 0, 16);
	c.flags = 1;
	edu_expect(__edu_copy(fd, &c), EINVAL, "COPY with flags 1");
	c.flags = 1u << 31;
	edu_expect(__edu_copy(fd, &c), EINVAL, "COPY with flags 1 << 31");
	c.flags = 0;
	c.pad = 1;
	edu_expect(__edu_copy(fd, &c), EINVAL, "COPY with pad 1");

	/* Nothing was queued and nothing changed. */
	edu_expect(__edu_wait(fd, a.handle, 0, 0), 0,
		   "WAIT (test only) on the source after failed COPYs");
	edu_expect(__edu_wait(fd, b.handle, 0, 0), 0,
		   "WAIT (test only) on the destination after failed COPYs");
	edu_check(a.map, 0, a.size, p_a, edu_unknown(),
		  "source after failed COPYs");
	edu_check(b.map, 0, b.size, p_b, edu_unknown(),
		  "destination after failed COPYs");

	/* WAIT: flags, negative timeouts */
	edu_expect(__edu_wait(fd, a.handle, 1, 0), EINVAL, "WAIT with flags 1");
	edu_expect(__edu_wait(fd, a.handle, 1u << 31, 0), EINVAL,
		   "WAIT with flags 1 << 31");
	edu_expect(__edu_wait(fd, a.handle, 0, -1), EINVAL,
		   "WAIT with timeout -1");
	edu_expect(__edu_wait(fd, a.handle, 0, INT64_MIN), EINVAL,
		   "WAIT with timeout INT64_MIN");

	/* Controls: the limits themselves are valid. */
	edu_copy(fd, &a, 0, &a, edu_page_size, edu_page_size);	/* adjacent */
	edu_wait(fd, &a);
	edu_copy(fd, &a, a.size - 16, &b, b.size - 16, 16);	/* up to the end */
	edu_wait(fd, &b);
	edu_check(a.map, 0, edu_page_size, p_a, edu_unknown(),
		  "source range of a copy within one object");
	edu_check(a.map, edu_page_size, edu_page_size, p_a,
		  edu_pat_at(p_a, edu_page_size),
		  "destination range of a copy within one object");
	edu_check(b.map, 0, b.size - 16, p_b, edu_unknown(),
		  "destination before a copy up to its end");
	edu_check(b.map, b.size - 16, 16, edu_pat_at(p_a, edu_page_size - 16),
		  edu_pat_at(p_b, b.size - 16), "copy up to the end");

	/* A busy object: a zero timeout only tests, -ETIME if not done. */
	p_big = edu_new_pat();
	big1 = edu_bo_create_mapped(fd, 256 * 1024, TT, CACHED);
	big2 = edu_bo_create(fd, 256 * 1024, TT, CACHED);
	edu_fill(big1.map, 0, big1.size, p_big);
	edu_copy(fd, &big1, 0, &big2, 0, big1.size);
	ret = __edu_wait(fd, big2.handle, 0, 0);
	igt_assert_f(ret == 0 || ret == -ETIME,
		     "WAIT with timeout 0 on a busy object: %s\n",
		     strerror(-ret));
	igt_info("WAIT with timeout 0 right after a 256 KiB COPY: %s\n",
		 ret ? strerror(-ret) : "idle");
	edu_wait(fd, &big2);
	edu_expect(__edu_wait(fd, big2.handle, 0, 0), 0,
		   "WAIT with timeout 0 on an idle object");
	edu_bo_close(fd, &big1);
	edu_bo_close(fd, &big2);

	edu_bo_close(fd, &a);
	edu_bo_close(fd, &b);
#undef COPY
}

int igt_main()
{
	const struct edu_mode *m;
	int fd = -1;

	igt_fixture() {
		fd = drm_open_driver(DRIVER_ANY);
		edu_init(fd);
	}

	for_each_edu_mode(m) {
		igt_describe("CPU writes through a mapping of a TT object must "
			     "be what the device reads, for one page, 2 MiB, "
			     "an odd size and 4 MiB + 5 pages.");
		igt_subtest_f("cpu-write-device-read-%s", m->name)
			test_cpu_write_device_read(fd, EDU_GPU_PLACE_TT,
						   m->caching, 4);
	}

	for_each_edu_mode(m) {
		igt_describe("What the device writes must be what the CPU "
			     "reads, also when the CPU has read the old "
			     "content just before.");
		igt_subtest_f("device-write-cpu-read-%s", m->name)
			test_device_write_cpu_read(fd, m->caching);
	}

	for_each_edu_mode(m) {
		igt_describe("Objects created and written in system memory must "
			     "reach the device intact when a copy moves them "
			     "into TT.");
		igt_subtest_f("system-to-tt-%s", m->name)
			test_cpu_write_device_read(fd, EDU_GPU_PLACE_SYSTEM,
						   m->caching, 3);
	}

	for_each_edu_mode(m) {
		igt_describe("Bound TT objects totalling twice the swiotlb pool "
			     "must all work, and leave no swiotlb slots in "
			     "use once freed.");
		igt_subtest_f("swiotlb-pressure-%s", m->name)
			test_swiotlb_pressure(fd, m->caching);
	}

	for_each_edu_mode(m) {
		igt_describe("CPU access through an exported dma-buf, bracketed "
			     "by DMA_BUF_IOCTL_SYNC, must see and be seen by "
			     "the device.");
		igt_subtest_f("dmabuf-cpu-access-%s", m->name)
			test_dmabuf_cpu_access(fd, m->caching);
	}

	for_each_edu_mode(m) {
		igt_describe("Contents must survive eviction from TT and "
			     "swap-out to shmem, whether the CPU or the device "
			     "touches them first afterwards.");
		igt_subtest_f("evict-and-return-%s", m->name)
			test_evict_and_return(fd, m->caching);
	}

	igt_describe("Every ioctl rejects bad arguments with the documented "
		     "error and changes nothing.");
	igt_subtest("bad-input")
		test_bad_input(fd);

	igt_fixture()
		drm_close_driver(fd);
}
