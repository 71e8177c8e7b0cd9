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
 *
 * Every CPU access through a GEM mapping is bracketed by
 * DRM_IOCTL_EDU_GPU_CPU_PREP and CPU_FINI over exactly the bytes it
 * touches, every access through a dma-buf mapping by DMA_BUF_IOCTL_SYNC:
 * where the DMA layer bounces or the device does not snoop, that is the
 * only way for the pages to change hands. Accesses through
 * /proc/self/mem are the kernel's (ptrace) and are not bracketed.
 */

/**
 * TEST: edu gpu dma
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: Memory management tests
 * Functionality: TTM system memory, DMA mapping, CPU and device coherency
 * Description: Data written by the CPU reaches the device and data written
 *	by the device reaches the CPU, for every CPU caching mode, under
 *	bounce buffering, through dma-buf, /proc/self/mem and across
 *	eviction and swap-out, on QEMU's edu device (driver edu_gpu).
 * Test category: functionality test
 *
 * SUBTEST: cpu-write-device-read-%s
 * Description: CPU writes through a mapping of a TT object are what the
 *	device reads, for one page, an odd size, 2 MiB + 5 pages and 4 MiB + 5
 *	pages (copied in windows across chunk boundaries).
 *
 * SUBTEST: device-write-cpu-read-%s
 * Description: What the device writes is what the CPU reads, also when
 *	the CPU read the old content just before.
 *
 * SUBTEST: system-to-tt-%s
 * Description: Objects created and written in system memory reach the
 *	device intact when a copy moves them into TT.
 *
 * SUBTEST: fresh-zero-%s
 * Description: The device reads zeroes from objects nobody wrote yet.
 *
 * SUBTEST: offsets-%s
 * Description: CPU writes and device copies at odd offsets and lengths,
 *	starting and ending mid-page and crossing page and chunk boundaries,
 *	through the mapping and through /proc/self/mem.
 *
 * SUBTEST: swiotlb-pressure-%s
 * Description: Objects totalling twice the swiotlb pool either use no
 *	swiotlb slot at all (pool backends that allocate reachable memory)
 *	or, where every mapping bounces, fail cleanly once the pool is full;
 *	no slot stays in use afterwards.
 *
 * SUBTEST: dmabuf-cpu-access-%s
 * Description: CPU access through an exported dma-buf, bracketed by
 *	DMA_BUF_IOCTL_SYNC, sees and is seen by the device.
 *
 * SUBTEST: dmabuf-sync-during-copy-%s
 * Description: DMA_BUF_IOCTL_SYNC (start, read) issued while the device
 *	still writes the object waits for it and then sees its data.
 *
 * SUBTEST: evict-and-return-%s
 * Description: Contents survive eviction from TT and swap-out to shmem
 *	(checked in the driver's object list), whether the CPU or the device
 *	touches them first afterwards, and a second swap-out after the CPU
 *	rewrote them.
 *
 * arg[1]:
 *
 * @cached:	cached CPU mappings
 * @wc:		write-combined CPU mappings
 * @uc:		uncached CPU mappings
 *
 * SUBTEST: bad-input
 * Description: Every ioctl rejects bad arguments with the documented error
 *	and changes nothing.
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
#include "igt_sysfs.h"
#include "edu_gpu_drm.h"

IGT_TEST_DESCRIPTION("Check that data written by the CPU reaches the device "
		     "and data written by the device reaches the CPU, for "
		     "every caching mode, under bounce buffering, through "
		     "dma-buf and across eviction and swap-out.");

#define EDU_TEST_KIB		((uint64_t)1 << 10)
#define EDU_TEST_MIB		((uint64_t)1 << 20)
/*
 * WAIT timeout, generous: 4 MiB take ~200 s of the device's (virtual)
 * time, 200 ms per transfer of 4095 bytes. A hung copy gives -EIO first.
 */
#define EDU_TEST_WAIT_NS	(3600ll * 1000 * 1000 * 1000)
#define EDU_TEST_SLOT_SIZE	((uint64_t)2048)	/* IO_TLB_SIZE */
/* Largest streaming mapping swiotlb bounces in one piece (IO_TLB_SEGSIZE). */
#define EDU_TEST_BOUNCE_MAX	(256 * EDU_TEST_KIB)

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

/*
 * Byte i of a range holds byte off + i of the pattern with this seed; a
 * zero pattern is all zeroes.
 */
struct edu_pat {
	uint32_t seed;		/* 0 and !zero: unknown */
	bool zero;
	uint64_t off;
};

