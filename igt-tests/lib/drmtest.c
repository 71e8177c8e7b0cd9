// SPDX-License-Identifier: MIT
/*
 * Device opening and igt_ioctl of the minimal IGT stand-in; see igt.h.
 * Like IGT's lib/drmtest.c in compatibility mode: the first /dev/dri/cardN
 * whose driver matches, IGT_FORCE_DRIVER honoured; no module loading.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>

#include "igt.h"

/* drmIoctl(): restarts on EINTR and EAGAIN */
static int drm_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

__thread int (*igt_ioctl)(int fd, unsigned long request, void *arg) = drm_ioctl;

/* The driver bit IGT gives a driver name; DRIVER_ANY for unknown ones. */
static unsigned int chipset_of(const char *name)
{
	return !strcmp(name, "amdgpu") ? DRIVER_AMDGPU :
	       !strcmp(name, "i915") || !strcmp(name, "xe") ? DRIVER_INTEL :
	       !strcmp(name, "vgem") ? DRIVER_VGEM :
	       !strcmp(name, "vkms") ? DRIVER_VKMS :
	       !strcmp(name, "virtio_gpu") ? DRIVER_VIRTIO : DRIVER_ANY;
}

int __drm_open_driver(int chipset)
{
	const char *forced = getenv("IGT_FORCE_DRIVER");
	char path[32], name[32];
	struct drm_version v;
	int fd, n;

	for (n = 0; n < 16; n++) {
		snprintf(path, sizeof(path), "/dev/dri/card%d", n);
		fd = open(path, O_RDWR);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		memset(&v, 0, sizeof(v));
		v.name_len = sizeof(name) - 1;
		v.name = name;
		if (!drm_ioctl(fd, DRM_IOCTL_VERSION, &v) &&
		    (forced && chipset == DRIVER_ANY ? !strcmp(forced, name) :
		     (chipset & chipset_of(name)) == chipset_of(name))) {
			igt_info("Opened device: %s\n", path);
			return fd;
		}
		close(fd);
	}
	return -1;
}

int drm_open_driver(int chipset)
{
	int fd = __drm_open_driver(chipset);

	igt_skip_on_f(fd < 0, "No known gpu found for chipset flags 0x%u (%s)\n",
		      chipset, chipset == DRIVER_ANY ? "any" : "other");
	return fd;
}

static bool is_drm_fd(int fd)
{
	char path[32], buf[PATH_MAX] = "";

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return fd >= 0 && readlink(path, buf, sizeof(buf) - 1) > 0 &&
	       (!strncmp(buf, "/dev/dri/card", 13) ||
		!strncmp(buf, "/dev/dri/renderD", 16));
}

int __drm_close_driver(int fd)
{
	return is_drm_fd(fd) ? close(fd) : -1;
}

int drm_close_driver(int fd)
{
	if (!is_drm_fd(fd)) {
		igt_warn("Don't attempt to close standard/invalid file "
			 "descriptor: %d\n", fd);
		return -1;
	}
	return close(fd);
}

/* A new open file of the same device: a second DRM client. */
int drm_reopen_driver(int fd)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fd = open(path, O_RDWR);
	igt_assert_f(fd >= 0, "reopening the DRM device failed: %s\n",
		     strerror(errno));
	return fd;
}

/* DRM_IOCTL_VERSION's driver name, NUL-terminated within name_size. */
int __get_drm_device_name(int fd, char *name, int name_size)
{
	struct drm_version v;

	memset(&v, 0, sizeof(v));
	memset(name, 0, name_size);
	v.name_len = name_size - 1;
	v.name = name;
	return drm_ioctl(fd, DRM_IOCTL_VERSION, &v) ? -1 : 0;
}

static bool is_device(int fd, const char *driver)
{
	char name[32];

	return !__get_drm_device_name(fd, name, sizeof(name)) &&
	       !strcmp(name, driver);
}

bool is_amdgpu_device(int fd)
{
	return is_device(fd, "amdgpu");
}

bool is_nouveau_device(int fd)
{
	return is_device(fd, "nouveau");
}

void igt_require_amdgpu(int fd)
{
	igt_require(is_amdgpu_device(fd));
}

void igt_require_nouveau(int fd)
{
	igt_require(is_nouveau_device(fd));
}
