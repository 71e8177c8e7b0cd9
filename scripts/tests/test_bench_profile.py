# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/bench_profile.py, the report of make bench
BENCH_PROFILE=KIB.

data/bench-profile-series.log is a real guest console log of a profile
run (series, x86 without bounce, 4 KiB warm), its perf output cut to the
first lines of each part.

  python3 -m unittest discover -s scripts/tests -p test_bench_profile.py
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
LOG = os.path.join(HERE, "data", "bench-profile-series.log")
TOOL = os.path.join(os.path.dirname(HERE), "bench_profile.py")


class BenchProfile(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.runs = os.path.join(self.tmp, "runs")
        self.out = os.path.join(self.tmp, "out", "profile.md")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def put(self, text, run="x86-nobounce-series"):
        d = os.path.join(self.runs, run)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "console.log"), "w") as f:
            f.write(text)

    def log(self):
        with open(LOG) as f:
            return f.read()

    def run_tool(self, *extra):
        p = subprocess.run(
            [sys.executable, TOOL, "--runs", self.runs, "--out", self.out,
             "--platforms", "x86-nobounce", "--trees", "series", *extra],
            capture_output=True, text=True, check=False)
        self.assertNotIn("Traceback", p.stderr)
        return p

    def report(self):
        with open(self.out) as f:
            return f.read()

    def test_report(self):
        self.put(self.log())
        p = self.run_tool()
        self.assertEqual(p.returncode, 0, p.stderr)
        r = self.report()
        # the result lines: loops, ns per loop, alloc+free
        self.assertIn("| series auto | 129129 | 23232 | 11178 |", r)
        self.assertIn("| series dma-pages | 141112 | 21259 | 9410 |", r)
        # a symbol's share turned into ns per loop: 29.85% of 23232
        self.assertIn("| `lock_acquire` | 6935 (29.9%) |", r)
        # symbols ordered by the most ns per loop any setup spends there
        rows = [ln for ln in r.splitlines() if ln.startswith("| `")]
        most = [max([int(c.split()[0]) for c in ln.split("|")[2:-1]
                     if c.strip() != "-"] or [0]) for ln in rows]
        self.assertGreater(len(rows), 5)
        self.assertEqual(most, sorted(most, reverse=True))
        # the call chains of each setup, collapsed
        self.assertIn("x86-nobounce, series auto: call chains", r)
        self.assertIn("local_trylock_acquire", r)
        # the console summary: each setup against the reference, absent
        # here (no base tree): no ratio
        self.assertIn("series auto", p.stdout)
        self.assertIn("23232 ns/loop  n/a of base streaming", p.stdout)

    def test_lost_samples(self):
        """perf's warning about lost samples reaches the table."""
        text = self.log().replace(
            "ttm-bench-profile: begin auto\n",
            "ttm-bench-profile: begin auto\nWarning:\n"
            "Processed 11790 samples and lost 16.87%!\n")
        self.put(text)
        p = self.run_tool()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("| series auto | 129129 | 23232 | 11178 | n/a | 83.0% |"
                      " 16.9% |", self.report())
        self.assertIn("(perf lost 16.87% of samples)", p.stdout)

    def test_missing_profile(self):
        text = self.log()
        # dma-pages' perf output lost (perf failed): the result stays
        start = text.index("ttm-bench-profile: begin dma-pages")
        end = text.index("ttm-bench-profile: end dma-pages")
        self.put(text[:start] + text[end:])
        p = self.run_tool()
        self.assertEqual(p.returncode, 1)
        self.assertIn("x86-nobounce-series dma-pages: no perf profile",
                      p.stderr)
        self.assertIn("| series auto | 129129 |", self.report())

    def test_missing_result(self):
        text = self.log()
        lines = [ln for ln in text.splitlines(True)
                 if "R profile backend=streaming" not in ln]
        self.put("".join(lines))
        p = self.run_tool()
        self.assertEqual(p.returncode, 1)
        self.assertIn("x86-nobounce-series streaming: no result line",
                      p.stderr)

    def test_no_log(self):
        os.makedirs(self.runs)
        p = self.run_tool()
        self.assertEqual(p.returncode, 1)
        self.assertIn("x86-nobounce-series: no console log", p.stderr)

    def test_bad_tree(self):
        self.put(self.log())
        p = subprocess.run(
            [sys.executable, TOOL, "--runs", self.runs, "--out", self.out,
             "--trees", "series nope"],
            capture_output=True, text=True, check=False)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr.strip().count("\n"), 0, p.stderr)
        self.assertIn("unknown tree 'nope'", p.stderr)
        self.assertFalse(os.path.exists(self.out))


if __name__ == "__main__":
    unittest.main()