/* A byte range [off, off + len) of an object. */
struct edu_range {
	uint64_t off, len;
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

static uint64_t edu_pat_qword(struct edu_pat pat, uint64_t q)
{
	return pat.zero ? 0 : edu_pattern_qword(pat.seed, q);
}

static uint8_t edu_pattern_byte(struct edu_pat pat, uint64_t i)
{
	uint64_t o = pat.off + i;

	return edu_pat_qword(pat, o / 8) >> (8 * (o % 8));
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

static struct edu_pat edu_unknown(void)
{
	return (struct edu_pat){ .seed = 0 };
}

static struct edu_pat edu_zero(void)
{
	return (struct edu_pat){ .zero = true };
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
			htole64(edu_pat_qword(pat, (pat.off + i) / 8));
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
		    htole64(edu_pat_qword(pat, (pat.off + i) / 8)))
			return false;
	for (; i < len; i++)
		if (p[i] != edu_pattern_byte(pat, i))
			return false;
	return true;
}

/*
 * Check that map[off, off + len) holds @want; @old (if known) is what the
 * range held before, to tell stale data from garbage in the report.
 *
 * The comparison decides: a mismatch fails. A second pass, byte by byte,
 * only describes it; if it finds nothing, the data changed between the
 * two reads (a device still writing, a late bounce buffer copy), which is
 * a failure too.
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

	igt_assert_f(bad, "%s: [%#" PRIx64 ", %#" PRIx64 ") did not match, "
		     "but a second read of it does: the data changed while the "
		     "CPU read it\n", what, off, off + len);

	if ((old.seed || old.zero) && got == edu_pattern_byte(old, first))
		kind = "the previous content: stale data";
	else if (!got)
		kind = "zero";
	else
		kind = "neither the new nor the previous content";
	for (i = first & ~15ull; i <= (first | 15) && i < len; i++)
		igt_info("  %#" PRIx64 ": expected %02x got %02x%s\n", off + i,
			 edu_pattern_byte(want, i), p[i],
			 i == first ? "  <- first mismatch" : "");
	igt_assert_f(false,
		     "%s: %" PRIu64 " of %" PRIu64 " bytes wrong in %" PRIu64
		     " page(s) of [%#" PRIx64 ", %#" PRIx64 "); first at offset %#"
		     PRIx64 ": expected 0x%02x, got 0x%02x (%s)\n",
		     what, bad, len, pages, off, off + len, off + first, exp, got,
		     kind);
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

static uint64_t edu_mmap_offset(int fd, const struct edu_bo *bo)
{
	uint64_t offset = 0;

	igt_assert_eq(__edu_mmap_offset(fd, bo->handle, 0, &offset), 0);
	return offset;
}

static uint8_t *edu_bo_mmap(int fd, struct edu_bo *bo)
{
	uint64_t offset = edu_mmap_offset(fd, bo);
	void *ptr;

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
	if (bo->map)
		igt_assert_eq(munmap(bo->map, bo->size), 0);
	gem_close(fd, bo->handle);
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

static int __edu_copy_bo(int fd, const struct edu_bo *src, uint64_t src_off,
			 const struct edu_bo *dst, uint64_t dst_off,
			 uint64_t size)
{
	struct drm_edu_gpu_copy arg = {
		.src_handle = src->handle,
		.dst_handle = dst->handle,
		.src_offset = src_off,
		.dst_offset = dst_off,
		.size = size,
	};

	return __edu_copy(fd, &arg);
}

static void edu_copy(int fd, const struct edu_bo *src, uint64_t src_off,
		     const struct edu_bo *dst, uint64_t dst_off, uint64_t size)
{
	int err = __edu_copy_bo(fd, src, src_off, dst, dst_off, size);

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

static int __edu_cpu_access(int fd, unsigned long ioc, uint32_t handle,
			    uint32_t flags, uint64_t off, uint64_t size,
			    uint64_t pad)
{
	struct drm_edu_gpu_cpu_access arg = {
		.handle = handle,
		.flags = flags,
		.offset = off,
		.size = size,
		.pad = pad,
	};
	int err = 0;

	if (igt_ioctl(fd, ioc, &arg))
		err = -errno;
	errno = 0;
	return err;
}

static int __edu_cpu_prep(int fd, uint32_t handle, uint32_t flags,
			  uint64_t off, uint64_t size)
{
	return __edu_cpu_access(fd, DRM_IOCTL_EDU_GPU_CPU_PREP, handle, flags,
				off, size, 0);
}

static int __edu_cpu_fini(int fd, uint32_t handle, uint32_t flags,
			  uint64_t off, uint64_t size)
{
	return __edu_cpu_access(fd, DRM_IOCTL_EDU_GPU_CPU_FINI, handle, flags,
				off, size, 0);
}

static void edu_cpu_prep(int fd, const struct edu_bo *bo, uint32_t flags,
			 uint64_t off, uint64_t size)
{
	int err = __edu_cpu_prep(fd, bo->handle, flags, off, size);

	igt_assert_f(err == 0, "CPU_PREP of [%#" PRIx64 ", %#" PRIx64 ") of "
		     "handle %u failed: %s\n", off, off + size, bo->handle,
		     strerror(-err));
}

static void edu_cpu_fini(int fd, const struct edu_bo *bo, uint32_t flags,
			 uint64_t off, uint64_t size)
{
	int err = __edu_cpu_fini(fd, bo->handle, flags, off, size);

	igt_assert_f(err == 0, "CPU_FINI of [%#" PRIx64 ", %#" PRIx64 ") of "
		     "handle %u failed: %s\n", off, off + size, bo->handle,
		     strerror(-err));
}

/* The CPU writes @pat into bo[off, off + len) through its mapping. */
static void edu_bo_write(int fd, const struct edu_bo *bo, uint64_t off,
			 uint64_t len, struct edu_pat pat)
{
	edu_cpu_prep(fd, bo, EDU_GPU_CPU_WRITE, off, len);
	edu_fill(bo->map, off, len, pat);
	edu_cpu_fini(fd, bo, EDU_GPU_CPU_WRITE, off, len);
}

/* The CPU checks bo[off, off + len) through its mapping. */
static void edu_bo_check(int fd, const struct edu_bo *bo, uint64_t off,
			 uint64_t len, struct edu_pat want, struct edu_pat old,
			 const char *what)
{
	edu_cpu_prep(fd, bo, EDU_GPU_CPU_READ, off, len);
	edu_check(bo->map, off, len, want, old, what);
	edu_cpu_fini(fd, bo, EDU_GPU_CPU_READ, off, len);
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

/* A file in the debugfs root, e.g. "swiotlb/io_tlb_used". */
static void edu_debugfs_root_path(const char *file, char *path, size_t len)
{
	const char *root = igt_debugfs_mount();

	igt_assert(root);
	snprintf(path, len, "%s/%s", root, file);
}

static bool edu_debugfs_root_u64(const char *file, uint64_t *val)
{
	char path[256], buf[64];

	edu_debugfs_root_path(file, path, sizeof(path));
	if (igt_debugfs_simple_read(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return false;
	*val = strtoull(buf, NULL, 0);
	return true;
}

static uint64_t edu_mem_available(void)
{
	char buf[4096], *p;

	if (igt_debugfs_simple_read(AT_FDCWD, "/proc/meminfo", buf, sizeof(buf)) <= 0)
		return 0;
	p = strstr(buf, "MemAvailable:");
	return p ? strtoull(p + strlen("MemAvailable:"), NULL, 10) << 10 : 0;
}

/*
 * The value of "key: value" line @key of a debugfs file of the device, or
 * "" if the file or the line is missing.
 */
static void edu_debugfs_field(int fd, const char *file, const char *key,
			      char *val, size_t len)
{
	char buf[4096], *line, *save = NULL;
	size_t klen = strlen(key);

	val[0] = '\0';
	igt_debugfs_read(fd, file, buf);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			snprintf(val, len, "%s", line + klen + 1 +
				 (line[klen + 1] == ' '));
			return;
		}
	}
}

/* How the driver set up TTM (debugfs edu_gpu_info, ttm_page_pool*). */
static struct edu_info {
	char personality[32];
	char maps[16];		/* ttm, driver or none */
	char backend[2][32];	/* of each pool objects use, "" if unknown */
	unsigned int npools;
} edu_info;

/* First word of the pool's "backend: NAME (reason)" line, if any. */
static void edu_pool_backend(int fd, const char *file, char *name,
			     size_t len)
{
	char val[256];

	edu_debugfs_field(fd, file, "backend", val, sizeof(val));
	val[strcspn(val, " ")] = '\0';
	if (strlen(val) >= len)
		val[len - 1] = '\0';
	memcpy(name, val, strlen(val) + 1);
}

static void edu_info_load(int fd)
{
	char pools[64];

	edu_debugfs_field(fd, "edu_gpu_info", "personality",
			  edu_info.personality, sizeof(edu_info.personality));
	edu_debugfs_field(fd, "edu_gpu_info", "maps", edu_info.maps,
			  sizeof(edu_info.maps));
	edu_debugfs_field(fd, "edu_gpu_info", "pools", pools, sizeof(pools));
	edu_info.npools = strstr(pools, "partition") ? 2 : 1;
	edu_pool_backend(fd, "ttm_page_pool", edu_info.backend[0],
			 sizeof(edu_info.backend[0]));
	if (edu_info.npools > 1)
		edu_pool_backend(fd, "ttm_page_pool_partition",
				 edu_info.backend[1],
				 sizeof(edu_info.backend[1]));
	igt_info("edu_gpu: personality %s, pages mapped by %s, pool backend "
		 "%s%s%s\n", edu_info.personality[0] ? edu_info.personality :
		 "unknown", edu_info.maps[0] ? edu_info.maps : "unknown",
		 edu_info.backend[0][0] ? edu_info.backend[0] : "unknown",
		 edu_info.npools > 1 ? ", partition pool backend " : "",
		 edu_info.npools > 1 ? edu_info.backend[1] : "");
}

/*
 * Whether the device reaches system memory: not with the personalities
 * that leave it to the CPU (COPY fails with EOPNOTSUPP there).
 */
static bool edu_has_device(int fd)
{
	static int has_device = -1;
	struct edu_bo a, b;
	int err;

	if (has_device < 0) {
		a = edu_bo_create(fd, edu_page_size, EDU_GPU_PLACE_TT,
				  EDU_GPU_CACHING_CACHED);
		b = edu_bo_create(fd, edu_page_size, EDU_GPU_PLACE_TT,
				  EDU_GPU_CACHING_CACHED);
		err = __edu_copy_bo(fd, &a, 0, &b, 0, 1);
		igt_assert_f(err == 0 || err == -EOPNOTSUPP,
			     "COPY of one byte failed: %s\n", strerror(-err));
		if (!err)
			edu_wait(fd, &b);
		edu_bo_close(fd, &a);
		edu_bo_close(fd, &b);
		has_device = !err;
	}
	return has_device;
}

static void edu_require_device(int fd)
{
	igt_require_f(edu_has_device(fd), "personality %s: the device "
		      "reaches no system memory (COPY fails with EOPNOTSUPP)\n",
		      edu_info.personality);
}

/* The driver's state of an object (debugfs edu_gpu_objects). */
struct edu_obj_state {
	char placement[16];
	int populated, swapped;
	unsigned int pin, cpu_access;
};

static void edu_obj_state(int fd, const struct edu_bo *bo,
			  struct edu_obj_state *st)
{
	static char buf[1 << 16];
	uint64_t want = edu_mmap_offset(fd, bo), off;
	char *line, *save = NULL, *p;
	int n;

	igt_debugfs_read(fd, "edu_gpu_objects", buf);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		p = strstr(line, " offset ");
		if (!p || sscanf(p, " offset %" SCNx64, &off) != 1 ||
		    off != want)
			continue;
		p = strstr(line, " placement ");
		igt_assert_f(p, "edu_gpu_objects: no state for handle %u: "
			     "%s\n", bo->handle, line);
		n = sscanf(p, " placement %15s pool %*s populated %d swapped %d "
			   "pin %u cpu_access %u", st->placement, &st->populated,
			   &st->swapped, &st->pin, &st->cpu_access);
		igt_assert_f(n == 5, "edu_gpu_objects: cannot parse \"%s\"\n",
			     line);
		return;
	}
	igt_assert_f(false, "edu_gpu_objects: no object at mmap offset %#"
		     PRIx64 " (handle %u)\n", want, bo->handle);
}

static void edu_init(int fd)
{
	igt_require_f(edu_is_edu_gpu(fd), "the DRM device is not edu_gpu\n");
	edu_page_size = sysconf(_SC_PAGESIZE);
	edu_seed_state = random();
	igt_debug("pattern seed %u\n", edu_seed_state);
	edu_info_load(fd);
}

/*
 * Windows the device copies out of large objects: each crosses a page and
 * a possible chunk boundary (every 2 MiB and 4 MiB), starting and ending
 * mid-page, plus the start and the end of the object. Copying whole
 * large objects would cost the device 4095 bytes per 100 ms of its time
 * and tell little more: every page of a chunk is one mapping.
 * Small objects (up to 64 KiB) are copied whole. Returns the number of
 * windows, in increasing order, none overlapping.
 */
static unsigned int edu_windows(uint64_t size, struct edu_range *w,
				unsigned int max)
{
	uint64_t b, n = 0;

	if (size <= 64 * EDU_TEST_KIB) {
		w[0] = (struct edu_range){ 0, size };
		return 1;
	}

	w[n++] = (struct edu_range){ 0, 2 * edu_page_size + 77 };
	for (b = 2 * EDU_TEST_MIB; b < size - 4 * edu_page_size && n < max - 1;
	     b += 2 * EDU_TEST_MIB)
		w[n++] = (struct edu_range){ b - edu_page_size - 123,
					     2 * edu_page_size + 250 };
	w[n++] = (struct edu_range){ size - 3 * edu_page_size - 5,
				     3 * edu_page_size + 5 };
	return n;
}

/*
 * The device copies the windows of @src to the same offsets of @dst;
 * returns the number of windows.
 */
static unsigned int edu_copy_windows(int fd, const struct edu_bo *src,
				     const struct edu_bo *dst, uint64_t size,
				     struct edu_range *w, unsigned int max)
{
	unsigned int i, n = edu_windows(size, w, max);

