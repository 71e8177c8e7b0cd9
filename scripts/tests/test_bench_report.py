# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/bench_report.py's CMA figures and backup table:
ttm_bench's "R cma", "R backup" and "R restore" lines as the report reads
them, from console lines of the form the module prints.

  python3 -m unittest discover -s scripts/tests -p test_bench_report.py
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import bench_report  # noqa: E402


def run_of(*lines):
    recs = [bench_report.parse_line(f"[ 1.0] ttm_bench: R {x}") for x in lines]
    return bench_report.Run({"recs": recs, "seconds": 1})


BASE = run_of(
    "cma backend=streaming size=33554432 cma_pages_peak=0 cma_free=16320"
    " alloc_error=0",
    "cma backend=coherent size=33554432 cma_pages_peak=8192 cma_free=16320"
    " alloc_error=0",
)
SERIES = run_of(
    "cma backend=auto size=33554432 cma_pages_peak=0 cma_free=16320"
    " alloc_error=0",
)
NO_CMA = run_of(
    "cma backend=auto size=0 cma_pages_peak=0 cma_free=0 alloc_error=0",
    "cma backend=coherent size=0 cma_pages_peak=0 cma_free=0 alloc_error=0",
)


class Cma(unittest.TestCase):
    def test_text(self):
        r = BASE.find("cma", backend="coherent")
        self.assertEqual(bench_report.cma_text(r),
                         "8,192 of 16,320 free (32 MiB in 2 MiB tts)")

    def test_no_area(self):
        self.assertEqual(
            bench_report.cma_text(NO_CMA.find("cma", backend="auto")),
            "no CMA area")

    def test_not_measured(self):
        self.assertIsNone(bench_report.cma_text(None))
        self.assertIsNone(bench_report.cma_text({"kind": "cma"}))

    def test_failed_fill(self):
        r = bench_report.parse_line(
            "ttm_bench: R cma backend=auto size=2097152 cma_pages_peak=3"
            " cma_free=100 alloc_error=-12")
        self.assertIn("allocation failed: -12", bench_report.cma_text(r))

    def test_summary_names_platforms_with_cma_only(self):
        runs = {
            ("arm64-nc", "base"): BASE,
            ("arm64-nc", "series"): SERIES,
            ("x86", "base"): NO_CMA,
            ("x86", "series"): NO_CMA,
        }
        text = bench_report.cma_summary(runs, ["x86", "arm64-nc"])
        self.assertEqual(
            text,
            "arm64-nc series auto 0 of 16,320 free (32 MiB in 2 MiB tts);"
            " arm64-nc base band-aid 8,192 of 16,320 free (32 MiB in 2 MiB"
            " tts)")

    def test_summary_without_cma(self):
        runs = {("x86", "base"): NO_CMA, ("x86", "series"): NO_CMA}
        self.assertEqual(bench_report.cma_summary(runs, ["x86"]),
                         "no platform with a CMA area")


MIB256 = 256 << 20
BACKUP_BASE = run_of(
    f"backup backend=streaming caching=cached state=full size={MIB256}"
    " runs=3 median_ns=1000000000 min_ns=1 max_ns=2",
    f"restore backend=streaming caching=cached state=full size={MIB256}"
    " runs=3 median_ns=1000000000 min_ns=1 max_ns=2",
    f"backup backend=coherent caching=cached state=full size={MIB256}"
    " refused=-16",
)
BACKUP_SERIES = run_of(
    f"backup backend=auto caching=cached state=full size={MIB256}"
    " runs=3 median_ns=500000000 min_ns=1 max_ns=2",
    f"restore backend=auto caching=cached state=full size={MIB256}"
    " runs=3 median_ns=500000000 min_ns=1 max_ns=2",
    f"restore backend=dma-pages caching=cached state=full size={MIB256}"
    " error=-12",
)


