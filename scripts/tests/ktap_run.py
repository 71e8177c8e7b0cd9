#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run the harness's own tests (scripts/tests/test_*.py) and print the
results as KTAP, one suite per test module (harness:MODULE), for
'make check' to count with scripts/ktap.py. Exit status 1 when a test
failed.

  ktap_run.py [MODULE...]     (default: every test_*.py here)

Plain 'python3 -m unittest discover -s scripts/tests' runs the same tests.
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


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


def main():
    sys.path.insert(0, HERE)
    names = sys.argv[1:] or sorted(
        f[:-3] for f in os.listdir(HERE)
        if f.startswith('test_') and f.endswith('.py'))
    print('KTAP version 1')
    print(f'1..{len(names)}')
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
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
