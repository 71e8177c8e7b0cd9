# SPDX-License-Identifier: GPL-2.0
"""Tests of the test-list runner of scripts/guest-init.sh, on the host.

The functions between guest-init.sh's '--- test-list functions' markers
run in busybox sh (the guest's shell: $GUEST_SH, else the cache's x86_64
busybox, else busybox from PATH, else /bin/sh), with stubs for what
needs a test VM: a fake IGT binary, modprobe and rmmod that log their
arguments, loaded() answering from a list. Their KTAP is judged by
scripts/ktap.py. GUEST_INIT=FILE tests another guest-init.sh.
Where IGT's stand-in lib_selftest is built ($LIB_SELFTEST, or make
check's host build in the cache), the --run-subtest selection is
compared with IGT's own.

  python3 -m unittest discover -s scripts/tests
"""

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.dirname(HERE)
GUEST_INIT = (os.environ.get('GUEST_INIT') or
              os.path.join(SCRIPTS, 'guest-init.sh'))
KTAP = os.path.join(SCRIPTS, 'ktap.py')
CACHE = os.environ.get('TTM_DMA_CACHE') or os.path.join(
    os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'),
    'ttm-dma')
BEGIN = '# --- test-list functions'
END = '# --- end of test-list functions ---'


def guest_shell():
    if os.environ.get('GUEST_SH'):
        return [os.environ['GUEST_SH']]
    cached = os.path.join(CACHE, 'vm', 'busybox-x86_64')
    if platform.machine() == 'x86_64' and os.access(cached, os.X_OK):
        return [cached, 'sh']
    if shutil.which('busybox'):
        return [shutil.which('busybox'), 'sh']
    return ['/bin/sh']


def lib_selftest():
    for path in (os.environ.get('LIB_SELFTEST'),
                 os.path.join(CACHE, 'check', 'obj', '.ttm-dma-host-igt',
                              'lib_selftest')):
        if path and os.access(path, os.X_OK):
            return path
    return None


def functions():
    with open(GUEST_INIT) as fh:
        text = fh.read()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise AssertionError(f'{GUEST_INIT}: no "{BEGIN}" ... "{END}"')
    return text[start:end]


# IGT as far as guest-init.sh uses it: --list-subtests lists every
# subtest (a --run-subtest after it is ignored, as in IGT), --run-subtest
# NAME runs one (exit 0 pass, 77 skip, 98 fail, 79 unknown). Every call
# is logged.
FAKE_IGT = '''#!/bin/sh
echo "$(basename "$0") $*" >>"$CALLS"
list=0 run=
while [ $# -gt 0 ]; do
    case $1 in
    --list-subtests) [ -n "$run" ] || list=1 ;;
    --run-subtest) [ $list = 1 ] || run=$2; shift ;;
    esac
    shift
done
if [ $list = 1 ]; then
    printf '%s\\n' pass-a pass-b skip-a fail-a
    exit 0
fi
echo "Starting subtest: $run"
case $run in
pass-*) exit 0 ;;
skip-*) exit 77 ;;
fail-*) exit 98 ;;
esac
exit 79
'''

# modprobe and rmmod log their arguments and fail on a module named
# 'fail'; loaded() answers from a list. Shell functions: busybox runs its
# own applets before anything in PATH.
STUBS = '''
modprobe() {{ echo "modprobe $*" >>"$CALLS"; [ "$1" != fail ]; }}
rmmod() {{ echo "rmmod $*" >>"$CALLS"; [ "$1" != fail ]; }}
loaded() {{
    case " {loaded} " in *" $1 "*) return 0 ;; esac
    return 1
}}
only={only}
'''


class Run:
    """One run of a test list: the console output, the logged calls and
    ktap.py's verdict."""

    def __init__(self, tmp, proc, calls, verdict):
        self.tmp = tmp
        self.out = proc.stdout
        self.err = proc.stderr
        self.rc = proc.returncode
        self.calls = calls
        self.verdict = verdict

    def cases(self):
        """The test cases (not ktap.py's own 'log' failures)."""
        return [(c['suite'], c['name'], c['status'])
                for c in self.verdict['cases'] if c['suite'] != 'log']


