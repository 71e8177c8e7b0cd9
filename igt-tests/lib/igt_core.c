// SPDX-License-Identifier: MIT
/*
 * Subtest enumeration, command line, results and logging of the minimal
 * IGT stand-in; see igt.h. Behaviour follows IGT's lib/igt_core.c.
 */
#include <assert.h>
#include <ctype.h>
#include <fnmatch.h>
#include <sys/utsname.h>
#include <time.h>

#include "igt.h"

sigjmp_buf igt_subtest_jmpbuf;
enum igt_log_level igt_log_level = IGT_LOG_INFO;

static const char *command_str;
static bool list_subtests, plain_output;
static char *run_single_subtest;
static bool run_single_subtest_found;
static const char *in_subtest;
static bool in_fixture;
static enum { CONT = 0, SKIP, FAIL } skip_subtests_henceforth;
static bool skipped_one, succeeded_one, failed_one;
static int igt_exitcode = IGT_EXIT_SUCCESS;
static struct timespec subtest_time;

/* The last 256 log lines, dumped to stderr when a (sub)test fails. */
static char *log_ring[256];
static unsigned int log_end, log_count;

static void log_buffer_reset(void)
{
	log_count = 0;
}

static void log_buffer_dump(void)
{
	unsigned int i;

	if (in_subtest)
		fprintf(stderr, "Subtest %s failed.\n", in_subtest);
	else
		fprintf(stderr, "Test %s failed.\n", command_str);
	if (!log_count) {
		fprintf(stderr, "No log.\n");
		return;
	}
	fprintf(stderr, "**** DEBUG ****\n");
	for (i = log_end + 256 - log_count; log_count; log_count--, i++)
		fputs(log_ring[i % 256], stderr);
	fprintf(stderr, "****  END  ****\n");
	fflush(stderr);
}

void igt_vlog(const char *domain, enum igt_log_level level,
	      const char *format, va_list args)
{
	static const char *const names[] = {
		"DEBUG", "INFO", "WARNING", "CRITICAL", "NONE"
	};
	char *line, *formatted;
	struct timespec ts;
	FILE *file;

	if (igt_only_list_subtests() && level <= IGT_LOG_WARN)
		return;
	if (vasprintf(&line, format, args) == -1)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (asprintf(&formatted, "[%ld.%06ld] (%s:%d) %s%s%s: %s",
		     (long)ts.tv_sec, ts.tv_nsec / 1000, command_str, getpid(),
		     domain ? domain : "", domain ? "-" : "", names[level],
		     line) == -1) {
		free(line);
		return;
	}
	free(log_ring[log_end]);
	log_ring[log_end] = formatted;
	log_end = (log_end + 1) % 256;
	if (log_count < 256)
		log_count++;

	if (level >= igt_log_level) {
		file = level >= IGT_LOG_WARN ? stderr : stdout;
		fputs(level == IGT_LOG_INFO ? line : formatted, file);
		fflush(file);
	}
	free(line);
}

void igt_log(const char *domain, enum igt_log_level level,
	     const char *format, ...)
{
	va_list args;

	va_start(args, format);
	igt_vlog(domain, level, format, args);
	va_end(args);
}

/*
 * --run-subtest takes uwildmat patterns (RFC 3977 section 4.2): wildmats
 * separated by commas, '!' negates one, the last one that matches decides.
 */
static bool uwildmat(const char *text, const char *pattern)
{
	char *pats = strdup(pattern), *p, *save = NULL;
	bool match = false;

	for (p = strtok_r(pats, ",", &save); p; p = strtok_r(NULL, ",", &save))
		if (!fnmatch(p + (*p == '!'), text, 0))
			match = *p != '!';
	free(pats);
	return match;
}

static void print_usage(FILE *f)
{
	fprintf(f, "Usage: %s [OPTIONS]\n"
		"  --list-subtests\n"
		"  --run-subtest <pattern>\n"
		"  --debug[=log-domain]\n"
		"  --help|-h\n", command_str);
}

