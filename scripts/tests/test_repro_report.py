# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/repro_report.py, the table of make repro.

data/repro-runs/ holds VM results as scripts/vm.sh leaves them: x86 with
the three configurations (the plain one failing each way the table
names), xen with a plain run only, a band-aid run missing and a series
run whose result file a killed VM left cut short.

  python3 -m unittest discover -s scripts/tests -p test_repro_report.py
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "data", "repro-runs")
TOOL = os.path.join(os.path.dirname(HERE), "repro_report.py")


class ReproReport(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.out = os.path.join(self.tmp, "docs", "repro.md")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_tool(self, *args):
        p = subprocess.run([sys.executable, TOOL, *args],
                           capture_output=True, text=True, check=False)
        self.assertNotIn("Traceback", p.stderr)
        return p

    def test_table(self):
        p = self.run_tool("--runs", RUNS, "--out", self.out, "x86", "xen")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(self.out) as f:
            r = f.read()
        self.assertIn("- x86: unpatched, plain: 0 of 3 pass; unpatched,"
                      " band-aid: 3 of 3 pass; series: 2 of 3 pass", r)
        # a cut-short result is no run, not a crash
        self.assertIn("- xen: unpatched, plain: 0 of 1 pass; unpatched,"
                      " band-aid: no run; series: no run", r)
        # what each failure saw first, past the generic assertion lines
        self.assertIn("| dma-to-device | **FAIL**: stale data | pass |"
                      " pass |", r)
        self.assertIn("| dma-from-device | **FAIL**: zeros, not the data |"
                      " pass | skip |", r)
        self.assertIn("| swiotlb-pressure-cached | **FAIL**: -EFAULT"
                      " (swiotlb) | pass | pass |", r)
        self.assertIn("**FAIL**: something else went wrong in a way that is"
                      " long enough to be |", r)
        # only IGT subtests are rows
        self.assertNotIn("| k |", r)
        self.assertIn("| swiotlb slots at peak (swiotlb-pressure-cached) |"
                      " mapping of 512 KiB refused (swiotlb: 12 of 32768"
                      " used) | 2048 of 32768 | 0 of 32768 |", r)
        self.assertIn("| TTM pool backend (debugfs) | n/a (no debugfs"
                      " file) | n/a (no debugfs file) | dma-pages |", r)
        self.assertEqual(r.index("## x86") < r.index("## xen"), True)

    def test_no_runs(self):
        p = self.run_tool("--runs", os.path.join(self.tmp, "none"),
                          "--out", self.out, "x86")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertIn("no runs in", p.stderr)
        self.assertFalse(os.path.exists(self.out))

    def test_unwritable(self):
        p = self.run_tool("--runs", RUNS, "--out", "/proc/none/repro.md",
                          "x86")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)


if __name__ == "__main__":
    unittest.main()