class GuestInit(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        bindir = os.path.join(self.dir, 'bin')
        os.mkdir(bindir)
        self.igt = os.path.join(bindir, 'fake_igt')
        with open(self.igt, 'w') as fh:
            fh.write(FAKE_IGT)
        os.chmod(self.igt, 0o755)

    def tearDown(self):
        self.tmp.cleanup()

    def run_list(self, lines, loaded=(), only=''):
        """Run test-list LINES ({IGT} is the fake IGT binary) with the
        modules LOADED already."""
        listfile = os.path.join(self.dir, 'tests')
        with open(listfile, 'w') as fh:
            fh.write('\n'.join(lines).replace('{IGT}', self.igt) + '\n')
        calls = os.path.join(self.dir, 'calls')
        open(calls, 'w').close()
        script = os.path.join(self.dir, 'init')
        with open(script, 'w') as fh:
            fh.write(functions())
            fh.write(STUBS.format(loaded=' '.join(loaded), only=only))
            fh.write(f'run_list 3<"{listfile}" </dev/null\n'
                     'echo "ttm-dma: done"\n')
        # A file a glob in the list would match, were globbing on.
        work = os.path.join(self.dir, 'cwd')
        os.makedirs(work, exist_ok=True)
        open(os.path.join(work, 'pass-zzz'), 'w').close()
        env = dict(os.environ, CALLS=calls,
                   IGT_FORCE_DRIVER='no-such-driver')
        proc = subprocess.run(guest_shell() + [script], cwd=work, env=env,
                              capture_output=True, text=True, timeout=60)
        log = os.path.join(self.dir, 'console.log')
        with open(log, 'w') as fh:
            fh.write(proc.stdout)
        result = os.path.join(self.dir, 'result.json')
        subprocess.run([sys.executable, KTAP, '--json', result, log],
                       capture_output=True, timeout=60)
        with open(result) as fh:
            verdict = json.load(fh)
        with open(calls) as fh:
            return Run(self.dir, proc, fh.read().splitlines(), verdict)

    def test_igt_suites(self):
        r = self.run_list(['igt {IGT}', 'igt:dma31 {IGT}'])
        self.assertEqual(r.rc, 0, r.err)
        cases = [('igt:fake_igt', 'pass-a', 'pass'),
                 ('igt:fake_igt', 'pass-b', 'pass'),
                 ('igt:fake_igt', 'skip-a', 'skip'),
                 ('igt:fake_igt', 'fail-a', 'fail')]
        self.assertEqual(r.cases(), cases + [
            (s + ':dma31', n, st) for s, n, st in cases])
        self.assertIn('    not ok 4 fail-a # exit 98\n', r.out)
        self.assertIn('    # Starting subtest: pass-a\n', r.out)

    def test_run_subtest_filter(self):
        r = self.run_list(['igt:f {IGT} --debug --run-subtest pass-*,'
                           'skip-*,!*-b'])
        self.assertEqual(r.cases(), [('igt:fake_igt:f', 'pass-a', 'pass'),
                                     ('igt:fake_igt:f', 'skip-a', 'skip')])
        # The filter selects; the other arguments go to every call.
        self.assertEqual(r.calls, ['fake_igt --list-subtests --debug',
                                   'fake_igt --run-subtest pass-a --debug',
                                   'fake_igt --run-subtest skip-a --debug'])

    def test_run_subtest_equals(self):
        r = self.run_list(['igt {IGT} --run-subtest=fail-*'])
        self.assertEqual(r.cases(), [('igt:fake_igt', 'fail-a', 'fail')])

    def test_run_subtest_no_match(self):
        r = self.run_list(['igt:x {IGT} --run-subtest nothing-*'])
        self.assertEqual(r.cases(), [('', 'igt:fake_igt:x', 'fail')])
        self.assertIn('# no subtest of ', r.out)
        self.assertEqual(len(r.calls), 1)

    def test_run_subtest_without_pattern(self):
        r = self.run_list(['igt {IGT} --run-subtest'])
        self.assertEqual(r.cases(), [('', 'igt:fake_igt', 'fail')])
        self.assertIn('# --run-subtest without a pattern\n', r.out)
        self.assertEqual(r.calls, [])

    def test_missing_binary(self):
        r = self.run_list(['igt:l /nonexistent/igt_test'])
        self.assertEqual(r.cases(), [('', 'igt:igt_test:l', 'fail')])
        self.assertIn('# /nonexistent/igt_test: not in the initramfs\n',
                      r.out)

    def test_bad_label(self):
        r = self.run_list(['igt:a:b {IGT}', 'igt: {IGT}',
                           'igt:dma_bits=31 {IGT} --run-subtest pass-a'])
        self.assertEqual(r.cases(), [
            ('', 'igt:a:b', 'fail'), ('', 'igt:', 'fail'),
            ('igt:fake_igt:dma_bits=31', 'pass-a', 'pass')])

    def test_module_load(self):
        r = self.run_list(['module edu_gpu dma_bits=32'])
        self.assertEqual(r.calls, ['modprobe edu_gpu dma_bits=32'])
        self.assertIn('ttm-dma: edu_gpu loaded, parameters: ', r.out)

    def test_module_reload(self):
        r = self.run_list(['module edu-gpu dma_bits=31'],
                          loaded=['edu_gpu'])
        self.assertEqual(r.calls, ['rmmod edu_gpu',
                                   'modprobe edu-gpu dma_bits=31'])
        self.assertEqual(r.cases(), [])

    def test_module_unload_fails(self):
        r = self.run_list(['module fail dma_bits=31'], loaded=['fail'])
        self.assertEqual(r.calls, ['rmmod fail'])
        self.assertEqual(r.cases(), [('', 'module:fail', 'fail')])

    def test_module_load_fails(self):
        r = self.run_list(['module fail'])
        self.assertEqual(r.cases(), [('', 'module:fail', 'fail')])

    def test_kunit_and_sh(self):
        r = self.run_list(['# a comment', '', 'kunit fail',
                           'sh check:true test 1 = 1',
                           'sh check:false test 1 = 2',
                           'sh check:skip exit 77',
                           'sh check:exit3 exit 3',
                           'frobnicate x y'])
        self.assertEqual(r.cases(), [
            ('', 'kunit:fail', 'fail'), ('', 'check:true', 'pass'),
            ('', 'check:false', 'fail'), ('', 'check:skip', 'skip'),
            ('', 'check:exit3', 'fail'), ('', 'frobnicate:x', 'fail')])

    def test_only(self):
        r = self.run_list(['igt:dma32 {IGT} --run-subtest pass-a',
                           'igt:dma31 {IGT} --run-subtest pass-b'],
                          only='dma31')
        self.assertEqual(r.cases(), [('igt:fake_igt:dma31', 'pass-b',
                                      'pass')])

    def test_selection_as_igt(self):
        binary = lib_selftest()
        if not binary:
            self.skipTest('no lib_selftest built (LIB_SELFTEST)')
        env = dict(os.environ, IGT_FORCE_DRIVER='no-such-driver')
        for pattern in ('pass-*', 'pass-*,skip-*,!*-2', '*-f-?',
                        '!pass-*', 'fail-eq-u64,pass-basic', '*,!*e*',
                        'skip-[or]*'):
            with self.subTest(pattern=pattern):
                proc = subprocess.run([binary, '--run-subtest', pattern],
                                      env=env, capture_output=True,
                                      text=True, timeout=60)
                igt = [line.split(':')[0].split(' ', 1)[1]
                       for line in proc.stdout.splitlines()
                       if line.startswith('Subtest ')]
                r = self.run_list([f'igt {binary} --run-subtest {pattern}'])
                ours = [n for _, n, _ in r.cases()]
                self.assertEqual(ours, igt or ['igt:lib_selftest'])


if __name__ == '__main__':
    unittest.main()