	for (i = 0; i < n; i++)
		edu_copy(fd, src, w[i].off, dst, w[i].off, w[i].len);
	return n;
}

/*
 * Check that @bo holds @in inside the windows and @out between them, up
 * to @size (the rest of the object is not looked at); each range with its
 * own CPU_PREP/CPU_FINI if @fd >= 0, else (a dma-buf mapping the caller
 * synced) directly through @map.
 */
static void __edu_check_windows(int fd, const struct edu_bo *bo,
				const uint8_t *map, uint64_t size,
				const struct edu_range *w, unsigned int n,
				struct edu_pat in, struct edu_pat out,
				const char *what)
{
	uint64_t pos = 0, end;
	struct edu_pat want, old;
	unsigned int i, j;
	char buf[160];

	for (i = 0; i <= 2 * n; i++) {
		j = i / 2;
		if (i % 2 == 0) {	/* before window j, or after the last */
			end = j < n ? w[j].off : size;
			if (end <= pos)
				continue;
			snprintf(buf, sizeof(buf), "%s, outside the copy", what);
			want = edu_pat_at(out, pos);
			old = edu_pat_at(in, pos);
		} else {
			pos = w[j].off;
			end = pos + w[j].len;
			snprintf(buf, sizeof(buf), "%s, window %u", what, j);
			want = edu_pat_at(in, pos);
			old = edu_pat_at(out, pos);
		}
		if (fd >= 0)
			edu_bo_check(fd, bo, pos, end - pos, want, old, buf);
		else
			edu_check(map, pos, end - pos, want, old, buf);
		pos = end;
	}
}

static void edu_check_windows(int fd, const struct edu_bo *bo, uint64_t size,
			      const struct edu_range *w, unsigned int n,
			      struct edu_pat in, struct edu_pat out,
			      const char *what)
{
	__edu_check_windows(fd, bo, NULL, size, w, n, in, out, what);
}

static void edu_check_windows_map(const uint8_t *map, uint64_t size,
				  const struct edu_range *w, unsigned int n,
				  struct edu_pat in, struct edu_pat out,
				  const char *what)
{
	__edu_check_windows(-1, NULL, map, size, w, n, in, out, what);
}

/*
 * Sizes: one page; 3 pages + 123 bytes (odd); 2 MiB + 5 pages (a huge
 * page and smaller chunks); 4 MiB + 5 pages, more than TTM's largest
 * chunk (MAX_PAGE_ORDER) and than one swiotlb bounce (256 KiB), so that
 * it spans chunks of several orders.
 */
#define EDU_NSIZES	4
static uint64_t edu_size(unsigned int i)
{
	switch (i) {
	case 0:
		return edu_page_size;
	case 1:
		return 3 * edu_page_size + 123;
	case 2:
		return 2 * EDU_TEST_MIB + 5 * edu_page_size;
	default:
		return 4 * EDU_TEST_MIB + 5 * edu_page_size;
	}
}

#define EDU_MAX_WINDOWS	8

/*
 * The CPU fills the source, the device copies it, the CPU reads the copy:
 * catches CPU writes the device does not see (dirty cache lines not
 * written back, a bounce buffer not updated before the device read).
 */
static void test_cpu_write_device_read(int fd, uint32_t placement,
				       uint32_t caching, unsigned int nsizes)
{
	struct edu_range w[EDU_MAX_WINDOWS];
	struct edu_pat p_src, p_bg;
	struct edu_bo src, dst;
	unsigned int i, n;
	uint64_t size;
	char what[64];

	edu_require_device(fd);
	for (i = 0; i < nsizes; i++) {
		size = edu_size(i);
		p_src = edu_new_pat();
		p_bg = edu_new_pat();
		igt_debug("size %#" PRIx64 "\n", size);

		src = edu_bo_create_mapped(fd, size, placement, caching);
		dst = edu_bo_create_mapped(fd, size, placement, caching);
		edu_bo_write(fd, &dst, 0, dst.size, p_bg);
		edu_bo_write(fd, &src, 0, src.size, p_src);

		n = edu_copy_windows(fd, &src, &dst, size, w, EDU_MAX_WINDOWS);
		edu_wait(fd, &dst);

		snprintf(what, sizeof(what), "copy of %#" PRIx64 " bytes", size);
		edu_check_windows(fd, &dst, dst.size, w, n, p_src, p_bg, what);
		edu_bo_check(fd, &src, 0, src.size, p_src, edu_unknown(),
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
	struct edu_range w[EDU_MAX_WINDOWS];
	struct edu_pat p_a, p_b;
	struct edu_bo a, b, dst;
	unsigned int i, n;
	uint64_t size;
	char what[80];

	edu_require_device(fd);
	for (i = 0; i < EDU_NSIZES; i++) {
		size = edu_size(i);
		p_a = edu_new_pat();
		p_b = edu_new_pat();
		igt_debug("size %#" PRIx64 "\n", size);

		a = edu_bo_create_mapped(fd, size, EDU_GPU_PLACE_TT, caching);
		b = edu_bo_create_mapped(fd, size, EDU_GPU_PLACE_TT, caching);
		dst = edu_bo_create_mapped(fd, size, EDU_GPU_PLACE_TT, caching);
		edu_bo_write(fd, &a, 0, size, p_a);
		edu_bo_write(fd, &b, 0, size, p_b);

		/* Never touched by the CPU before: only the device wrote it. */
		n = edu_copy_windows(fd, &a, &dst, size, w, EDU_MAX_WINDOWS);
		edu_wait(fd, &dst);
		snprintf(what, sizeof(what), "first device write of %#"
			 PRIx64 " bytes", size);
		edu_check_windows(fd, &dst, dst.size, w, n, p_a, edu_zero(),
				  what);

		/* Read by the CPU just before: the read must not be stale. */
		edu_copy_windows(fd, &b, &dst, size, w, EDU_MAX_WINDOWS);
		edu_wait(fd, &dst);
		snprintf(what, sizeof(what), "device write of %#" PRIx64
			 " bytes after a CPU read", size);
		edu_check_windows(fd, &dst, dst.size, w, n, p_b, edu_zero(),
				  what);

		edu_bo_close(fd, &a);
		edu_bo_close(fd, &b);
		edu_bo_close(fd, &dst);
	}
}

/*
 * Fresh objects read as zero, also through the device: the device copies
 * an object nobody wrote into one the CPU filled. Other objects were
 * written and freed just before, so that a bounce buffer or a cache line
 * not handed over after the pool cleared the pages shows their data.
 */
static void test_fresh_zero(int fd, uint32_t caching)
{
	struct edu_range w[EDU_MAX_WINDOWS];
	struct edu_bo dirty, src, dst;
	struct edu_pat p_dirty, p_bg;
	unsigned int i, n;
	uint64_t size;
	char what[64];

	edu_require_device(fd);
	for (i = 0; i < EDU_NSIZES; i++) {
		size = edu_size(i);
		p_dirty = edu_new_pat();
		p_bg = edu_new_pat();

		dirty = edu_bo_create_mapped(fd, size, EDU_GPU_PLACE_TT,
					     caching);
		dst = edu_bo_create_mapped(fd, size, EDU_GPU_PLACE_TT, caching);
		edu_bo_write(fd, &dirty, 0, size, p_dirty);
		edu_copy(fd, &dirty, 0, &dst, 0, edu_page_size);
		edu_wait(fd, &dst);
		edu_bo_close(fd, &dirty);

		src = edu_bo_create(fd, size, EDU_GPU_PLACE_TT, caching);
		edu_bo_write(fd, &dst, 0, dst.size, p_bg);
		n = edu_copy_windows(fd, &src, &dst, size, w, EDU_MAX_WINDOWS);
		edu_wait(fd, &dst);

		snprintf(what, sizeof(what), "copy of a new %#" PRIx64
			 "-byte object", size);
		edu_check_windows(fd, &dst, dst.size, w, n, edu_zero(), p_bg,
				  what);
		edu_bo_close(fd, &src);
		edu_bo_close(fd, &dst);
	}
}

/* /proc/self/mem: the kernel's ptrace access, ttm_bo_vm_access(). */
static int edu_procmem(bool write, void *addr, void *buf, size_t len)
{
	ssize_t n;
	int f;

	f = open("/proc/self/mem", write ? O_WRONLY : O_RDONLY);
	if (f < 0)
		return -errno;
	n = write ? pwrite(f, buf, len, (off_t)(uintptr_t)addr) :
		    pread(f, buf, len, (off_t)(uintptr_t)addr);
	close(f);
	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

static void edu_procmem_write(const struct edu_bo *bo, uint64_t off,
			      uint64_t len, struct edu_pat pat)
{
	uint8_t *buf = malloc(len);
	int err;

	igt_assert(buf);
	edu_fill(buf, 0, len, pat);
	err = edu_procmem(true, bo->map + off, buf, len);
	igt_assert_f(err == 0, "pwrite of [%#" PRIx64 ", %#" PRIx64 ") through "
		     "/proc/self/mem failed: %s\n", off, off + len,
		     strerror(-err));
	free(buf);
}

static void edu_procmem_check(const struct edu_bo *bo, uint64_t off,
			      uint64_t len, struct edu_pat want,
			      struct edu_pat old, const char *what)
{
	uint8_t *buf = malloc(len);
	int err;

	igt_assert(buf);
	err = edu_procmem(false, bo->map + off, buf, len);
	igt_assert_f(err == 0, "pread of [%#" PRIx64 ", %#" PRIx64 ") through "
		     "/proc/self/mem failed: %s\n", off, off + len,
		     strerror(-err));
	edu_check(buf, 0, len, want, old, what);
	free(buf);
}

/*
 * Odd offsets and lengths: the CPU writes ranges that start and end
 * mid-page, the device copies ranges that do, between different
 * alignments, across page and 2 MiB boundaries, and the kernel's own
 * access through /proc/self/mem (ttm_bo_vm_access(): a kmap per page)
 * writes and reads such ranges too, both ways.
 */
static void test_offsets(int fd, uint32_t caching)
{
	const uint64_t pg = edu_page_size, mib2 = 2 * EDU_TEST_MIB;
	const uint64_t size = mib2 + 3 * pg + 100;
	/* src offset, dst offset, length: dst ranges increasing, disjoint */
	const struct {
		uint64_t src, dst, len;
	} cp[] = {
		{ 13, 3 * pg + 77, 100 },			/* in a page */
		{ pg - 5, 5 * pg - 3, pg + 10 },		/* two pages */
		{ mib2 - pg - 33, 9 * pg + 1, 3 * pg + 66 },	/* across 2 MiB */
		{ 7 * pg + 3, mib2 - 2 * pg - 9, 3 * pg + 18 },	/* into 2 MiB */
		{ size - 2 * pg - 1, size - pg - 20, pg + 1 },	/* near the end */
	};
	/* ranges the CPU writes in pieces: 3 ranges tiling [0, size) */
	const uint64_t cut[] = { 0, pg + 7, mib2 - 3, size };
	/* through /proc/self/mem */
	const struct edu_range pm[] = {
		{ 2 * pg - 9, 17 },
		{ mib2 - pg - 1, 2 * pg + 3 },
		{ size - pg - 50, pg + 50 },
	};
	struct edu_pat p_a, p_b, p_c, p_d;
	bool device = edu_has_device(fd);
	struct edu_bo a, b;
	char what[128];
	uint64_t pos;
	unsigned int i;

	if (!device)
		igt_info("personality %s: the device reaches no system memory: "
			 "CPU and /proc/self/mem only\n", edu_info.personality);
	p_a = edu_new_pat();
	p_b = edu_new_pat();
	a = edu_bo_create_mapped(fd, size, EDU_GPU_PLACE_TT, caching);
	b = edu_bo_create_mapped(fd, size, EDU_GPU_PLACE_TT, caching);
	for (i = 0; i + 1 < ARRAY_SIZE(cut); i++)
		edu_bo_write(fd, &a, cut[i], cut[i + 1] - cut[i],
			     edu_pat_at(p_a, cut[i]));
	edu_bo_write(fd, &b, 0, size, p_b);
	if (!device)
		goto cpu_only;

	for (i = 0; i < ARRAY_SIZE(cp); i++)
		edu_copy(fd, &a, cp[i].src, &b, cp[i].dst, cp[i].len);
	edu_wait(fd, &b);

	/* Each copied range, the bytes between them, one PREP for each. */
	for (i = 0, pos = 0; i <= ARRAY_SIZE(cp); i++) {
		uint64_t end = i < ARRAY_SIZE(cp) ? cp[i].dst : size;

		snprintf(what, sizeof(what), "bytes before copy %u", i);
		if (end > pos)
			edu_bo_check(fd, &b, pos, end - pos, edu_pat_at(p_b, pos),
				     edu_unknown(), what);
		if (i == ARRAY_SIZE(cp))
			break;
		snprintf(what, sizeof(what), "copy %u: %#" PRIx64 " bytes from "
			 "%#" PRIx64 " to %#" PRIx64, i, cp[i].len, cp[i].src,
			 cp[i].dst);
		edu_bo_check(fd, &b, cp[i].dst, cp[i].len,
			     edu_pat_at(p_a, cp[i].src),
			     edu_pat_at(p_b, cp[i].dst), what);
		pos = cp[i].dst + cp[i].len;
	}

cpu_only:
	edu_bo_check(fd, &a, 0, size, p_a, edu_unknown(),
		     "source after the copies");

	/*
	 * /proc/self/mem writes reach the device; device writes reach
	 * /proc/self/mem reads: A's ranges get new data through the kernel,
	 * the device copies them to B (same offsets), the kernel reads B.
	 */
	p_c = edu_new_pat();
	p_d = edu_new_pat();
	for (i = 0; i < ARRAY_SIZE(pm); i++)
		edu_procmem_write(&a, pm[i].off, pm[i].len,
				  edu_pat_at(p_c, pm[i].off));
	for (i = 0; device && i < ARRAY_SIZE(pm); i++)
		edu_copy(fd, &a, pm[i].off, &b, pm[i].off, pm[i].len);
	if (device)
		edu_wait(fd, &b);
	for (i = 0; device && i < ARRAY_SIZE(pm); i++) {
		snprintf(what, sizeof(what), "/proc/self/mem write of [%#"
			 PRIx64 ", %#" PRIx64 "), copied by the device, read "
			 "by /proc/self/mem", pm[i].off, pm[i].off + pm[i].len);
		edu_procmem_check(&b, pm[i].off, pm[i].len,
				  edu_pat_at(p_c, pm[i].off), edu_unknown(),
				  what);
	}

	/* And the mapping agrees with what /proc/self/mem wrote. */
	for (i = 0; i < ARRAY_SIZE(pm); i++) {
		snprintf(what, sizeof(what), "mapping after the /proc/self/mem "
			 "write of [%#" PRIx64 ", %#" PRIx64 ")", pm[i].off,
			 pm[i].off + pm[i].len);
		edu_bo_check(fd, &a, pm[i].off, pm[i].len,
			     edu_pat_at(p_c, pm[i].off),
			     edu_pat_at(p_a, pm[i].off), what);
	}

	/* The CPU writes through the mapping, the kernel reads it back. */
	for (i = 0; i < ARRAY_SIZE(pm); i++)
		edu_bo_write(fd, &a, pm[i].off, pm[i].len,
			     edu_pat_at(p_d, pm[i].off));
	for (i = 0; i < ARRAY_SIZE(pm); i++) {
		snprintf(what, sizeof(what), "/proc/self/mem read of [%#"
			 PRIx64 ", %#" PRIx64 ") written through the mapping",
			 pm[i].off, pm[i].off + pm[i].len);
		edu_procmem_check(&a, pm[i].off, pm[i].len,
				  edu_pat_at(p_d, pm[i].off),
				  edu_pat_at(p_c, pm[i].off), what);
	}

	edu_bo_close(fd, &a);
	edu_bo_close(fd, &b);
}

/* Slots of the swiotlb pool in use now, or 0 without one. */
static uint64_t edu_swiotlb_used(void)
{
	uint64_t used = 0;

	edu_debugfs_root_u64("swiotlb/io_tlb_used", &used);
	return used;
}

/*
 * Objects totalling twice the swiotlb pool, each written by the CPU (a
 * few pages) and read by the device, all alive at once.
 *
 * Where every pool the objects use allocates memory the device reaches
 * without bouncing (the dma-pages and coherent backends) and TTM maps
 * the pages, not a single swiotlb slot may be used. Otherwise (streaming
 * mappings, a driver mapping the pages itself, an unpatched TTM) the
 * mappings may bounce: then creating objects beyond the pool must fail
 * with an error, when the pool really is full, and every object created
 * before must keep its data. Either way, no slot stays in use once the
 * objects are freed.
 */
static void test_swiotlb_pressure(int fd, uint32_t caching)
{
	const uint64_t obj_size = 4 * EDU_TEST_MIB, tag = 16;
	const uint64_t per_obj = obj_size / EDU_TEST_SLOT_SIZE;
	uint64_t nslabs, before, after, hiwater = 0, used, sampled, count, i, j;
	uint64_t created, used_at_failure = 0, off[3];
	struct edu_bo *bo, scratch, check;
	struct timespec start, now;
	bool no_bounce = true;
	struct edu_pat *pat;
	char what[96], reset[256];
	int err = 0;

	edu_require_device(fd);
	igt_require_f(edu_debugfs_root_u64("swiotlb/io_tlb_nslabs", &nslabs) &&
		      edu_debugfs_root_u64("swiotlb/io_tlb_used", &before),
		      "no swiotlb debugfs files\n");
	igt_require_f(nslabs > 0, "no swiotlb pool\n");

	/*
	 * Objects of earlier subtests may still be freed by a worker: count
	 * from where the slots in use settle, or their release later looks
	 * like a negative leak.
	 */
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		usleep(100 * 1000);
		after = edu_swiotlb_used();
		if (after == before)
			break;
		before = after;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < 5);

	count = 2 * nslabs / per_obj + 1;
	igt_require_f(count * obj_size < edu_mem_available() / 2,
		      "%" PRIu64 " MiB of objects need more memory\n",
		      count * obj_size >> 20);
	edu_debugfs_root_path("swiotlb/io_tlb_used_hiwater", reset,
			      sizeof(reset));
	igt_require_f(edu_write_file(reset, "0") == 0,
		      "cannot reset swiotlb/io_tlb_used_hiwater\n");

	/* Which pools the objects use, and who maps their pages. */
	if (strcmp(edu_info.maps, "ttm"))
		no_bounce = false;
	for (i = 0; i < edu_info.npools; i++)
		if (strcmp(edu_info.backend[i], "dma-pages") &&
		    strcmp(edu_info.backend[i], "coherent"))
			no_bounce = false;
	igt_info("swiotlb: %" PRIu64 " slots (%" PRIu64 " MiB), %" PRIu64
		 " objects of %" PRIu64 " MiB; pages mapped by %s, pool "
		 "backend(s) %s%s%s: %s\n", nslabs,
		 nslabs * EDU_TEST_SLOT_SIZE >> 20, count, obj_size >> 20,
		 edu_info.maps[0] ? edu_info.maps : "unknown",
		 edu_info.backend[0][0] ? edu_info.backend[0] : "unknown",
		 edu_info.npools > 1 ? ", " : "",
		 edu_info.npools > 1 ? edu_info.backend[1] : "",
		 no_bounce ? "no slot may be used" :
		 "mappings may bounce: objects beyond the pool must fail cleanly");
	igt_assert_eq(edu_write_file(reset, "0"), 0);

	bo = calloc(count, sizeof(*bo));
	pat = calloc(count, sizeof(*pat));
	igt_assert(bo && pat);
	scratch = edu_bo_create_mapped(fd, count * tag, EDU_GPU_PLACE_TT,
				       caching);
	check = edu_bo_create_mapped(fd, 3 * edu_page_size, EDU_GPU_PLACE_TT,
				     caching);
	sampled = edu_swiotlb_used();
	off[0] = 0;
	off[1] = obj_size / 2;
	off[2] = obj_size - edu_page_size;

	for (created = 0; created < count; created++) {
		i = created;
		err = __edu_create(fd, obj_size, EDU_GPU_PLACE_TT, caching, 0,
				   &bo[i].handle, &bo[i].size);
		used = edu_swiotlb_used();
		sampled = used > sampled ? used : sampled;
		if (err) {
			used_at_failure = used;
			igt_info("CREATE of object %" PRIu64 " of %" PRIu64
				 " failed: %s; swiotlb slots in use: %" PRIu64
				 " of %" PRIu64 "\n", i + 1, count,
				 strerror(-err), used, nslabs);
			break;
		}
		pat[i] = edu_new_pat();
		edu_bo_mmap(fd, &bo[i]);
		for (j = 0; j < 3; j++)
			edu_bo_write(fd, &bo[i], off[j], edu_page_size,
				     edu_pat_at(pat[i], off[j]));
		igt_assert_eq(munmap(bo[i].map, obj_size), 0);
		bo[i].map = NULL;

		/* A small copy out of every object, all kept bound. */
		edu_copy(fd, &bo[i], 0, &scratch, i * tag, tag);
		used = edu_swiotlb_used();
		sampled = used > sampled ? used : sampled;
	}
	edu_wait(fd, &scratch);
	for (i = 0; i < created; i++) {
		snprintf(what, sizeof(what), "first %" PRIu64 " bytes of object %"
			 PRIu64 " after binding", tag, i);
		edu_bo_check(fd, &scratch, i * tag, tag, pat[i], edu_unknown(),
			     what);
	}

	/*
	 * The first, a middle and the last page of every object, by the
	 * device: 2 KiB of each (one transfer each way), all of it written
	 * by the CPU above.
	 */
	for (i = 0; i < created; i++) {
		for (j = 0; j < 3; j++)
			edu_copy(fd, &bo[i], off[j], &check, j * edu_page_size,
				 EDU_TEST_SLOT_SIZE);
		edu_wait(fd, &check);
		used = edu_swiotlb_used();
		sampled = used > sampled ? used : sampled;
		for (j = 0; j < 3; j++) {
			snprintf(what, sizeof(what), "object %" PRIu64
				 " of %" PRIu64 ", page at %#" PRIx64,
				 i, count, off[j]);
			edu_bo_check(fd, &check, j * edu_page_size,
				     EDU_TEST_SLOT_SIZE,
				     edu_pat_at(pat[i], off[j]), i ?
				     edu_pat_at(pat[i - 1], off[j]) :
				     edu_unknown(), what);
		}
	}
	edu_debugfs_root_u64("swiotlb/io_tlb_used_hiwater", &hiwater);

	for (i = 0; i < created; i++)
		edu_bo_close(fd, &bo[i]);
	edu_bo_close(fd, &scratch);
	edu_bo_close(fd, &check);
	free(bo);
	free(pat);

	/* Freeing may be deferred to a worker: give it a few seconds. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		after = edu_swiotlb_used();
		if (after <= before)
			break;
		usleep(50 * 1000);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < 5);

	if (hiwater < sampled)
		hiwater = sampled;
	igt_info("swiotlb: before=%" PRIu64 " peak=%" PRIu64 " after=%" PRIu64
		 " nslabs=%" PRIu64 " created=%" PRIu64 " of %" PRIu64 "\n",
		 before, hiwater, after, nslabs, created, count);
	/* Fewer than before: slots of someone else were released meanwhile. */
	igt_assert_f(after <= before,
		     "%" PRIu64 " swiotlb slots in use after every object was "
		     "freed, %" PRIu64 " before: %" PRId64 " leaked\n", after,
		     before, (int64_t)(after - before));

	if (no_bounce) {
		igt_assert_f(created == count, "CREATE of object %" PRIu64
			     " failed: %s, with memory the device reaches "
			     "without bouncing\n", created + 1, strerror(-err));
		igt_assert_f(hiwater == before, "%" PRIu64 " swiotlb slots "
			     "used at peak by objects whose memory the device "
			     "reaches without bouncing (%" PRIu64 " before)\n",
			     hiwater, before);
		igt_info("swiotlb: no bouncing: all %" PRIu64 " objects "
			 "created, no slot used\n", count);
	} else if (created == count) {
		igt_assert_f(hiwater - before < nslabs,
			     "all %" PRIu64 " objects created, twice the pool, "
			     "yet %" PRIu64 " slots used at peak\n", count,
			     hiwater);
		igt_info("swiotlb: mappings did not bounce: all %" PRIu64
			 " objects created, %" PRIu64 " slots used at peak\n",
			 count, hiwater - before);
	} else {
		igt_assert_f(used_at_failure + per_obj > nslabs,
			     "CREATE of object %" PRIu64 " failed (%s) with "
			     "only %" PRIu64 " of %" PRIu64 " swiotlb slots in "
			     "use: not for want of bounce buffers\n",
			     created + 1, strerror(-err), used_at_failure,
			     nslabs);
		igt_info("swiotlb: mappings bounce: object %" PRIu64 " failed "
			 "cleanly (%s) with %" PRIu64 " of %" PRIu64 " slots in "
			 "use; the %" PRIu64 " objects before it kept their "
			 "data\n", created + 1, strerror(-err), used_at_failure,
			 nslabs, created);
	}
}

static int edu_prime_export(int fd, uint32_t handle)
{
	int dmabuf = prime_handle_to_fd_for_mmap(fd, handle);

	igt_assert_f(dmabuf >= 0, "PRIME export of handle %u failed: %s\n",
		     handle, strerror(errno));
	/*
	 * Importing a dma-buf into the device that exported it gives back the
	 * same object, hence the same handle (drm_gem_prime_import() for the
	 * generic PRIME operations, drm_gem_ttm_prime_import() for the TTM
	 * ones, the driver's own import for its own operations).
	 */
	igt_assert_eq_u32(prime_fd_to_handle(fd, dmabuf), handle);
	return dmabuf;
}

/*
 * Another client of the same device imports the dma-buf: the driver's
 * PRIME import must recognise its own export (the file's handle cache
 * answers for the exporting client only). edu_gpu imports nothing else.
 */
static void edu_prime_import_other_client(int fd, int dmabuf)
{
	int fd2 = drm_reopen_driver(fd);
	struct drm_prime_handle args = { .fd = dmabuf };

	igt_assert_f(igt_ioctl(fd2, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args) == 0,
		     "another client of the device cannot import its own "
		     "dma-buf: %s\n", strerror(errno));
	igt_assert_neq(args.handle, 0);
	gem_close(fd2, args.handle);
	drm_close_driver(fd2);
}

static uint8_t *edu_dmabuf_mmap(int dmabuf, uint64_t size)
{
	void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 dmabuf, 0);

	igt_assert_f(map != MAP_FAILED, "mmap of the dma-buf failed: %s\n",
		     strerror(errno));
	return map;
}

/*
 * CPU access through a dma-buf mapping, bracketed by DMA_BUF_IOCTL_SYNC as
 * importers do: writes reach the device, device writes are visible
 * after SYNC_START (once the device is done: see
 * test_dmabuf_sync_during_copy() for a SYNC_START that has to wait).
 */
static void test_dmabuf_cpu_access(int fd, uint32_t caching)
{
	const uint64_t sizes[] = { 3 * edu_page_size + 123,
				   2 * EDU_TEST_MIB + 5 * edu_page_size };
	struct edu_range w[EDU_MAX_WINDOWS];
	struct edu_bo exp, other, src;
	struct edu_pat p_a, p_b;
	unsigned int i, n;
	uint64_t size;
	uint8_t *map;
	int dmabuf;

	edu_require_device(fd);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size = sizes[i];
		p_a = edu_new_pat();
		p_b = edu_new_pat();

		exp = edu_bo_create(fd, size, EDU_GPU_PLACE_TT, caching);
		other = edu_bo_create_mapped(fd, size, EDU_GPU_PLACE_TT, caching);
		src = edu_bo_create_mapped(fd, size, EDU_GPU_PLACE_TT, caching);
		dmabuf = edu_prime_export(fd, exp.handle);
		edu_prime_import_other_client(fd, dmabuf);
		map = edu_dmabuf_mmap(dmabuf, exp.size);

		prime_sync_start(dmabuf, true);
		edu_fill(map, 0, size, p_a);
		prime_sync_end(dmabuf, true);

		n = edu_copy_windows(fd, &exp, &other, size, w, EDU_MAX_WINDOWS);
		edu_wait(fd, &other);
		edu_check_windows(fd, &other, size, w, n, p_a, edu_zero(),
				  "device read of CPU writes made through the "
				  "dma-buf");

		edu_bo_write(fd, &src, 0, size, p_b);
		edu_copy_windows(fd, &src, &exp, size, w, EDU_MAX_WINDOWS);
		edu_wait(fd, &exp);
		prime_sync_start(dmabuf, false);
		edu_check_windows_map(map, size, w, n, p_b, p_a,
				      "CPU read through the dma-buf of a "
				      "device write");
		prime_sync_end(dmabuf, false);

		igt_assert_eq(munmap(map, exp.size), 0);
		close(dmabuf);
		edu_bo_close(fd, &exp);
		edu_bo_close(fd, &other);
		edu_bo_close(fd, &src);
	}
}

/*
 * DMA_BUF_IOCTL_SYNC (start, read) while the device is still writing the
 * object: the exporter must wait for the device before it hands the
 * pages to the CPU, or the CPU reads what was there before the copy.
 */
static void test_dmabuf_sync_during_copy(int fd, uint32_t caching)
{
	const uint64_t size = 256 * EDU_TEST_KIB;
	struct edu_bo exp, src;
	struct edu_pat p_a, p_b;
	uint8_t *map;
	int dmabuf, busy;

	edu_require_device(fd);
	p_a = edu_new_pat();
	p_b = edu_new_pat();
	exp = edu_bo_create(fd, size, EDU_GPU_PLACE_TT, caching);
	src = edu_bo_create_mapped(fd, size, EDU_GPU_PLACE_TT, caching);
	dmabuf = edu_prime_export(fd, exp.handle);
	map = edu_dmabuf_mmap(dmabuf, size);

	/* The CPU has the old content mapped (and maybe cached). */
	prime_sync_start(dmabuf, true);
	edu_fill(map, 0, size, p_a);
	prime_sync_end(dmabuf, true);
	edu_bo_write(fd, &src, 0, size, p_b);

	/* 64 transfers, 100 ms of device time each: still running below. */
	edu_copy(fd, &src, 0, &exp, 0, size);
	busy = __edu_wait(fd, exp.handle, 0, 0);
	prime_sync_start(dmabuf, false);
	igt_assert_f(busy == -ETIME, "the copy was over before SYNC_START "
		     "(WAIT: %s): nothing tested\n",
		     busy ? strerror(-busy) : "idle");
	edu_check(map, 0, size, p_b, p_a,
		  "CPU read through the dma-buf, SYNC_START during the copy");
	prime_sync_end(dmabuf, false);

	igt_assert_eq(munmap(map, size), 0);
	close(dmabuf);
	edu_bo_close(fd, &exp);
	edu_bo_close(fd, &src);
}

static void edu_evict(int fd)
{
	int dir = igt_debugfs_dir(fd);
	int ret;

	igt_assert_lte(0, dir);
	ret = igt_sysfs_write(dir, "edu_gpu_evict", "1", 1);
	close(dir);
	igt_assert_f(ret == 1, "writing 1 to edu_gpu_evict failed: %s\n",
		     strerror(ret < 0 ? -ret : EIO));
}

/* Swap out every object TTM can: tt_shrink swaps one object per read. */
static void edu_tt_shrink(void)
{
	long pages = 0, ret = 0;
	char path[256], buf[64];
	int reads;

	edu_debugfs_root_path("ttm/tt_shrink", path, sizeof(path));
	for (reads = 1; reads <= 1024; reads++) {
		igt_assert_lt(0, igt_debugfs_simple_read(AT_FDCWD, path, buf, sizeof(buf)));
		ret = strtol(buf, NULL, 10);
		if (ret <= 0)
			break;
		pages += ret;
	}
	igt_info("tt_shrink: %ld pages swapped out in %d reads (last %ld)\n",
		 pages, reads, ret);
}

/* Each object is swapped out: in SYSTEM, no pages, its content in shmem. */
static void edu_assert_swapped(int fd, const struct edu_bo *bo,
			       unsigned int n, const char *when)
{
	struct edu_obj_state st;
	unsigned int i;

	for (i = 0; i < n; i++) {
		edu_obj_state(fd, &bo[i], &st);
		igt_assert_f(st.swapped && !st.populated &&
			     !strcmp(st.placement, "system"),
			     "%s: object %u (%#" PRIx64 " bytes) not swapped "
			     "out: placement %s, populated %d, swapped %d, "
			     "pin %u, cpu_access %u\n", when, i, bo[i].size,
			     st.placement, st.populated, st.swapped, st.pin,
			     st.cpu_access);
	}
}

/*
 * Objects go TT -> system (eviction) -> shmem (swap-out) and come back
 * either by a CPU access or by a device copy (which moves them into TT
 * again); then the CPU rewrites them and they go out and come back once
 * more. The driver's object list must show each one swapped out. Small
 * objects first (chunks that fit one swiotlb bounce, 256 KiB), so that a
 * TTM that cannot map large chunks under bouncing fails on data first;
 * then large ones, compared in windows. Without a device (CPU-only
 * personalities) only the CPU checks.
 */
static void test_evict_and_return(int fd, uint32_t caching)
{
	const uint64_t small[] = {
		edu_page_size, 3 * edu_page_size + 123,
		64 * EDU_TEST_KIB + 5 * edu_page_size + 7, EDU_TEST_BOUNCE_MAX,
	};
	const uint64_t large[] = {
		2 * EDU_TEST_MIB, 4 * EDU_TEST_MIB + 5 * edu_page_size,
	};
	struct edu_bo bo[ARRAY_SIZE(small)], scratch, chk;
	struct edu_pat pat[ARRAY_SIZE(small)], old[ARRAY_SIZE(small)];
	struct edu_range w[EDU_MAX_WINDOWS];
	bool device = edu_has_device(fd);
	unsigned int i, n, nw, round, phase;
	const uint64_t *sizes;
	char what[128];
	bool cpu_first;

	igt_require_f(igt_debugfs_exists(fd, "edu_gpu_evict", O_WRONLY),
		      "no edu_gpu_evict in debugfs\n");
	edu_debugfs_root_path("ttm/tt_shrink", what, sizeof(what));
	igt_require_f(access(what, R_OK) == 0, "no %s\n", what);
	if (!device)
		igt_info("personality %s: the device reaches no system memory: "
			 "CPU checks only\n", edu_info.personality);

	for (phase = 0; phase < 2; phase++) {
		sizes = phase ? large : small;
		n = phase ? ARRAY_SIZE(large) : ARRAY_SIZE(small);
		scratch = edu_bo_create_mapped(fd, n * 64, EDU_GPU_PLACE_TT,
					       caching);
		for (i = 0; i < n; i++) {
			pat[i] = edu_new_pat();
			old[i] = edu_unknown();
			bo[i] = edu_bo_create_mapped(fd, sizes[i],
						     EDU_GPU_PLACE_TT, caching);
			edu_bo_write(fd, &bo[i], 0, bo[i].size, pat[i]);
			if (device)	/* bound, and read once by the device */
				edu_copy(fd, &bo[i], 0, &scratch, i * 64, 64);
		}
		for (i = 0; device && i < n; i++) {
			edu_wait(fd, &scratch);
			edu_bo_check(fd, &scratch, i * 64, 64, pat[i],
				     edu_unknown(), "object before eviction");
		}

		for (round = 0; round < 2; round++) {
			for (i = 0; device && i < n; i++)
				edu_wait(fd, &bo[i]);
			edu_evict(fd);
			edu_tt_shrink();
			snprintf(what, sizeof(what), "%s objects, round %u",
				 phase ? "large" : "small", round);
			edu_assert_swapped(fd, bo, n, what);

			for (i = 0; i < n; i++) {
				/* Alternate which side brings it back first. */
				cpu_first = !device || (i + round) % 2 == 0;
				snprintf(what, sizeof(what), "%s object %u "
					 "(%#" PRIx64 " bytes), round %u, %s",
					 phase ? "large" : "small", i,
					 bo[i].size, round, cpu_first ?
					 "CPU read first" : "after the device");
				if (cpu_first)
					edu_bo_check(fd, &bo[i], 0, bo[i].size,
						     pat[i], old[i], what);
				if (!device)
					continue;
				chk = edu_bo_create_mapped(fd, bo[i].size,
							   EDU_GPU_PLACE_TT,
							   caching);
				nw = edu_copy_windows(fd, &bo[i], &chk,
						      bo[i].size, w,
						      EDU_MAX_WINDOWS);
				edu_wait(fd, &chk);
				edu_check_windows(fd, &chk, bo[i].size, w, nw,
						  pat[i], edu_zero(),
						  "device copy");
				edu_bo_close(fd, &chk);
				if (!cpu_first)
					edu_bo_check(fd, &bo[i], 0, bo[i].size,
						     pat[i], old[i], what);
			}

			/* New CPU writes, which the next swap-out must keep. */
			for (i = 0; round == 0 && i < n; i++) {
				old[i] = pat[i];
				pat[i] = edu_new_pat();
				edu_bo_write(fd, &bo[i], 0, bo[i].size, pat[i]);
			}
		}

		for (i = 0; i < n; i++)
			edu_bo_close(fd, &bo[i]);
		edu_bo_close(fd, &scratch);
	}
}

static void edu_expect(int ret, int err, const char *what)
{
	igt_assert_f(ret == -err, "%s: expected %s, got %s\n", what,
		     err ? strerror(err) : "success",
		     ret ? strerror(-ret) : "success");
}

/* Neither object has an access open or a pin left, and both are idle. */
static void edu_expect_untouched(int fd, const struct edu_bo *a,
				 const struct edu_bo *b, const char *after)
{
	struct edu_obj_state st;
	char what[128];

	snprintf(what, sizeof(what), "WAIT (test only) on the first object "
		 "after %s", after);
	edu_expect(__edu_wait(fd, a->handle, 0, 0), 0, what);
	snprintf(what, sizeof(what), "WAIT (test only) on the second object "
		 "after %s", after);
	edu_expect(__edu_wait(fd, b->handle, 0, 0), 0, what);
	edu_obj_state(fd, a, &st);
	igt_assert_f(!st.cpu_access && !st.pin, "after %s: first object has "
		     "%u CPU accesses open, pin %u\n", after, st.cpu_access,
		     st.pin);
	edu_obj_state(fd, b, &st);
	igt_assert_f(!st.cpu_access && !st.pin, "after %s: second object has "
		     "%u CPU accesses open, pin %u\n", after, st.cpu_access,
		     st.pin);
}

static void test_bad_input_cpu_access(int fd, const struct edu_bo *a,
				      const struct edu_bo *b, uint32_t closed,
				      bool device)
{
	const uint32_t R = EDU_GPU_CPU_READ, W = EDU_GPU_CPU_WRITE;
	const uint64_t sz = a->size;
	const struct {
		uint32_t flags;
		uint64_t off, size, pad;
		const char *what;
	} bad[] = {
		{ 0, 0, 16, 0, "flags 0" },
		{ 4, 0, 16, 0, "flags 4" },
		{ R | 4, 0, 16, 0, "flags READ | 4" },
		{ 1u << 31, 0, 16, 0, "flags 1 << 31" },
		{ R, 0, 16, 1, "pad 1" },
		{ R, 0, 16, 1ull << 63, "pad 1 << 63" },
		{ R, 0, 0, 0, "size 0" },
		{ R, 0, sz + 1, 0, "one byte more than the object" },
		{ R, sz, 1, 0, "offset at the end" },
		{ W, sz - 8, 16, 0, "range across the end" },
		{ R, UINT64_MAX, 1, 0, "offset ~0" },
		{ R, 8, UINT64_MAX - 7, 0, "end overflowing to 0" },
		{ R | W, 16, UINT64_MAX - 7, 0, "end overflowing to 8" },
	};
	char what[128];
	unsigned int i, n;
	int err;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(what, sizeof(what), "CPU_PREP with %s", bad[i].what);
		edu_expect(__edu_cpu_access(fd, DRM_IOCTL_EDU_GPU_CPU_PREP,
					    a->handle, bad[i].flags, bad[i].off,
					    bad[i].size, bad[i].pad),
			   EINVAL, what);
		snprintf(what, sizeof(what), "CPU_FINI with %s", bad[i].what);
		edu_expect(__edu_cpu_access(fd, DRM_IOCTL_EDU_GPU_CPU_FINI,
					    a->handle, bad[i].flags, bad[i].off,
					    bad[i].size, bad[i].pad),
			   EINVAL, what);
	}
	edu_expect(__edu_cpu_prep(fd, 0, R, 0, 16), ENOENT,
		   "CPU_PREP of handle 0");
	edu_expect(__edu_cpu_prep(fd, closed, R, 0, 16), ENOENT,
		   "CPU_PREP of a closed handle");
	edu_expect(__edu_cpu_prep(fd, 0x7fffffff, R, 0, 16), ENOENT,
		   "CPU_PREP of handle 0x7fffffff");
	edu_expect(__edu_cpu_fini(fd, closed, R, 0, 16), ENOENT,
		   "CPU_FINI of a closed handle");
	edu_expect_untouched(fd, a, b, "CPU_PREP/CPU_FINI with bad arguments");

