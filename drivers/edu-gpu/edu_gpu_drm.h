/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * UAPI of edu_gpu, a DRM/TTM driver for QEMU's edu PCI device
 * (1234:11e8): a test GPU whose only engine is a DMA copy engine.
 *
 * Buffer objects live in system memory. An object placed in TT is bound
 * to the device's "GART": the DMA address of each of its pages, as the
 * DMA API gave it to TTM (or to the driver, module parameter
 * personality=xe). The copy engine reaches only TT objects: COPY moves
 * both objects into TT first, then copies through the device (RAM ->
 * device buffer -> RAM, at most 4095 bytes a transfer). The CPU accesses
 * objects through mmap(), between CPU_PREP and CPU_FINI.
 */
#ifndef _EDU_GPU_DRM_H_
#define _EDU_GPU_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_EDU_GPU_CREATE		0x00
#define DRM_EDU_GPU_MMAP_OFFSET		0x01
#define DRM_EDU_GPU_COPY		0x02
#define DRM_EDU_GPU_WAIT		0x03
#define DRM_EDU_GPU_CPU_PREP		0x04
#define DRM_EDU_GPU_CPU_FINI		0x05

/* Where a new object is placed: exactly one of these. */
#define EDU_GPU_PLACE_SYSTEM		0x1
#define EDU_GPU_PLACE_TT		0x2

/* CPU caching of the object's pages, for every CPU mapping of them. */
#define EDU_GPU_CACHING_CACHED		0
#define EDU_GPU_CACHING_WC		1
#define EDU_GPU_CACHING_UC		2

/* Largest object CREATE accepts. */
#define EDU_GPU_MAX_OBJECT_SIZE		0x40000000ULL	/* 1 GiB */

/* CPU_PREP/CPU_FINI: what the CPU is going to do with the range. */
#define EDU_GPU_CPU_READ		0x1
#define EDU_GPU_CPU_WRITE		0x2

/* Open CPU accesses an object may have at a time. */
#define EDU_GPU_MAX_CPU_ACCESS		64

/**
 * struct drm_edu_gpu_create - create a buffer object
 * @size: in: size in bytes, 1 to EDU_GPU_MAX_OBJECT_SIZE, rounded up to
 *	pages; out: the rounded size
 * @placement: in: EDU_GPU_PLACE_SYSTEM or EDU_GPU_PLACE_TT
 * @caching: in: EDU_GPU_CACHING_*
 * @flags: in: must be 0
 * @handle: out: GEM handle
 *
 * Errors: -EINVAL for a size of 0 or above the maximum, an unknown or
 * combined placement, an unknown caching, non-zero flags; -ENOMEM.
 */
struct drm_edu_gpu_create {
	__u64 size;
	__u32 placement;
	__u32 caching;
	__u32 flags;
	__u32 handle;
};

/**
 * struct drm_edu_gpu_mmap_offset - fake offset to mmap() an object
 * @handle: in: GEM handle
 * @pad: in: must be 0
 * @offset: out: offset to pass to mmap() on the DRM file
 *
 * Errors: -ENOENT for an unknown handle, -EINVAL for non-zero @pad.
 */
struct drm_edu_gpu_mmap_offset {
	__u32 handle;
	__u32 pad;
	__u64 offset;
};

/**
 * struct drm_edu_gpu_copy - copy bytes from one object to another with
 * the device's DMA engine
 * @src_handle: in: source object
 * @dst_handle: in: destination object (may be the source object if the
 *	two ranges do not overlap)
 * @src_offset: in: byte offset in the source
 * @dst_offset: in: byte offset in the destination
 * @size: in: bytes to copy, at least 1
 * @flags: in: must be 0
 * @pad: in: must be 0
 *
 * Moves both objects into TT (binding them), queues the copy and returns;
 * the copy's fence is added to both objects (write to the destination,
 * read to the source). DRM_IOCTL_EDU_GPU_WAIT waits for it, and so does
 * every CPU access path the kernel provides (mmap faults, CPU_PREP,
 * dma-buf CPU access, eviction).
 *
 * Errors: -ENOENT for an unknown handle; -EINVAL for a zero size, a range
 * past the end of an object or whose end overflows, overlapping ranges
 * in one object, non-zero flags or pad; -EOPNOTSUPP when the device
 * cannot reach system memory at all (module parameter personality=qxl or
 * vram-helper: only the CPU uses objects there); -EBUSY when either
 * object has a CPU access open (DRM_IOCTL_EDU_GPU_CPU_PREP without its
 * CPU_FINI yet); -ENOMEM/-ENOSPC/-EFAULT when the objects cannot be
 * placed in TT; -EINTR/-ERESTARTSYS on a signal. On error nothing was
 * queued.
 */