class Backup(unittest.TestCase):
    def table(self):
        runs = {("x86", "base"): BACKUP_BASE,
                ("x86", "series"): BACKUP_SERIES}
        setups = [("base", "streaming"), ("base", "coherent"),
                  ("series", "auto"), ("series", "dma-pages"),
                  ("series", "streaming")]
        return bench_report.out_in_table(runs, "x86", setups, "backup",
                                         "restore", "backup", "restore")

    def test_rows(self):
        rows = self.table()
        self.assertEqual(rows[0], "| setup | tt | backup MiB/s | restore"
                         " MiB/s | backup + restore ÷ base streaming |")
        self.assertIn("| base streaming | 256 MiB | 256 | 256 | 1.00x |",
                      rows)
        # twice as fast both ways: 2.00x the base's streaming pool
        self.assertIn("| series auto | 256 MiB | 512 | 512 | 2.00x |", rows)

    def test_refusal_is_not_a_failure(self):
        self.assertIn("| base band-aid | 256 MiB | refused (-16) | - | - |",
                      self.table())

    def test_failure_and_missing(self):
        rows = self.table()
        self.assertIn("| series dma-pages | 256 MiB | fails (-12) | - | - |",
                      rows)
        # no line at all for a setup without results
        self.assertFalse([r for r in rows if "series streaming" in r])

    def test_summary(self):
        runs = {("x86", "base"): BACKUP_BASE,
                ("x86", "series"): BACKUP_SERIES,
                ("xen", "base"): run_of("backup backend=streaming"
                                        " size=1 error=-14"),
                ("xen", "series"): BACKUP_SERIES,
                ("arm64-nc", "series"): NO_CMA}
        self.assertEqual(
            bench_report.backup_summary(runs, ["x86", "xen", "arm64-nc"]),
            "x86 auto 2.00x, dma-pages fails, base band-aid refused (-16);"
            " xen auto (base streaming fails), dma-pages fails")
        self.assertEqual(bench_report.backup_summary({}, ["x86"]),
                         "not measured")
        self.assertEqual(
            bench_report.backup_summary({("x86", "series"): BACKUP_SERIES},
                                        ["x86"]),
            "x86 auto (no base run), dma-pages fails")


CONSOLE = """\
DMA-API: debugging disabled on kernel command line
ttm_bench: progress: auto: backup
------------[ cut here ]------------
ttm: DMA ownership: the CPU touches pages the device owns (page 0 of 512)
WARNING: ../../linux/drivers/gpu/drm/ttm/ttm_tt.c:204 at ttm_tt_ownership\
_report+0x89/0xa2 [ttm], CPU#0: kworker/u8:1/28
Call Trace:
------------[ cut here ]------------
ttm: DMA ownership: the CPU touches pages the device owns (page 0 of 512)
WARNING: ../../linux/drivers/gpu/drm/ttm/ttm_tt.c:204 at ttm_tt_ownership\
_report+0x89/0xa2 [ttm], CPU#0: kworker/u8:1/28
[   12.345678] ------------[ cut here ]------------
[   12.345679] WARNING: CPU: 1 PID: 7 at mm/page_alloc.c:4711 f+0x1/0x2
[   13.000000] WARNING: possible circular locking dependency detected
BUG: KASAN: slab-use-after-free in ttm_pool_free+0x1/0x2
ttm_bench: R done results=1 errors=0
"""


class KernelReports(unittest.TestCase):
    def test_reports(self):
        got = bench_report.kernel_reports(CONSOLE.splitlines(True))
        self.assertEqual(got, {
            "WARNING: drivers/gpu/drm/ttm/ttm_tt.c:204: ttm: DMA ownership:"
            " the CPU touches pages the device owns (page 0 of 512)": 2,
            "WARNING: mm/page_alloc.c:4711": 1,
            "WARNING: possible circular locking dependency detected": 1,
            "BUG: KASAN: slab-use-after-free in ttm_pool_free+0x1/0x2": 1,
        })

    def test_clean_console(self):
        self.assertEqual(bench_report.kernel_reports(
            ["ttm_bench: R done results=1 errors=0\n",
             "RCU lockdep checking is enabled.\n"]), {})

    def test_quick_run_fails_on_a_report(self):
        import subprocess
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "runs", "x86-series"))
            log = os.path.join(d, "runs", "x86-series", "console.log")
            lines = [
                "ttm_bench: R info tree=series quick=1",
                "ttm_bench: R alloc backend=auto caching=cached state=cold"
                " size=4096 runs=3 median_ns=10 min_ns=9 max_ns=11",
                "ttm_bench: R limit backend=none caching=cached state=cold"
                " size=4096 runs=3 median_ns=10 min_ns=9 max_ns=11 map=0",
                "ttm_bench: R done results=2 errors=0",
            ]
            cmd = [sys.executable, bench_report.__file__, "--quick",
                   "--runs", os.path.join(d, "runs"),
                   "--out", os.path.join(d, "out.md"),
                   "--platforms", "x86", "--trees", "series"]
            with open(log, "w") as f:
                f.write("\n".join(lines) + "\n")
            ok = subprocess.run(cmd, capture_output=True, text=True)
            self.assertEqual(ok.returncode, 0, ok.stderr)
            with open(log, "a") as f:
                f.write(CONSOLE)
            bad = subprocess.run(cmd, capture_output=True, text=True)
            # lib.sh's "already reported": bench.sh adds no line
            self.assertEqual(bad.returncode, 3)
            self.assertIn("x86 series: the kernel reported WARNING:"
                          " drivers/gpu/drm/ttm/ttm_tt.c:204", bad.stderr)


if __name__ == "__main__":
    unittest.main()
