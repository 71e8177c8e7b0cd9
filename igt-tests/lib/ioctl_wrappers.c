// SPDX-License-Identifier: MIT
/*
 * GEM close and PRIME helpers of the minimal IGT stand-in; see igt.h.
 * Same names and behaviour as IGT's lib/ioctl_wrappers.c.
 */
#include <sys/ioctl.h>

#include <linux/dma-buf.h>

#include "igt.h"

int __gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close close_bo;
	int err = 0;

	memset(&close_bo, 0, sizeof(close_bo));
	close_bo.handle = handle;
	if (igt_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &close_bo)) {
		err = -errno;
		errno = 0;
	}
	return err;
}

void gem_close(int fd, uint32_t handle)
{
	igt_assert_eq(__gem_close(fd, handle), 0);
}

int prime_handle_to_fd(int fd, uint32_t handle)
{
	struct drm_prime_handle args;

	memset(&args, 0, sizeof(args));
	args.handle = handle;
	args.flags = DRM_CLOEXEC;
	args.fd = -1;

	do_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &args);

	return args.fd;
}

/* As prime_handle_to_fd(), writable; -1 if the ioctl fails. */
int prime_handle_to_fd_for_mmap(int fd, uint32_t handle)
{
	struct drm_prime_handle args;

	memset(&args, 0, sizeof(args));
	args.handle = handle;
	args.flags = DRM_CLOEXEC | DRM_RDWR;
	args.fd = -1;

	if (igt_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &args) != 0)
		return -1;

	return args.fd;
}

/* The handle of the GEM object a dma-buf gives; asserts the import works. */
uint32_t prime_fd_to_handle(int fd, int dma_buf_fd)
{
	struct drm_prime_handle args;

	memset(&args, 0, sizeof(args));
	args.fd = dma_buf_fd;
	do_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args);
	return args.handle;
}

static void prime_sync(int dma_buf_fd, __u64 flags, bool write)
{
	struct dma_buf_sync sync;

	memset(&sync, 0, sizeof(sync));
	sync.flags = flags | DMA_BUF_SYNC_READ;
	if (write)
		sync.flags |= DMA_BUF_SYNC_WRITE;
	do_ioctl(dma_buf_fd, DMA_BUF_IOCTL_SYNC, &sync);
}

/* Before CPU access through a dma-buf mmap: read, or read and write. */
void prime_sync_start(int dma_buf_fd, bool write)
{
	prime_sync(dma_buf_fd, DMA_BUF_SYNC_START, write);
}

/* After CPU access through a dma-buf mmap. */
void prime_sync_end(int dma_buf_fd, bool write)
{
	prime_sync(dma_buf_fd, DMA_BUF_SYNC_END, write);
}