int igt_subtest_init_parse_opts(int *argc, char **argv,
				const char *extra_short_opts,
				const struct option *extra_long_opts,
				const char *help_str,
				igt_opt_handler_t extra_opt_handler,
				void *handler_data)
{
	enum { OPT_LIST = 500, OPT_RUN, OPT_DEBUG };
	static const struct option long_options[] = {
		{ "list-subtests", no_argument, NULL, OPT_LIST },
		{ "run-subtest", required_argument, NULL, OPT_RUN },
		{ "debug", optional_argument, NULL, OPT_DEBUG },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *env;
	struct utsname uts;
	int c, i, seed;

	/* This subset has no test-specific options. */
	assert(!extra_short_opts && !extra_long_opts && !extra_opt_handler);
	(void)help_str;
	(void)handler_data;

	command_str = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	plain_output = !isatty(STDOUT_FILENO) || getenv("IGT_PLAIN_OUTPUT");
	errno = 0;
	env = getenv("IGT_LOG_LEVEL");
	if (env)
		igt_log_level = !strcmp(env, "debug") ? IGT_LOG_DEBUG :
				!strcmp(env, "warn") ? IGT_LOG_WARN :
				!strcmp(env, "none") ? IGT_LOG_NONE : IGT_LOG_INFO;

	while ((c = getopt_long(*argc, argv, "h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_LIST:
			if (!run_single_subtest)
				list_subtests = true;
			break;
		case OPT_RUN:
			if (!igt_only_list_subtests())
				run_single_subtest = strdup(optarg);
			break;
		case OPT_DEBUG:
			igt_log_level = IGT_LOG_DEBUG;
			break;
		case 'h':
			print_usage(stdout);
			exit(IGT_EXIT_SUCCESS);
		default:
			print_usage(stderr);
			exit(IGT_EXIT_INVALID);
		}
	}

	if (!igt_only_list_subtests()) {
		uname(&uts);
		igt_info("IGT-Version: 0.0-standalone (%s) (%s: %s %s)\n",
			 uts.machine, uts.sysname, uts.release, uts.machine);
		env = getenv("IGT_SRANDOM");
		seed = env ? atoi(env) : time(NULL);
		srandom(seed);
		igt_info("Using IGT_SRANDOM=%d for randomisation\n", seed);
	}

	for (i = 0; optind + i < *argc; i++)
		argv[i + 1] = argv[optind + i];
	*argc = *argc - optind + 1;
	return 0;
}

bool igt_only_list_subtests(void)
{
	return list_subtests;
}

bool igt_can_fail(void)
{
	return in_fixture || in_subtest;
}

/* Descriptions only matter for --describe, which this subset lacks. */
void igt_describe_f(const char *fmt, ...)
{
	(void)fmt;
	assert(!in_subtest);
}

bool __igt_fixture(void)
{
	assert(!in_fixture && !in_subtest);
	if (igt_only_list_subtests() || skip_subtests_henceforth)
		return false;
	in_fixture = true;
	return true;
}

void __igt_fixture_complete(void)
{
	assert(in_fixture);
	in_fixture = false;
}

void __igt_fixture_end(void)
{
	assert(in_fixture);
	in_fixture = false;
	siglongjmp(igt_subtest_jmpbuf, 1);
}

static void result_message(const char *name, const char *result, double secs)
{
	printf("%sSubtest %s: %s (%.3fs)%s\n", plain_output ? "" : "\x1b[1m",
	       name, result, secs, plain_output ? "" : "\x1b[0m");
	fflush(stdout);
}

bool __igt_run_subtest(const char *subtest_name, const char *file,
		       const int line)
{
	const char *c;

	(void)file;	/* only for --describe */
	(void)line;
	assert(!igt_can_fail());	/* no nesting */
	for (c = subtest_name; *c; c++) {
		if (*c != '_' && *c != '-' && !isalnum((unsigned char)*c)) {
			igt_critical("Invalid subtest name \"%s\".\n",
				     subtest_name);
			igt_exit();
		}
	}

	if (run_single_subtest) {
		if (!uwildmat(subtest_name, run_single_subtest))
			return false;
		run_single_subtest_found = true;
	}

	if (list_subtests) {
		printf("%s\n", subtest_name);
		return false;
	}

	if (skip_subtests_henceforth) {
		result_message(subtest_name, skip_subtests_henceforth == SKIP ?
			       "SKIP" : "FAIL", 0.0);
		return false;
	}

	igt_info("Starting subtest: %s\n", subtest_name);
	log_buffer_reset();
	clock_gettime(CLOCK_MONOTONIC, &subtest_time);
	in_subtest = subtest_name;
	return true;
}

static __noreturn void exit_subtest(const char *result)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	result_message(in_subtest, result,
		       (now.tv_sec - subtest_time.tv_sec) +
		       (now.tv_nsec - subtest_time.tv_nsec) * 1e-9);
	in_subtest = NULL;
	siglongjmp(igt_subtest_jmpbuf, 1);
}

void igt_success(void)
{
	succeeded_one = true;
	if (in_subtest)
		exit_subtest("SUCCESS");
}

/*
 * SELFTEST_BREAK=1: a deliberately broken library that reports failed
 * assertions as success (see igt.h), for selftest/check.py.
 */
static bool selftest_broken(void)
{
	const char *v = getenv("SELFTEST_BREAK");

	return v && !strcmp(v, "1");
}

void igt_fail(int exitcode)
{
	assert(exitcode != IGT_EXIT_SUCCESS && exitcode != IGT_EXIT_SKIP);

	if (selftest_broken()) {
		succeeded_one = true;
		if (in_subtest)
			exit_subtest("SUCCESS");
		__igt_fixture_end();
	}

	if (!failed_one)
		igt_exitcode = exitcode;
	failed_one = true;
	log_buffer_dump();

	if (in_subtest)
		exit_subtest("FAIL");
	assert(igt_can_fail());
	skip_subtests_henceforth = FAIL;
	__igt_fixture_end();
}

void igt_skip(const char *f, ...)
{
	va_list args;

	skipped_one = true;
	if (!igt_only_list_subtests()) {
		va_start(args, f);
		vprintf(f, args);
		va_end(args);
		fflush(stdout);
	}
	if (in_subtest)
		exit_subtest("SKIP");
	assert(in_fixture);	/* skipping only in fixtures and subtests */
	skip_subtests_henceforth = SKIP;
	__igt_fixture_end();
}

void __igt_skip_check(const char *file, const int line, const char *func,
		      const char *check, const char *f, ...)
{
	char errstr[128] = "", *buf = NULL;
	int err = errno;
	va_list args;

	if (err)
		snprintf(errstr, sizeof(errstr), "Last errno: %i, %s\n",
			 err, strerror(err));
	if (f) {
		va_start(args, f);
		if (vasprintf(&buf, f, args) == -1)
			buf = NULL;
		va_end(args);
	}
	igt_skip("Test requirement not met in function %s, file %s:%i:\n"
		 "Test requirement: %s\n%s%s", func, file, line, check,
		 buf ? buf : "", errstr);
}

void __igt_fail_assert(const char *domain, const char *file, const int line,
		       const char *func, const char *assertion,
		       const char *f, ...)
{
	int err = errno;
	va_list args;

	igt_log(domain, IGT_LOG_CRITICAL,
		"Test assertion failure function %s, file %s:%i:\n",
		func, file, line);
	igt_log(domain, IGT_LOG_CRITICAL, "Failed assertion: %s\n", assertion);
	if (err)
		igt_log(domain, IGT_LOG_CRITICAL, "Last errno: %i, %s\n",
			err, strerror(err));
	if (f) {
		va_start(args, f);
		igt_vlog(domain, IGT_LOG_CRITICAL, f, args);
		va_end(args);
	}
	igt_fail(IGT_EXIT_FAILURE);
}

void igt_exit(void)
{
	if (run_single_subtest && !run_single_subtest_found) {
		igt_critical("Unknown subtest: %s\n", run_single_subtest);
		exit(IGT_EXIT_INVALID);
	}
	if (igt_only_list_subtests())
		exit(IGT_EXIT_SUCCESS);

	/* Like IGT: a test with subtests must have run (or skipped) one. */
	assert(skipped_one || succeeded_one || failed_one);
	if (!failed_one)
		igt_exitcode = succeeded_one ? IGT_EXIT_SUCCESS : IGT_EXIT_SKIP;
	igt_debug("Exiting with status code %d\n", igt_exitcode);
	exit(igt_exitcode);
}