	/* Ownership cannot be unbalanced from user space. */
	edu_expect(__edu_cpu_fini(fd, a->handle, R, 0, 16), EINVAL,
		   "CPU_FINI without CPU_PREP");
	edu_cpu_prep(fd, a, R, 0, 16);
	edu_expect(__edu_cpu_fini(fd, a->handle, W, 0, 16), EINVAL,
		   "CPU_FINI with other flags than its CPU_PREP");
	edu_expect(__edu_cpu_fini(fd, a->handle, R, 1, 16), EINVAL,
		   "CPU_FINI at another offset than its CPU_PREP");
	edu_expect(__edu_cpu_fini(fd, a->handle, R, 0, 15), EINVAL,
		   "CPU_FINI of another size than its CPU_PREP");
	edu_expect(__edu_cpu_fini(fd, b->handle, R, 0, 16), EINVAL,
		   "CPU_FINI of another object than its CPU_PREP");

	/* The CPU has an access open: no COPY may touch the object. */
	if (device) {
		edu_expect(__edu_copy_bo(fd, a, 0, b, 0, 16), EBUSY,
			   "COPY from an object with a CPU access open");
		edu_expect(__edu_copy_bo(fd, b, 0, a, 64, 16), EBUSY,
			   "COPY to an object with a CPU access open");
		edu_expect(__edu_copy_bo(fd, a, 0, a, 64, 16), EBUSY,
			   "COPY within an object with a CPU access open");
	}
	edu_cpu_fini(fd, a, R, 0, 16);
	edu_expect(__edu_cpu_fini(fd, a->handle, R, 0, 16), EINVAL,
		   "a second CPU_FINI");

