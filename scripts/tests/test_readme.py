# SPDX-License-Identifier: GPL-2.0
"""README's commands name what exists.

README shows commands in `code spans` and in indented blocks. Each
`make TARGET VAR=...` must be a Makefile target that `make help` lists,
with variables the Makefile reads; each scripts/ path must exist (and a
script shown run must be executable); each `scripts/vm.sh -S PLATFORM`
must name a platform of platforms/. The two commands README promises
(make kernel, make check) run in make check itself and in make
fresh-test; README's command blocks run in test_readme_blocks.py; the
rest are too long to run here (make bench, make repro, make mutants)
or run by their own tests (test_badinput.py, test_series.py).

  python3 -m unittest discover -s scripts/tests -p test_readme.py
"""

import os
import re
import subprocess
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
README = os.path.join(TOP, "README.md")

# variables README may pass that the scripts, not the Makefile, read
ENV_VARS = {"KSRC", "BENCH_QUICK", "TTM_DMA_REBUILD", "PLATFORMS"}


def commands(text):
    """Commands README shows: code spans and indented block lines."""
    out = []
    for m in re.finditer(r"`([^`\n]+)`", text):
        out.append(m.group(1))
    for line in text.splitlines():
        if line.startswith("    ") and not line.strip().startswith("#"):
            out.append(line.strip())
    return out


def make_calls(cmd):
    """(target, [VAR, ...]) for each make call in a command line."""
    calls = []
    for part in re.split(r"&&|;|\|", cmd):
        words = part.split()
        if len(words) >= 2 and words[0] == "make" and \
                re.match(r"^[a-z][a-z0-9-]*$", words[1]):
            vars_ = [w.split("=", 1)[0] for w in words[2:]
                     if re.match(r"^[A-Z_]+=", w)]
            calls.append((words[1], vars_))
    return calls


class Readme(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(README) as fh:
            cls.text = fh.read()
        with open(os.path.join(TOP, "Makefile")) as fh:
            cls.makefile = fh.read()
        cls.targets = set(re.findall(r"^([a-z][a-z0-9-]*):", cls.makefile,
                                     re.M))
        cls.help = subprocess.run(["make", "-s", "-C", TOP, "help"],
                                  capture_output=True, text=True).stdout
        cls.cmds = commands(cls.text)

    def test_every_make_target_exists_and_is_in_help(self):
        seen = set()
        for cmd in self.cmds:
            for target, vars_ in make_calls(cmd):
                if target == "coccicheck":      # the kernel's, in its tree
                    continue
                seen.add(target)
                self.assertIn(target, self.targets, cmd)
                if target == "help":
                    continue
                self.assertRegex(self.help, r"make " + re.escape(target)
                                 + r"\b", f"make help lacks {target}")
                for v in vars_:
                    if v in ENV_VARS:
                        continue
                    self.assertIn(f"$({v})", self.makefile,
                                  f"{cmd}: the Makefile does not read {v}")
        # the two commands, and enough of the rest that the parsing works
        self.assertTrue({"kernel", "check", "fresh-test"} <= seen, seen)

    def test_every_script_path_exists(self):
        n = 0
        for cmd in self.cmds:
            for m in re.finditer(r"(?<![\w/.~-])((?:build/hw/tests-[\w-]+/)?"
                                 r"scripts/[\w./-]+)", cmd):
                path = m.group(1).rstrip(".")
                if path.startswith("build/") or "/path/" in cmd:
                    continue
                # the kernel's own scripts, in its tree
                if path in ("scripts/checkpatch.pl",
                            "scripts/get_maintainer.pl",
                            "scripts/kernel-doc"):
                    continue
                n += 1
                full = os.path.join(TOP, path)
                self.assertTrue(os.path.exists(full), f"{cmd}: no {path}")
                if cmd.startswith(path + " ") and path.endswith(
                        (".sh", ".py")):
                    self.assertTrue(os.access(full, os.X_OK),
                                    f"{path} is shown run, not executable")
        self.assertGreater(n, 5)

    def test_vm_show_command_names_platforms(self):
        n = 0
        for cmd in self.cmds:
            m = re.match(r"scripts/vm\.sh -S (\S+)$", cmd)
            if m:
                n += 1
                self.assertTrue(os.path.exists(os.path.join(
                    TOP, "platforms", m.group(1) + ".conf")), cmd)
        self.assertGreater(n, 0, "README shows no scripts/vm.sh -S line")
        with open(os.path.join(TOP, "scripts", "vm.sh")) as fh:
            self.assertRegex(fh.read(), r'getopts "[^"]*S')


if __name__ == "__main__":
    unittest.main()