struct drm_edu_gpu_copy {
	__u32 src_handle;
	__u32 dst_handle;
	__u64 src_offset;
	__u64 dst_offset;
	__u64 size;
	__u32 flags;
	__u32 pad;
};

/**
 * struct drm_edu_gpu_wait - wait until the device is done with an object
 * @handle: in: GEM handle
 * @flags: in: must be 0
 * @timeout_ns: in: relative timeout in ns; 0 only tests
 *
 * Returns 0 when every copy that reads or writes the object has completed,
 * -ETIME when the timeout expired first. Errors: -ENOENT for an unknown
 * handle, -EINVAL for non-zero @flags or a negative timeout, -EIO if a
 * copy failed (device error or timeout), -ERESTARTSYS on a signal.
 */
struct drm_edu_gpu_wait {
	__u32 handle;
	__u32 flags;
	__s64 timeout_ns;
};

/**
 * struct drm_edu_gpu_cpu_access - start or end a CPU access to a range of
 * an object through its mappings
 * @handle: in: GEM handle
 * @flags: in: EDU_GPU_CPU_READ, EDU_GPU_CPU_WRITE or both
 * @offset: in: byte offset of the range
 * @size: in: bytes, at least 1
 * @pad: in: must be 0
 *
 * Where the DMA layer bounces or the device does not snoop the CPU's
 * caches, the CPU and the device see the same pages only after an
 * explicit hand-over, and the kernel cannot see CPU accesses through an
 * mmap(). User space brackets every CPU access through a mapping of an
 * object (GEM mmap or dma-buf mmap; dma-buf users may use
 * DMA_BUF_IOCTL_SYNC instead) with these two ioctls:
 *
 * DRM_IOCTL_EDU_GPU_CPU_PREP populates the object if needed (swapping it
 * in), waits interruptibly for the copies that write the object (for
 * EDU_GPU_CPU_READ) or for all its copies (EDU_GPU_CPU_WRITE), hands the
 * pages of the range to the CPU and records the access: until the
 * matching CPU_FINI the object stays where it is (it is neither evicted
 * nor swapped out) and COPY refuses it with -EBUSY.
 *
 * DRM_IOCTL_EDU_GPU_CPU_FINI ends an access that CPU_PREP started with
 * the same @flags, @offset and @size, handing the pages of the range back
 * to the device: what the CPU wrote is what the device reads next.
 *
 * Accesses nest and need not end in order; each CPU_FINI ends one open
 * access with exactly these arguments. At most EDU_GPU_MAX_CPU_ACCESS are
 * open per object. Closing the last handle of an object ends its open
 * accesses.
 *
 * Errors: -ENOENT for an unknown handle; -EINVAL for flags other than
 * the two (or none), a zero size, a range past the end of the object or
 * whose end overflows, non-zero @pad, and for a CPU_FINI without an open
 * access with these arguments; -ENOSPC for a CPU_PREP beyond
 * EDU_GPU_MAX_CPU_ACCESS open accesses; -ENOMEM/-EFAULT when the pages
 * cannot be populated; -EINTR/-ERESTARTSYS on a signal. On error nothing
 * changed.
 */
struct drm_edu_gpu_cpu_access {
	__u32 handle;
	__u32 flags;
	__u64 offset;
	__u64 size;
	__u64 pad;
};

#define DRM_IOCTL_EDU_GPU_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDU_GPU_CREATE, struct drm_edu_gpu_create)
#define DRM_IOCTL_EDU_GPU_MMAP_OFFSET \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDU_GPU_MMAP_OFFSET, struct drm_edu_gpu_mmap_offset)
#define DRM_IOCTL_EDU_GPU_COPY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_EDU_GPU_COPY, struct drm_edu_gpu_copy)
#define DRM_IOCTL_EDU_GPU_WAIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_EDU_GPU_WAIT, struct drm_edu_gpu_wait)
#define DRM_IOCTL_EDU_GPU_CPU_PREP \
	DRM_IOW(DRM_COMMAND_BASE + DRM_EDU_GPU_CPU_PREP, struct drm_edu_gpu_cpu_access)
#define DRM_IOCTL_EDU_GPU_CPU_FINI \
	DRM_IOW(DRM_COMMAND_BASE + DRM_EDU_GPU_CPU_FINI, struct drm_edu_gpu_cpu_access)

#if defined(__cplusplus)
}
#endif

#endif /* _EDU_GPU_DRM_H_ */