	/* Nested and out of order; then as many FINIs as PREPs. */
	edu_cpu_prep(fd, a, R, 0, 16);
	edu_cpu_prep(fd, a, R | W, 8, 100);
	edu_cpu_prep(fd, a, R, 0, 16);
	edu_cpu_fini(fd, a, R, 0, 16);
	edu_cpu_fini(fd, a, R | W, 8, 100);
	edu_cpu_fini(fd, a, R, 0, 16);
	edu_expect(__edu_cpu_fini(fd, a->handle, R, 0, 16), EINVAL,
		   "a CPU_FINI more than CPU_PREPs");

	/* At most EDU_GPU_MAX_CPU_ACCESS open per object. */
	for (n = 0; n < EDU_GPU_MAX_CPU_ACCESS; n++) {
		err = __edu_cpu_prep(fd, a->handle, R, n, 1);
		if (err)
			break;
	}
	igt_assert_f(n == EDU_GPU_MAX_CPU_ACCESS, "CPU_PREP %u of %u failed: "
		     "%s\n", n + 1, EDU_GPU_MAX_CPU_ACCESS, strerror(-err));
	edu_expect(__edu_cpu_prep(fd, a->handle, R, 0, 1), ENOSPC,
		   "CPU_PREP beyond EDU_GPU_MAX_CPU_ACCESS");
	while (n--)
		edu_cpu_fini(fd, a, R, n, 1);
	edu_expect_untouched(fd, a, b, "CPU_PREP/CPU_FINI");
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
	bool device = edu_has_device(fd);
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
	edu_bo_write(fd, &a, 0, a.size, p_a);
	edu_bo_write(fd, &b, 0, b.size, p_b);

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

