/* SPDX-License-Identifier: MIT */
/*
 * igt.h - a minimal stand-in for the part of IGT GPU Tools' test API that
 * the tests in igt-tests/ use (IGT's lib/igt_core.h, lib/drmtest.h, parts
 * of lib/ioctl_wrappers.h, lib/igt_debugfs.h and lib/igt_sysfs.h).
 *
 * Why it exists: the test VMs have neither IGT nor libdrm, and IGT's
 * source cannot be fetched on the build machines. The tests are written
 * against IGT's real API -- same names, signatures, command line, exit
 * codes and fixture/subtest semantics, as of IGT master, which spells the
 * blocks igt_main() and igt_fixture() -- so that they compile unchanged in
 * IGT's tests/ directory, where this lib/ is not used.
 *
 * This is an independent implementation of that subset, not IGT code.
 * Not provided: dynamic subtests, subtest groups, forking, exit handlers,
 * --describe, --show-testlist, --hook, --device, module loading, extra
 * command line options.
 *
 * SELFTEST_BREAK=1 in the environment breaks this library on purpose (an
 * assertion failure is reported as success), so that selftest/check.py
 * can show that it notices a library that passes what it should fail.
 * Real IGT has no such variable.
 */
#ifndef IGT_H
#define IGT_H

#include <errno.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "drm.h"	/* IGT gets it through libdrm's xf86drm.h */

#ifndef __noreturn
#define __noreturn __attribute__((noreturn))
#endif

#ifndef IGT_LOG_DOMAIN
#define IGT_LOG_DOMAIN (NULL)
#endif

#define IGT_EXIT_SUCCESS	0
#define IGT_EXIT_SKIP		77
#define IGT_EXIT_INVALID	79
#define IGT_EXIT_FAILURE	98
#define IGT_EXIT_ABORT		112

#define __igt_tokencat2(x, y) x ## y
#define igt_tokencat(x, y) __igt_tokencat2(x, y)
#define igt_unique(prefix) \
	igt_tokencat(igt_tokencat(__igt_unique__, prefix), __LINE__)

extern const char *__igt_test_description __attribute__((weak));
#define IGT_TEST_DESCRIPTION(str) const char *__igt_test_description = str

/* Subtest and fixture blocks: setjmp based, exactly like IGT's. */
extern sigjmp_buf igt_subtest_jmpbuf;

typedef int (*igt_opt_handler_t)(int opt, int opt_index, void *data);
int igt_subtest_init_parse_opts(int *argc, char **argv,
				const char *extra_short_opts,
				const struct option *extra_long_opts,
				const char *help_str,
				igt_opt_handler_t extra_opt_handler,
				void *handler_data);

bool __igt_fixture(void);
void __igt_fixture_complete(void);
__noreturn void __igt_fixture_end(void);
#define igt_fixture() \
	for (volatile int igt_unique(__tmpint) = 0; \
	     igt_unique(__tmpint) < 1 && __igt_fixture() && \
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_unique(__tmpint)++, __igt_fixture_complete())

bool __igt_run_subtest(const char *subtest_name, const char *file,
		       const int line);
#define igt_subtest(name) \
	for (; __igt_run_subtest((name), __FILE__, __LINE__) && \
	       sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_success())
#define __igt_subtest_f(tmp, format...) \
	for (char tmp[256]; \
	     snprintf(tmp, sizeof(tmp), format), \
	     __igt_run_subtest(tmp, __FILE__, __LINE__) && \
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_success())
#define igt_subtest_f(f...) __igt_subtest_f(igt_unique(__tmpchar), f)

/* Used as "int igt_main() { ... }", like IGT master. */
#define igt_main_args(short_opts, long_opts, help_str, opt_handler, data) \
	main(int argc, char **argv); \
	static void igt_unique(__real_main)(void); \
	int main(int argc, char **argv) { \
		igt_subtest_init_parse_opts(&argc, argv, short_opts, \
					    long_opts, help_str, \
					    opt_handler, data); \
		igt_unique(__real_main)(); \
		igt_exit(); \
	} \
	static void igt_unique(__real_main)(void)
