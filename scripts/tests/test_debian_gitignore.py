# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/debian_gitignore.py, which scripts/base.sh runs on
the .gitignore of Debian's kernel tree before committing the base.

  python3 -m unittest discover -s scripts/tests -p test_debian_gitignore.py
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(os.path.dirname(HERE), "debian_gitignore.py")

# The shape of the file: the kernel's own patterns, then Debian's block
# (a bare '#', its comment, '/*' and '!/debian/'), written here.
KERNEL = "*.o\n*.ko\n\n# generated files\n/vmlinux\n"
DEBIAN = ("#\n# Debian packaging: only debian/ is tracked at the top\n"
          "# level\n#\n/*\n!/debian/\n")


class DebianGitignore(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.path = os.path.join(self.tmp, ".gitignore")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_on(self, text):
        with open(self.path, "w") as f:
            f.write(text)
        p = subprocess.run([sys.executable, TOOL, self.path],
                           capture_output=True, text=True, check=False)
        self.assertNotIn("Traceback", p.stderr)
        with open(self.path) as f:
            return p, f.read()

    def test_block_removed(self):
        p, text = self.run_on(KERNEL + DEBIAN)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(text, KERNEL)

    def test_block_in_the_middle(self):
        p, text = self.run_on(KERNEL + DEBIAN + "/tags\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(text, KERNEL + "/tags\n")

    def test_no_block(self):
        """A kernel's own .gitignore: an error, the file unchanged."""
        p, text = self.run_on(KERNEL)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertIn("no '# Debian packaging' block", p.stderr)
        self.assertEqual(text, KERNEL)

    def test_unterminated_block(self):
        bad = KERNEL + "#\n# Debian packaging: cut short\n/*\n"
        p, text = self.run_on(bad)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no '!/debian/' line", p.stderr)
        self.assertEqual(text, bad)

    def test_missing_file(self):
        p = subprocess.run([sys.executable, TOOL,
                            os.path.join(self.tmp, "none")],
                           capture_output=True, text=True, check=False)
        self.assertEqual(p.returncode, 2)
        self.assertNotIn("Traceback", p.stderr)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)


if __name__ == "__main__":
    unittest.main()
