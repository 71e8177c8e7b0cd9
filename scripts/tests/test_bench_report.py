# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/bench_report.py's CMA figures: ttm_bench's "R cma"
lines as the report reads them, from console lines of the form the
module prints.

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


if __name__ == "__main__":
    unittest.main()
