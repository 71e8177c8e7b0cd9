#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run the harness's own tests (scripts/tests/test_*.py) and print the
results as KTAP, one suite per test module (harness:MODULE), for
'make check' to count with scripts/ktap.py. Exit status 1 when a test
failed.

  ktap_run.py [--lint] [MODULE...]   (default: every test_*.py here)

--lint adds two suites: flake8 on scripts/*.py and scripts/tests/*.py,
shellcheck on scripts/*.sh (and scripts/tests/*.sh), one test case a
file. A file listed in scripts/tests/lint-pending (one a line, # the
reason) is not clean yet and its findings are counted as a skip; once
clean it passes like any other.

Plain 'python3 -m unittest discover -s scripts/tests' runs the same tests.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.dirname(HERE)


class Result(unittest.TestResult):
    """Collects (name, status, details) in the order tests ran."""

    def __init__(self):
        super().__init__()
        self.cases = []

    def name(self, test):
        parts = test.id().split('.')
        return '.'.join(parts[1:]) or test.id()

    def addSuccess(self, test):
        self.cases.append((self.name(test), 'ok', ''))

    def addFailure(self, test, err):
        self.cases.append((self.name(test), 'not ok',
                           self._exc_info_to_string(err, test)))

    def addError(self, test, err):
        self.addFailure(test, err)

    def addSkip(self, test, reason):
        self.cases.append((self.name(test), 'skip', reason))

    def addSubTest(self, test, subtest, err):
        # A failed subtest fails its test (unittest reports the test as
        # passed too, if nothing else failed: keep only the failure).
        if err is not None:
            self.addFailure(subtest, err)

    def addExpectedFailure(self, test, err):
        self.addFailure(test, err)

    def addUnexpectedSuccess(self, test):
        self.cases.append((self.name(test), 'not ok',
                           'unexpected success'))


def ktap(module, cases, indent='    '):
    """KTAP lines of one module's cases."""
    # A test whose subtests failed was also reported as passed.
    failed = {n.split(' ', 1)[0] for n, s, _ in cases if s == 'not ok'}
    cases = [c for c in cases if c[1] != 'ok' or c[0] not in failed]
    out = [f'{indent}KTAP version 1', f'{indent}# Subtest: harness:{module}',
           f'{indent}1..{len(cases)}']
    for i, (name, status, details) in enumerate(cases, 1):
        name = name.replace('#', '_')
        if status == 'not ok':
            out += [f'{indent}# {line}' for line in details.splitlines()]
        if status == 'skip':
            out.append(f'{indent}ok {i} {name} # SKIP {details}')
        else:
            out.append(f'{indent}{status} {i} {name}')
    return out, any(s == 'not ok' for _, s, _ in cases)


def pending():
    """Files not lint clean yet: {name: reason}."""
    out = {}
    try:
        with open(os.path.join(HERE, 'lint-pending')) as fh:
            for line in fh:
                name, _, why = line.partition('#')
                if name.strip():
                    out[name.strip()] = why.strip()
    except FileNotFoundError:
        pass
    return out


def lint(tool, cmd, files):
    """One case a file: ok, not ok with the findings, or a skip for a
    file in lint-pending."""
    if not shutil.which(cmd[0]):
        return [(tool, 'not ok', f'no {cmd[0]} (run make deps)')]
    r = subprocess.run(cmd + files, capture_output=True, text=True,
                       cwd=SCRIPTS)
    found = {}
    for line in r.stdout.splitlines():
        m = re.match(r'^([^:]+):\d+:\d+: ', line)
        if m:
            found.setdefault(os.path.normpath(m.group(1)), []).append(line)
    if r.returncode and not found:
        return [(tool, 'not ok', r.stderr or r.stdout or 'failed')]
    later = pending()
    cases = []
    for f in files:
        msgs = found.get(os.path.normpath(f), [])
        if not msgs:
            cases.append((f, 'ok', ''))
        elif f in later:
            cases.append((f, 'skip', f'{len(msgs)} findings, pending: '
                          f'{later[f]}'))
        else:
            cases.append((f, 'not ok', '\n'.join(msgs)))
    return cases


def lint_suites():
    rel = lambda pat: sorted(os.path.relpath(f, SCRIPTS)  # noqa: E731
                             for f in glob.glob(os.path.join(SCRIPTS, pat)))
    py = rel('*.py') + rel('tests/*.py')
    sh = rel('*.sh') + rel('tests/*.sh')
    return [('lint:flake8', lint('flake8', ['flake8'], py)),
            ('lint:shellcheck',
             lint('shellcheck', ['shellcheck', '-x', '-P', 'SCRIPTDIR',
                                 '-f', 'gcc'], sh))]


def main():
    sys.path.insert(0, HERE)
    args = sys.argv[1:]
    with_lint = '--lint' in args
    args = [a for a in args if a != '--lint']
    names = args or sorted(
        f[:-3] for f in os.listdir(HERE)
        if f.startswith('test_') and f.endswith('.py'))
    suites = lint_suites() if with_lint else []
    print('KTAP version 1')
    print(f'1..{len(names) + len(suites)}')
    bad = False
    for i, module in enumerate(names, 1):
        result = Result()
        try:
            suite = unittest.defaultTestLoader.loadTestsFromName(module)
        except Exception as e:
            lines = [f'# cannot load {module}: {e}']
            failed = True
        else:
            suite.run(result)
            lines, failed = ktap(module, result.cases)
            if not result.cases:
                lines.append(f'    # {module}: no tests')
                failed = True
        print('\n'.join(lines))
        print(f'{"not ok" if failed else "ok"} {i} harness:{module}')
        bad = bad or failed
    for i, (name, cases) in enumerate(suites, len(names) + 1):
        lines, failed = ktap(name, cases)
        print('\n'.join(lines).replace('harness:lint:', 'lint:'))
        print(f'{"not ok" if failed else "ok"} {i} {name}')
        bad = bad or failed
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