	/* WAIT: flags, negative timeouts */
	edu_expect(__edu_wait(fd, a.handle, 1, 0), EINVAL, "WAIT with flags 1");
	edu_expect(__edu_wait(fd, a.handle, 1u << 31, 0), EINVAL,
		   "WAIT with flags 1 << 31");
	edu_expect(__edu_wait(fd, a.handle, 0, -1), EINVAL,
		   "WAIT with timeout -1");
	edu_expect(__edu_wait(fd, a.handle, 0, INT64_MIN), EINVAL,
		   "WAIT with timeout INT64_MIN");

	/* CPU_PREP, CPU_FINI */
	test_bad_input_cpu_access(fd, &a, &b, closed, device);

	/* Nothing was queued and nothing changed. */
	edu_expect_untouched(fd, &a, &b, "failed ioctls");
	edu_bo_check(fd, &a, 0, a.size, p_a, edu_unknown(),
		     "first object after failed ioctls");
	edu_bo_check(fd, &b, 0, b.size, p_b, edu_unknown(),
		     "second object after failed ioctls");

	if (!device) {
		/* Valid arguments, but the device reaches no system memory. */
		edu_expect(__edu_copy_bo(fd, &a, 0, &b, 0, 16), EOPNOTSUPP,
			   "COPY with a CPU-only personality");
		edu_expect_untouched(fd, &a, &b, "a COPY with a CPU-only "
				     "personality");
		edu_bo_check(fd, &b, 0, b.size, p_b, edu_unknown(),
			     "destination of a refused COPY");
		edu_bo_close(fd, &a);
		edu_bo_close(fd, &b);
		return;
	}