#define igt_main() igt_main_args(NULL, NULL, NULL, NULL, NULL)

bool igt_only_list_subtests(void);
bool igt_can_fail(void);

__attribute__((format(printf, 1, 2))) void igt_describe_f(const char *fmt, ...);
#define igt_describe(dsc) igt_describe_f("%s", dsc)

/* Results */
void igt_success(void);
__noreturn void igt_fail(int exitcode);
__noreturn void igt_exit(void);
__noreturn __attribute__((format(printf, 1, 2)))
void igt_skip(const char *f, ...);
__noreturn __attribute__((format(printf, 5, 6)))
void __igt_skip_check(const char *file, const int line, const char *func,
		      const char *check, const char *format, ...);
#define igt_skip_check(E, F...) \
	__igt_skip_check(__FILE__, __LINE__, __func__, E, F)
__noreturn __attribute__((format(printf, 6, 7)))
void __igt_fail_assert(const char *domain, const char *file, const int line,
		       const char *func, const char *assertion,
		       const char *format, ...);

#define igt_assert(expr) do { if (!(expr)) \
	__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, __func__, \
			  #expr, NULL); \
} while (0)
#define igt_assert_f(expr, f...) do { if (!(expr)) \
	__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, __func__, \
			  #expr, f); \
} while (0)

#define __igt_assert_cmp(type, fmt, cast, n1, cmp, ncmp, n2) do { \
	type __n1 = (n1), __n2 = (n2); \
	if (__n1 cmp __n2) ; else \
	__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, __func__, \
			  #n1 " " #cmp " " #n2, \
			  "error: " fmt " " #ncmp " " fmt "\n", \
			  (cast)__n1, (cast)__n2); \
} while (0)
#define igt_assert_cmpint(n1, cmp, ncmp, n2) \
	__igt_assert_cmp(int, "%d", int, n1, cmp, ncmp, n2)
#define igt_assert_cmpuint(n1, cmp, ncmp, n2) \
	__igt_assert_cmp(uint32_t, "%#x", unsigned int, n1, cmp, ncmp, n2)
#define igt_assert_cmpu64(n1, cmp, ncmp, n2) \
	__igt_assert_cmp(uint64_t, "%#llx", unsigned long long, n1, cmp, ncmp, n2)
#define igt_assert_eq(n1, n2) igt_assert_cmpint(n1, ==, !=, n2)
#define igt_assert_neq(n1, n2) igt_assert_cmpint(n1, !=, ==, n2)
#define igt_assert_lt(n1, n2) igt_assert_cmpint(n1, <, >=, n2)
#define igt_assert_lte(n1, n2) igt_assert_cmpint(n1, <=, >, n2)
#define igt_assert_eq_u32(n1, n2) igt_assert_cmpuint(n1, ==, !=, n2)
#define igt_assert_eq_u64(n1, n2) igt_assert_cmpu64(n1, ==, !=, n2)

