# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/results.py summary: make check's last line and exit
status, over the JSON results ktap.py leaves in a directory.

  python3 -m unittest discover -s scripts/tests -p test_results.py
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(os.path.dirname(HERE), "results.py")


class Summary(unittest.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.d)

    def put(self, name, counts):
        with open(os.path.join(self.d, name), "w") as f:
            if isinstance(counts, str):
                f.write(counts)
            else:
                json.dump({"counts": counts}, f)

    def run_tool(self, *args):
        p = subprocess.run([sys.executable, TOOL, *args],
                           capture_output=True, text=True, check=False)
        self.assertNotIn("Traceback", p.stderr)
        return p

    def test_pass(self):
        self.put("a.json", {"pass": 3, "fail": 0, "skip": 1})
        self.put("b.json", {"pass": 2, "fail": 0, "skip": 0})
        self.put("notes.txt", "not a result")
        p = self.run_tool("summary", self.d)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout, "5 passed, 0 failed, 1 skipped\n")

    def test_fail(self):
        self.put("a.json", {"pass": 3, "fail": 1, "skip": 0})
        p = self.run_tool("summary", self.d)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "3 passed, 1 failed\n")

    def test_nothing_passed(self):
        p = self.run_tool("summary", self.d)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "0 passed, 0 failed\n")

    def test_cut_short(self):
        """A result a killed step left half written is a failure."""
        self.put("a.json", {"pass": 3, "fail": 0, "skip": 0})
        self.put("b.json", '{"counts": {"pass": 1')
        self.put("c.json", '{"no": "counts"}')
        p = self.run_tool("summary", self.d)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "3 passed, 2 failed\n")
        self.assertIn("b.json: not a result file", p.stderr)

    def test_bad_input(self):
        p = self.run_tool("summary", os.path.join(self.d, "none"))
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertIn("no results directory", p.stderr)
        p = self.run_tool("sum", self.d)
        self.assertEqual(p.returncode, 2)
        self.assertIn("invalid choice", p.stderr)


if __name__ == "__main__":
    unittest.main()
