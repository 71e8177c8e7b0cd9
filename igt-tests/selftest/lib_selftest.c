// SPDX-License-Identifier: MIT
/*
 * Self-test of the minimal IGT stand-in in ../lib: subtests that pass,
 * skip and fail, and a fixture that passes, skips or fails on request, so
 * that selftest/check.py can compare exit codes and output with what IGT
 * gives. It builds against real IGT too.
 *
 * Environment:
 *   SELFTEST_FIXTURE=skip|fail  make the fixture in the middle skip/fail
 *   SELFTEST_MARKER=PATH        the fixture creates PATH when it runs
 *
 * (SELFTEST_BREAK=1 breaks the library itself: see ../lib/igt.h.)
 */
#include <fcntl.h>
#include <sys/ioctl.h>

#include "igt.h"

IGT_TEST_DESCRIPTION("Exercises the IGT API subset the edu_gpu tests use.");

static bool env_is(const char *name, const char *value)
{
	const char *v = getenv(name);

	return v && !strcmp(v, value);
}

int igt_main()
{
	volatile int fd = -1;
	int i;

	igt_describe("Passes, with an info and a debug message.");
	igt_subtest("pass-basic") {
		igt_info("info from pass-basic\n");
		igt_debug("debug from pass-basic\n");
		igt_assert_eq(2, 2);
		igt_assert_eq_u64(1ull << 40, 1ull << 40);
	}

	igt_subtest("skip-require") {
		igt_require(fd >= 0);
		igt_assert(!"not reached");
	}

	igt_fixture() {
		const char *marker = getenv("SELFTEST_MARKER");

		if (marker)
			close(open(marker, O_WRONLY | O_CREAT, 0644));
		igt_require_f(!env_is("SELFTEST_FIXTURE", "skip"),
			      "fixture skip requested\n");
		igt_assert_f(!env_is("SELFTEST_FIXTURE", "fail"),
			     "fixture failure requested\n");
		fd = 0;
	}

	igt_subtest("pass-after-fixture")
		igt_assert_eq(fd, 0);

	igt_subtest("skip-explicit")
		igt_skip("explicit skip %d\n", 42);

	igt_subtest("skip-on")
		igt_skip_on(fd == 0);

	igt_subtest("fail-assert-eq") {
		igt_debug("debug before the failure\n");
		igt_assert_eq(fd + 1, 2);
	}

	igt_subtest("fail-assert-f")
		igt_assert_f(fd > 1, "custom message %d\n", 42);

	igt_subtest("fail-eq-u64")
		igt_assert_eq_u64(1ull << 40, 0);

	igt_subtest("pass-ioctl-err") {
		struct drm_version v = { };

		do_ioctl_err(-1, DRM_IOCTL_VERSION, &v, EBADF);
		igt_assert_eq(errno, 0);
	}

	for (i = 1; i <= 2; i++) {
		igt_describe_f("Formatted subtest %d.", i);
		igt_subtest_f("pass-f-%d", i)
			igt_assert_lt(0, i);
	}

	/* Runs only if the first fixture neither skipped nor failed. */
	igt_fixture()
		igt_info("second fixture ran\n");

	igt_describe("Skips unless a DRM device is found.");
	igt_subtest("skip-no-gpu") {
		int dev = drm_open_driver(DRIVER_ANY);

		drm_close_driver(dev);
	}
}
