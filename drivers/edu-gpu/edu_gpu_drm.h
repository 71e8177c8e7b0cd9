/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * UAPI of edu_gpu, a DRM/TTM driver for QEMU's edu PCI device
 * (1234:11e8): a test GPU whose only engine is a DMA copy engine.
 *
 * Buffer objects live in system memory. An object placed in TT is bound
 * to the device's "GART": the DMA address of each of its pages, as the
 * DMA API gave it to TTM. The copy engine reaches only TT objects: COPY
 * moves both objects into TT first, then copies through the device
 * (RAM -> device buffer -> RAM, at most 4095 bytes a transfer).
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

/* Where a new object is placed: exactly one of these. */
#define EDU_GPU_PLACE_SYSTEM		(1 << 0)
#define EDU_GPU_PLACE_TT		(1 << 1)

/* CPU caching of the object's pages, for every CPU mapping of them. */
#define EDU_GPU_CACHING_CACHED		0
#define EDU_GPU_CACHING_WC		1
#define EDU_GPU_CACHING_UC		2

/* Largest object CREATE accepts. */
#define EDU_GPU_MAX_OBJECT_SIZE		(1ULL << 30)

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
 * every CPU access path the kernel provides (mmap faults, dma-buf CPU
 * access, eviction).
 *
 * Errors: -ENOENT for an unknown handle; -EINVAL for a zero size, a range
 * past the end of an object or whose end overflows, overlapping ranges
 * in one object, non-zero flags or pad; -ENOMEM/-ENOSPC when the objects
 * cannot be placed in TT; -EINTR/-ERESTARTSYS on a signal. On error
 * nothing was queued.
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

#define DRM_IOCTL_EDU_GPU_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDU_GPU_CREATE, struct drm_edu_gpu_create)
#define DRM_IOCTL_EDU_GPU_MMAP_OFFSET \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDU_GPU_MMAP_OFFSET, struct drm_edu_gpu_mmap_offset)
#define DRM_IOCTL_EDU_GPU_COPY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_EDU_GPU_COPY, struct drm_edu_gpu_copy)
#define DRM_IOCTL_EDU_GPU_WAIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_EDU_GPU_WAIT, struct drm_edu_gpu_wait)

#if defined(__cplusplus)
}
#endif

#endif /* _EDU_GPU_DRM_H_ */