	/* Controls: the limits themselves are valid. */
	edu_copy(fd, &a, 0, &a, edu_page_size, edu_page_size);	/* adjacent */
	edu_copy(fd, &a, a.size - 16, &b, b.size - 16, 16);	/* up to the end */
	edu_bo_check(fd, &a, 0, edu_page_size, p_a, edu_unknown(),
		     "source range of a copy within one object");
	edu_bo_check(fd, &a, edu_page_size, edu_page_size, p_a,
		     edu_pat_at(p_a, edu_page_size),
		     "destination range of a copy within one object");
	edu_bo_check(fd, &b, 0, b.size - 16, p_b, edu_unknown(),
		     "destination before a copy up to its end");
	edu_bo_check(fd, &b, b.size - 16, 16,
		     edu_pat_at(p_a, edu_page_size - 16),
		     edu_pat_at(p_b, b.size - 16), "copy up to the end");

	/* A busy object: a zero timeout only tests, -ETIME if not done. */
	p_big = edu_new_pat();
	big1 = edu_bo_create_mapped(fd, 64 * EDU_TEST_KIB, TT, CACHED);
	big2 = edu_bo_create(fd, 64 * EDU_TEST_KIB, TT, CACHED);
	edu_bo_write(fd, &big1, 0, big1.size, p_big);
	edu_copy(fd, &big1, 0, &big2, 0, big1.size);
	ret = __edu_wait(fd, big2.handle, 0, 0);
	igt_assert_f(ret == 0 || ret == -ETIME,
		     "WAIT with timeout 0 on a busy object: %s\n",
		     strerror(-ret));
	igt_info("WAIT with timeout 0 right after a 64 KiB COPY: %s\n",
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
			     "be what the device reads, for one page, an odd "
			     "size, 2 MiB + 5 pages and 4 MiB + 5 pages.");
		igt_subtest_f("cpu-write-device-read-%s", m->name)
			test_cpu_write_device_read(fd, EDU_GPU_PLACE_TT,
						   m->caching, EDU_NSIZES);
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
		igt_describe("The device must read zeroes from a new object "
			     "nobody wrote.");
		igt_subtest_f("fresh-zero-%s", m->name)
			test_fresh_zero(fd, m->caching);
	}

	for_each_edu_mode(m) {
		igt_describe("CPU writes and device copies at odd offsets and "
			     "lengths across page and chunk boundaries, through "
			     "the mapping and /proc/self/mem, must agree.");
		igt_subtest_f("offsets-%s", m->name)
			test_offsets(fd, m->caching);
	}

	for_each_edu_mode(m) {
		igt_describe("Objects totalling twice the swiotlb pool must use "
			     "no slot, or fail cleanly where mappings bounce, "
			     "and leave no slot in use once freed.");
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
		igt_describe("DMA_BUF_IOCTL_SYNC (start, read) issued while the "
			     "device still writes the object must wait for it "
			     "and see its data.");
		igt_subtest_f("dmabuf-sync-during-copy-%s", m->name)
			test_dmabuf_sync_during_copy(fd, m->caching);
	}

	for_each_edu_mode(m) {
		igt_describe("Contents must survive eviction from TT and "
			     "swap-out to shmem, twice, whether the CPU or the "
			     "device touches them first afterwards.");
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
