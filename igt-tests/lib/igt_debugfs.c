// SPDX-License-Identifier: MIT
/*
 * debugfs and sysfs file helpers of the minimal IGT stand-in; see igt.h.
 * Same names and behaviour as IGT's lib/igt_debugfs.c and lib/igt_sysfs.c
 * (without the fallback that mounts debugfs).
 */
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "igt.h"

static bool is_mountpoint(const char *path)
{
	char buf[PATH_MAX];
	struct stat st;
	dev_t dev;

	snprintf(buf, sizeof(buf), "%s/.", path);
	if (stat(buf, &st) || !S_ISDIR(st.st_mode))
		return false;
	dev = st.st_dev;

	snprintf(buf, sizeof(buf), "%s/..", path);
	if (stat(buf, &st) || !S_ISDIR(st.st_mode))
		return false;

	return dev != st.st_dev;
}

/* Where debugfs is mounted (/sys/kernel/debug or /debug), or NULL. */
const char *igt_debugfs_mount(void)
{
	if (is_mountpoint("/sys/kernel/debug"))
		return "/sys/kernel/debug";
	if (is_mountpoint("/debug"))
		return "/debug";
	return NULL;
}

/* The debugfs directory of the DRM device behind @device (dri/MINOR). */
char *igt_debugfs_path(int device, char *path, int pathlen)
{
	const char *debugfs_root = igt_debugfs_mount();
	char name[100], cmp[100];
	int idx, file, name_len, cmp_len;
	struct stat st;

	igt_assert(debugfs_root);
	memset(&st, 0, sizeof(st));
	if (device != -1) {	/* if no fd, we presume we want dri/0 */
		if (fstat(device, &st) || !S_ISCHR(st.st_mode))
			return NULL;
	}

	idx = minor(st.st_rdev);
	snprintf(path, pathlen, "%s/dri/%d/name", debugfs_root, idx);
	if (stat(path, &st))
		return NULL;

	/* A render node: the primary node with the same name. */
	if (idx >= 64) {
		file = open(path, O_RDONLY);
		if (file < 0)
			return NULL;
		name_len = read(file, name, sizeof(name));
		close(file);

		for (idx = 0; idx < 16; idx++) {
			snprintf(path, pathlen, "%s/dri/%d/name",
				 debugfs_root, idx);
			file = open(path, O_RDONLY);
			if (file < 0)
				continue;
			cmp_len = read(file, cmp, sizeof(cmp));
			close(file);
			if (cmp_len == name_len && !memcmp(cmp, name, name_len))
				break;
		}
		if (idx == 16)
			return NULL;
	}

	snprintf(path, pathlen, "%s/dri/%d", debugfs_root, idx);
	return path;
}

int igt_debugfs_dir(int device)
{
	char path[200];

	if (!igt_debugfs_path(device, path, sizeof(path)))
		return -1;
	return open(path, O_RDONLY);
}

int igt_debugfs_open(int device, const char *filename, int mode)
{
	int dir, ret;

	dir = igt_debugfs_dir(device);
	if (dir < 0)
		return dir;
	ret = openat(dir, filename, mode);
	close(dir);
	return ret;
}

bool igt_debugfs_exists(int device, const char *filename, int mode)
{
	int fd = igt_debugfs_open(device, filename, mode);

	if (fd >= 0) {
		close(fd);
		return true;
	}
	return false;
}

/* -errno or the bytes read; @buf is always NUL-terminated. */
int igt_debugfs_simple_read(int dir, const char *filename, char *buf,
			    int size)
{
	int len;

	len = igt_sysfs_read(dir, filename, buf, size - 1);
	if (len < 0)
		buf[0] = '\0';
	else
		buf[len] = '\0';
	return len;
}

/* The whole file into @buf (empty if it cannot be read). */
void __igt_debugfs_read(int fd, const char *filename, char *buf, int size)
{
	int dir = igt_debugfs_dir(fd);

	igt_debugfs_simple_read(dir, filename, buf, size);
	close(dir);
}

/* igt_readn()/igt_writen(): until done, EOF or an error other than EINTR */
static int rw_all(int fd, char *buf, int len, bool write_it)
{
	int ret, total = 0;

	do {
		ret = write_it ? write(fd, buf + total, len - total) :
				 read(fd, buf + total, len - total);
		if (ret < 0)
			ret = -errno;
		if (ret == -EINTR || ret == -EAGAIN)
			continue;
		if (ret <= 0)
			break;
		total += ret;
	} while (total != len);
	return total ?: ret;
}

static int readn(int fd, char *buf, int len)
{
	return rw_all(fd, buf, len, false);
}

static int writen(int fd, const char *buf, int len)
{
	return rw_all(fd, (char *)buf, len, true);
}

/* The length read, or -errno. */
int igt_sysfs_read(int dir, const char *attr, void *data, int len)
{
	int fd;

	fd = openat(dir, attr, O_RDONLY);
	if (fd < 0)
		return -errno;
	len = readn(fd, data, len);
	close(fd);
	return len;
}

/* The length written, or -errno. */
int igt_sysfs_write(int dir, const char *attr, const void *data, int len)
{
	int fd;

	fd = openat(dir, attr, O_WRONLY);
	if (fd < 0)
		return -errno;
	len = writen(fd, data, len);
	close(fd);
	return len;
}

bool igt_sysfs_set(int dir, const char *attr, const char *value)
{
	int len = strlen(value);

	/* Always write at least 1 char, the null byte. */
	if (!len)
		len = 1;
	return igt_sysfs_write(dir, attr, value, len) == len;
}