#define igt_require(expr) do { \
	if (!(expr)) igt_skip_check(#expr, NULL); \
	else igt_debug("Test requirement passed: %s\n", #expr); \
} while (0)
#define igt_require_f(expr, f...) do { \
	if (!(expr)) igt_skip_check(#expr, f); \
	else igt_debug("Test requirement passed: %s\n", #expr); \
} while (0)
#define igt_skip_on(expr) do { \
	if ((expr)) igt_skip_check("!(" #expr ")", NULL); \
	else igt_debug("Test requirement passed: !(%s)\n", #expr); \
} while (0)
#define igt_skip_on_f(expr, f...) do { \
	if ((expr)) igt_skip_check("!(" #expr ")", f); \
	else igt_debug("Test requirement passed: !(%s)\n", #expr); \
} while (0)

/* Logging: info to stdout, warnings and worse to stderr. */
enum igt_log_level {
	IGT_LOG_DEBUG,
	IGT_LOG_INFO,
	IGT_LOG_WARN,
	IGT_LOG_CRITICAL,
	IGT_LOG_NONE,
};
extern enum igt_log_level igt_log_level;
__attribute__((format(printf, 3, 4)))
void igt_log(const char *domain, enum igt_log_level level,
	     const char *format, ...);
__attribute__((format(printf, 3, 0)))
void igt_vlog(const char *domain, enum igt_log_level level,
	      const char *format, va_list args);
#define igt_debug(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_DEBUG, f)
#define igt_info(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_INFO, f)
#define igt_warn(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_WARN, f)
#define igt_critical(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_CRITICAL, f)

/* drmtest.h: the same bit per driver as IGT's */
#define DRIVER_INTEL	(1 << 0)
#define DRIVER_VGEM	(1 << 2)
#define DRIVER_AMDGPU	(1 << 3)
#define DRIVER_VKMS	(1 << 9)
#define DRIVER_VIRTIO	(1 << 10)
#define DRIVER_ANY	~(DRIVER_VGEM | DRIVER_VKMS | DRIVER_VIRTIO)

#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof(arr[0]))

int __drm_open_driver(int chipset);
int drm_open_driver(int chipset);
int __drm_close_driver(int fd);
int drm_close_driver(int fd);
int drm_reopen_driver(int fd);
int __get_drm_device_name(int fd, char *name, int name_size);
bool is_amdgpu_device(int fd);
bool is_nouveau_device(int fd);
void igt_require_amdgpu(int fd);
void igt_require_nouveau(int fd);

/* ioctl_wrappers.h: drmIoctl(), which restarts on EINTR and EAGAIN */
extern __thread int (*igt_ioctl)(int fd, unsigned long request, void *arg);

#define do_ioctl(fd, ioc, ioc_data) do { \
	igt_assert_eq(igt_ioctl((fd), (ioc), (ioc_data)), 0); \
	errno = 0; \
} while (0)
#define do_ioctl_err(fd, ioc, ioc_data, err) do { \
	igt_assert_eq(igt_ioctl((fd), (ioc), (ioc_data)), -1); \
	igt_assert_eq(errno, err); \
	errno = 0; \
} while (0)

/* ioctl_wrappers.h */
int __gem_close(int fd, uint32_t handle);
void gem_close(int fd, uint32_t handle);
int prime_handle_to_fd(int fd, uint32_t handle);
#ifndef DRM_RDWR
#define DRM_RDWR O_RDWR
#endif
int prime_handle_to_fd_for_mmap(int fd, uint32_t handle);
uint32_t prime_fd_to_handle(int fd, int dma_buf_fd);
void prime_sync_start(int dma_buf_fd, bool write);
void prime_sync_end(int dma_buf_fd, bool write);

/* igt_debugfs.h */
const char *igt_debugfs_mount(void);
char *igt_debugfs_path(int device, char *path, int pathlen);
int igt_debugfs_dir(int device);
int igt_debugfs_open(int device, const char *filename, int mode);
bool igt_debugfs_exists(int device, const char *filename, int mode);
int igt_debugfs_simple_read(int dir, const char *filename, char *buf,
			    int size);
void __igt_debugfs_read(int fd, const char *filename, char *buf, int size);
#define igt_debugfs_read(fd, filename, buf) \
	__igt_debugfs_read((fd), (filename), (buf), sizeof(buf))

/* igt_sysfs.h */
int igt_sysfs_read(int dir, const char *attr, void *data, int len);
int igt_sysfs_write(int dir, const char *attr, const void *data, int len);
bool igt_sysfs_set(int dir, const char *attr, const char *value);

#endif /* IGT_H */
