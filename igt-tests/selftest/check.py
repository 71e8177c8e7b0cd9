#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run lib_selftest (built against igt-tests/lib or against real IGT) and
check that exit codes and output are what IGT gives.

usage: check.py [-v] [--ktap] PATH/TO/lib_selftest [TEST...] [--hw HWTEST...]

--ktap prints every check as a KTAP test case as well, for the project's
'make check' to count.

The checker checks itself: every check on lib_selftest runs a second
time against a deliberately broken library (SELFTEST_BREAK=1 in the
environment makes the stand-in report failed assertions as success), and
at least one of them must fail then; that is one more check.

Every further TEST (e.g. edu_gpu_dma) gets the checks IGT's
tests/igt_command_line.sh makes of every test: --invalid-option fails,
--help succeeds, --list-subtests exits 0 with a list (or 79 with none),
--run-subtest invalid-subtest fails. They need no device.

Each HWTEST (amd_ttm_dma, radeon_ttm_dma, nouveau_ttm_dma: tests for a
GPU this machine does not have) gets the same command line checks, and
must skip cleanly without its device: exit 77 with "no DRIVER device" in
its output and every subtest SKIP, both as it is and with IGT_FORCE_DRIVER
naming another driver.

The expectations come from IGT's lib/igt_core.c and lib/drmtest.c (exit
codes IGT_EXIT_SUCCESS 0, IGT_EXIT_SKIP 77, IGT_EXIT_INVALID 79,
IGT_EXIT_FAILURE 98; result lines "Subtest NAME: RESULT (S.SSSs)"; fixture
skips/failures turn every later subtest into SKIP/FAIL; --run-subtest takes
uwildmat patterns). Exits 1 if any check fails.
"""
import os
import re
import subprocess
import sys
import tempfile

SUBTESTS = ["pass-basic", "skip-require", "pass-after-fixture",
            "skip-explicit", "skip-on", "fail-assert-eq", "fail-assert-f",
            "fail-eq-u64", "pass-ioctl-err", "pass-f-1", "pass-f-2",
            "skip-no-gpu"]
# Result of each subtest in a plain run (no /dev/dri device forced).
RESULTS = {n: ("SUCCESS" if n.startswith("pass") else
               "SKIP" if n.startswith("skip") else "FAIL") for n in SUBTESTS}
AFTER_FIXTURE = SUBTESTS[2:]

failures = []
checks = []
verbose = False
ktap = False
quiet = False          # the broken-library pass prints nothing
extra_env = {}         # added to every run (the broken-library pass)


class Run:
    def __init__(self, binary, args, env=None):
        e = dict(os.environ)
        e.pop("IGT_LOG_LEVEL", None)
        e.pop("IGT_SRANDOM", None)
        # No GPU may be picked up: skip-no-gpu must skip everywhere.
        e["IGT_FORCE_DRIVER"] = "no-such-driver"
        e.pop("SELFTEST_BREAK", None)
        e.update(extra_env)
        for k, v in (env or {}).items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        p = subprocess.run([binary] + args, env=e, capture_output=True,
                           text=True, timeout=60)
        self.binary, self.args, self.env = binary, args, env or {}
        self.rc, self.out, self.err = p.returncode, p.stdout, p.stderr

    def results(self):
        """(name, result) of every result line, in order."""
        return re.findall(r"^Subtest (\S+): (SUCCESS|SKIP|FAIL) "
                          r"\(\d+\.\d{3}s\)$", self.out, re.M)


def check(run, what, ok):
    label = " ".join(f"{k}={v}" for k, v in run.env.items())
    label = (label + " " if label else "") + " ".join(run.args)
    checks.append((f"[{os.path.basename(run.binary)} {label}] {what}",
                   bool(ok)))
    if ok:
        if verbose:
            print(f"ok   [{label}] {what}")
        return
    failures.append(f"[{label}] {what}")
    if quiet:
        return
    print(f"FAIL [{label}] {what}\n  rc={run.rc}\n  stdout:\n"
          + "".join("    " + ln + "\n" for ln in run.out.splitlines()[:40])
          + "  stderr:\n"
          + "".join("    " + ln + "\n" for ln in run.err.splitlines()[:40]))


def expect(run, rc, results=None, out=(), err=(), no_out=(), no_err=()):
    check(run, f"exit code {rc}", run.rc == rc)
    if results is not None:
        check(run, f"results {results}", run.results() == results)
    for pat in out:
        check(run, f"stdout matches {pat!r}", re.search(pat, run.out, re.M))
    for pat in err:
        check(run, f"stderr matches {pat!r}", re.search(pat, run.err, re.M))
    for pat in no_out:
        check(run, f"stdout lacks {pat!r}", not re.search(pat, run.out, re.M))
    for pat in no_err:
        check(run, f"stderr lacks {pat!r}", not re.search(pat, run.err, re.M))


def command_line_checks(t):
    r = Run(t, ["--invalid-option"])
    check(r, "an invalid option fails", r.rc != 0)
    r = Run(t, ["--help"])
    check(r, "--help succeeds", r.rc == 0)
    r = Run(t, ["--list-subtests"])
    check(r, "--list-subtests: 0 and a list, or 79 and none",
          (r.rc == 0 and r.out.strip()) or (r.rc == 79 and not r.out))
    check(r, "--list-subtests: valid names only", all(
        re.fullmatch(r"[A-Za-z0-9_-]+", n) for n in r.out.splitlines()))
    r = Run(t, ["--run-subtest", "invalid-subtest"])
    check(r, "an invalid subtest fails", r.rc != 0)
    if not failures:
        print(f"{os.path.basename(t)}: IGT command line checks passed")


HW_DRIVER = {"amd_ttm_dma": "amdgpu", "radeon_ttm_dma": "radeon",
             "nouveau_ttm_dma": "nouveau"}


def hw_checks(t):
    """A test for a GPU that is not here skips, saying so."""
    name = os.path.basename(t)
    drv = HW_DRIVER.get(name)
    r = Run(t, ["--list-subtests"])
    check(r, "--list-subtests lists subtests", r.rc == 0 and r.out.strip())
    subtests = r.out.split()
    for env in ({"IGT_FORCE_DRIVER": None}, {"IGT_FORCE_DRIVER": "vgem"}):
        r = Run(t, [], env)
        check(r, f"known test ({name})", drv is not None)
        check(r, "exit code 77 (skip) without the device", r.rc == 77)
        check(r, f"says 'no {drv} device'",
              re.search(rf"no {drv} device", r.out + r.err))
        check(r, "every listed subtest skips", r.results() ==
              [(n, "SKIP") for n in subtests])


def print_ktap():
    print("KTAP version 1")
    print("1..1")
    print("    KTAP version 1")
    print("    # Subtest: igt-lib-selftest")
    print(f"    1..{len(checks)}")
    for i, (name, ok) in enumerate(checks, 1):
        name = re.sub(r"[#\n]", "_", name)
        print(f"    {'ok' if ok else 'not ok'} {i} {name}")
    print(f"{'not ok' if failures else 'ok'} 1 igt-lib-selftest")


def main():
    global verbose, ktap
    args = sys.argv[1:]
    while args and args[0] in ("-v", "--ktap"):
        if args[0] == "-v":
            verbose = True
        else:
            ktap = True
        args = args[1:]
    hw = []
    while "--hw" in args:
        i = args.index("--hw")
        if i + 1 >= len(args):
            sys.exit("check.py: --hw needs a test binary")
        hw.append(args[i + 1])
        del args[i:i + 2]
    if not args:
        sys.exit(__doc__)
    for t in args[1:] + hw:
        command_line_checks(os.path.abspath(t))
    for t in hw:
        hw_checks(os.path.abspath(t))
    b = os.path.abspath(args[0])
    name = os.path.basename(b)
    lib_checks(b, name)
    broken_library_check(b, name)

    if ktap:
        print_ktap()
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print(f"{name}: all checks passed")


def broken_library_check(b, name):
    """Every check again with SELFTEST_BREAK=1: some must fail."""
    global failures, checks, quiet
    saved = failures, checks
    failures, checks, quiet = [], [], True
    extra_env["SELFTEST_BREAK"] = "1"
    try:
        lib_checks(b, name)
        caught, total = len(failures), len(checks)
    finally:
        del extra_env["SELFTEST_BREAK"]
        failures, checks = saved
        quiet = False
    what = (f"the checks catch a broken library (SELFTEST_BREAK=1): "
            f"{caught} of {total} fail")
    checks.append((f"[{name}] {what}", caught > 0))
    if caught:
        if verbose:
            print(f"ok   {what}")
    else:
        failures.append(what)
        print(f"FAIL {what}")


def lib_checks(b, name):
    tmp = tempfile.mkdtemp()
    marker = os.path.join(tmp, "fixture-ran")

    # Listing: names only, in order, nothing else, fixtures not run.
    r = Run(b, ["--list-subtests"], {"SELFTEST_MARKER": marker})
    expect(r, 0)
    check(r, "exact subtest list", r.out.splitlines() == SUBTESTS)
    check(r, "empty stderr", r.err == "")
    check(r, "fixture not run while listing", not os.path.exists(marker))
    r = Run(b, ["--list-subtests"], {"SELFTEST_FIXTURE": "fail"})
    expect(r, 0)
    check(r, "a failing fixture does not affect listing",
          r.out.splitlines() == SUBTESTS)
    # IGT: --list-subtests before --run-subtest wins (and the reverse runs)
    r = Run(b, ["--list-subtests", "--run-subtest", "pass-basic"])
    expect(r, 0)
    check(r, "list wins", r.out.splitlines() == SUBTESTS)

    # Help and bad options.
    r = Run(b, ["--help"])
    expect(r, 0, out=[rf"^Usage: {name} \[OPTIONS\]$", r"--list-subtests",
                      r"--run-subtest"])
    r = Run(b, ["--no-such-option"])
    expect(r, 79, err=[r"^Usage: "], no_out=[r"Subtest"])

    # One subtest of each kind.
    r = Run(b, ["--run-subtest", "pass-basic"], {"SELFTEST_MARKER": marker})
    expect(r, 0, [("pass-basic", "SUCCESS")],
           out=[r"^Starting subtest: pass-basic$", r"^info from pass-basic$",
                r"^IGT-Version: ",
                r"^Using IGT_SRANDOM=\d+ for randomisation$"],
           no_out=[r"debug from", r"\x1b\["])
    check(r, "empty stderr", r.err == "")
    check(r, "fixture runs when not listing", os.path.exists(marker))
    r = Run(b, ["--debug", "--run-subtest", "pass-basic"])
    expect(r, 0, out=[r"\(\S+:\d+\) DEBUG: debug from pass-basic$"])
    r = Run(b, ["--run-subtest", "pass-basic"], {"IGT_LOG_LEVEL": "debug"})
    expect(r, 0, out=[r"DEBUG: debug from pass-basic$"])
    r = Run(b, ["--run-subtest", "skip-require"])
    expect(r, 77, [("skip-require", "SKIP")],
           out=[r"^Test requirement not met in function \S+, file "
                r"\S+lib_selftest\.c:\d+:$", r"^Test requirement: fd >= 0$"])
    r = Run(b, ["--run-subtest", "skip-explicit"])
    expect(r, 77, [("skip-explicit", "SKIP")], out=[r"^explicit skip 42$"])
    r = Run(b, ["--run-subtest", "skip-on"])
    expect(r, 77, [("skip-on", "SKIP")],
           out=[r"^Test requirement: !\(fd == 0\)$"])
    r = Run(b, ["--run-subtest", "fail-assert-eq"])
    expect(r, 98, [("fail-assert-eq", "FAIL")],
           err=[r"CRITICAL: Test assertion failure function \S+, file "
                r"\S+lib_selftest\.c:\d+:$",
                r"CRITICAL: Failed assertion: fd \+ 1 == 2$",
                r"CRITICAL: error: 1 != 2$",
                r"^Subtest fail-assert-eq failed\.$",
                r"^\*\*\*\* DEBUG \*\*\*\*$",
                r"DEBUG: debug before the failure$",  # from the log buffer
                r"^\*\*\*\*  END  \*\*\*\*$"])
    r = Run(b, ["--run-subtest", "fail-assert-f"])
    expect(r, 98, [("fail-assert-f", "FAIL")],
           err=[r"Failed assertion: fd > 1$", r"CRITICAL: custom message 42$"])
    r = Run(b, ["--run-subtest", "fail-eq-u64"])
    expect(r, 98, [("fail-eq-u64", "FAIL")],
           err=[r"error: 0x10000000000 != 0$"])
    r = Run(b, ["--run-subtest", "pass-ioctl-err"])
    expect(r, 0, [("pass-ioctl-err", "SUCCESS")])
    r = Run(b, ["--run-subtest", "skip-no-gpu"])
    expect(r, 77, [("skip-no-gpu", "SKIP")],
           out=[r"No known gpu found for chipset flags 0x\d+ \(any\)"])
    r = Run(b, ["--run-subtest", "no-such-subtest"])
    expect(r, 79, [], err=[r"CRITICAL: Unknown subtest: no-such-subtest$"])

    # Wildcards (uwildmat).
    def sel(pred):
        return [(n, RESULTS[n]) for n in SUBTESTS if pred(n)]
    for pat, pred, rc in [
            ("pass-*", lambda n: n.startswith("pass-"), 0),
            ("skip-*", lambda n: n.startswith("skip-"), 77),
            ("*,!fail-*", lambda n: not n.startswith("fail-"), 0),
            ("pass-f-?", lambda n: n.startswith("pass-f-"), 0),
            ("pass-f-[^1]", lambda n: n == "pass-f-2", 0),
            ("pass-f-[0-1]", lambda n: n == "pass-f-1", 0),
            ("skip-on,fail-eq-u64",
             lambda n: n in ("skip-on", "fail-eq-u64"), 98),
            ("fail*,!fail-assert*", lambda n: n == "fail-eq-u64", 98)]:
        r = Run(b, ["--run-subtest", pat])
        expect(r, rc, sel(pred))

    # Everything (no arguments): all results in order, first failure's code.
    r = Run(b, [])
    expect(r, 98, sel(lambda n: True), out=[r"^second fixture ran$"])

    # A skipping fixture: every later subtest SKIPs without starting.
    env = {"SELFTEST_FIXTURE": "skip"}
    r = Run(b, [], env)
    expect(r, 0, [("pass-basic", "SUCCESS"), ("skip-require", "SKIP")] +
           [(n, "SKIP") for n in AFTER_FIXTURE],
           out=[r"^fixture skip requested$"],
           no_out=[r"^Starting subtest: pass-after-fixture$"])
    check(r, "no fixture runs after a skip", "second fixture ran" not in r.out)
    r = Run(b, ["--run-subtest", "pass-after-fixture"], env)
    expect(r, 77, [("pass-after-fixture", "SKIP")],
           out=[r"Subtest pass-after-fixture: SKIP \(0\.000s\)"])
    r = Run(b, ["--run-subtest", "pass-basic"], env)
    expect(r, 0, [("pass-basic", "SUCCESS")])

    # A failing fixture: every later subtest FAILs, exit 98.
    env = {"SELFTEST_FIXTURE": "fail"}
    r = Run(b, [], env)
    expect(r, 98, [("pass-basic", "SUCCESS"), ("skip-require", "SKIP")] +
           [(n, "FAIL") for n in AFTER_FIXTURE],
           err=[r"^Test \S+ failed\.$", r"fixture failure requested$"])
    check(r, "no fixture runs after a failure",
          "second fixture ran" not in r.out)
    r = Run(b, ["--run-subtest", "pass-after-fixture"], env)
    expect(r, 98, [("pass-after-fixture", "FAIL")])
    # IGT runs fixtures whatever the filter: the failure still counts.
    r = Run(b, ["--run-subtest", "pass-basic"], env)
    expect(r, 98, [("pass-basic", "SUCCESS")])

    os.path.exists(marker) and os.unlink(marker)
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
