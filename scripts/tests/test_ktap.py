# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/ktap.py, the judge of every test VM run.

Each test runs ktap.py, as vm.sh does, on a fixture log in data/ and
checks its verdict: exit status, the counts, which cases failed and why.
The fixtures are modelled on real runs (printk timestamps, KUnit's and
guest-init.sh's KTAP, IGT's output, kernel reports), the real-*.log ones
are real runs. KTAP_PY=FILE tests another ktap.py
(test_mutants.py does, with broken copies).

  python3 -m unittest discover -s scripts/tests
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, 'data')
SCRIPTS = os.path.dirname(HERE)
KTAP = os.environ.get('KTAP_PY') or os.path.join(SCRIPTS, 'ktap.py')
PLATFORMS = os.path.join(os.path.dirname(SCRIPTS), 'platforms')


def data(name):
    return os.path.join(DATA, name)


class Verdict:
    """What ktap.py said about one log."""

    def __init__(self, proc, result):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self.result = result
        self.summary = proc.stdout.split('\n', 1)[0]

    @property
    def counts(self):
        return self.result['counts']

    def cases(self, status=None):
        """(suite, name) of the cases, those with STATUS only if given."""
        return [(c['suite'], c['name']) for c in self.result['cases']
                if status is None or c['status'] == status]

    def failed(self):
        return self.cases('fail')

    def directive(self, suite, name):
        return next(c['directive'] for c in self.result['cases']
                    if (c['suite'], c['name']) == (suite, name))

    def log_failures(self):
        """The failures that are not test cases: reports, missing end
        marker, timeout, no edu subtest executed."""
        return [n for s, n in self.failed() if s == 'log']


def judge(log, *args, name='x86'):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'result.json')
        proc = subprocess.run([sys.executable, KTAP, '--name', name,
                               '--json', out, *args, data(log)],
                              capture_output=True, text=True, timeout=60)
        result = None
        if os.path.exists(out):
            with open(out) as fh:
                result = json.load(fh)
    return Verdict(proc, result)


def expect(log, platform, file='expectations', *args):
    return judge(log, '--expect', data(file), '--platform', platform,
                 *args, name=platform)


class Verdicts(unittest.TestCase):
    """One test per verdict the judge can give."""

    def test_passing(self):
        v = judge('pass.log')
        self.assertEqual(v.rc, 0, v.out)
        # 12 KUnit parameters and cases (one skips: KUnit's own skip),
        # 4 platform checks, 19 IGT subtests.
        self.assertEqual(v.summary, 'x86: 34 passed, 0 failed, 1 skipped')
        self.assertEqual(v.counts, {'pass': 34, 'fail': 0, 'skip': 1})
        self.assertIn(('igt:edu_gpu_dma', 'bad-input'), v.cases('pass'))
        self.assertIn(('ttm_pool.ttm_pool_alloc_basic', 'One page'),
                      v.cases('pass'))
        self.assertEqual(v.cases('skip'), [
            ('ttm_pool.ttm_pool_alloc_basic',
             'One page, with coherent DMA mappings enabled')])

    def test_failing(self):
        v = judge('fail.log')
        self.assertEqual(v.rc, 1)
        self.assertEqual(v.summary, 'x86: 32 passed, 2 failed, 1 skipped')
        self.assertEqual(v.failed(), [
            ('ttm_tt.ttm_tt_init_basic', 'Extra pages requested'),
            ('igt:edu_gpu_dma', 'device-write-cpu-read-wc')])
        self.assertEqual(v.directive('igt:edu_gpu_dma',
                                     'device-write-cpu-read-wc'), 'exit 98')
        self.assertIn('  FAIL igt:edu_gpu_dma.device-write-cpu-read-wc '
                      '# exit 98\n', v.out)

    def test_crashed(self):
        v = judge('oops.log')
        self.assertEqual(v.rc, 1)
        fails = v.log_failures()
        self.assertEqual([f.split(' (')[0] for f in fails],
                         ['BUG', 'Oops', 'panic', 'the guest did not reach '
                          'the end of its test list'])
        self.assertIn('Oops (line 114): Oops: Oops: 0000 [#1] SMP NOPTI',
                      fails)
        # What ran before the crash still counts.
        self.assertEqual(v.counts['pass'], 21)

    def test_xen_crash(self):
        # Xen's console ends lines with \r\r\n.
        v = judge('xen-crash.log', name='xen')
        self.assertEqual(v.rc, 1)
        self.assertEqual(v.log_failures()[:2], [
            'Xen panic (line 42): (XEN) Panic on CPU 0:',
            'Xen panic (line 43): (XEN) FATAL PAGE FAULT'])
        self.assertEqual(v.cases('pass')[0],
                         ('ttm_pool.ttm_pool_alloc_basic', 'One page'))

    def test_timed_out(self):
        v = judge('timeout.log', '--timeout')
        self.assertEqual(v.rc, 1)
        self.assertEqual(v.log_failures(),
                         ['timeout: the VM did not finish in time'])
        self.assertEqual(v.counts, {'pass': 31, 'fail': 1, 'skip': 1})

    def test_missing_end_marker(self):
        v = judge('noend.log')
        self.assertEqual(v.rc, 1)
        self.assertEqual(v.summary, 'x86: 34 passed, 1 failed, 1 skipped')
        self.assertEqual(v.log_failures(), [
            'the guest did not reach the end of its test list (crash or '
            'early exit)'])
        # Without --timeout a log that stops half way is a crash.
        v = judge('timeout.log')
        self.assertEqual(v.log_failures(), [
            'the guest did not reach the end of its test list (crash or '
            'early exit)'])

    def test_result_file_first(self):
        # A reader that went away (vm.sh ... | head) must not cost the
        # result file make check counts.
        rd, wr = os.pipe()
        os.close(rd)
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, 'result.json')
            proc = subprocess.run([sys.executable, '-u', KTAP, '--json', out,
                                   data('fail.log')], stdout=wr,
                                  stderr=subprocess.PIPE, timeout=60)
            os.close(wr)
            self.assertNotEqual(proc.returncode, 0)
            with open(out) as fh:
                self.assertEqual(json.load(fh)['counts']['fail'], 2)

    def test_no_results(self):
        v = judge('expectations')
        self.assertEqual(v.rc, 1)
        self.assertIn('no test results in the log', v.log_failures())

    def test_warn_inside_passing_test(self):
        v = judge('warn.log')
        self.assertEqual(v.rc, 1)
        self.assertIn(('ttm_tt.ttm_tt_init_basic', 'Page-aligned size'),
                      v.cases('pass'))
        self.assertEqual(v.log_failures(), [
            'WARNING (line 48): WARNING: CPU: 0 PID: 87 at '
            'drivers/gpu/drm/ttm/ttm_tt.c:160 ttm_tt_init_fields+0x3c/0x90 '
            '[ttm]'])
        self.assertEqual(v.summary, 'x86: 34 passed, 1 failed, 1 skipped')

    def test_ownership_report(self):
        v = judge('ownership.log')
        self.assertEqual(v.rc, 1)
        self.assertEqual(v.log_failures(), [
            'DMA ownership (line 149): ttm: DMA ownership: '
            'ttm_tt_sync_for_device() of page 3 of tt 00000000c0ffee00 that '
            'the CPU does not own (unbalanced transfer)'])
        # The subtest itself passed.
        self.assertIn(('igt:edu_gpu_dma', 'dmabuf-cpu-access-wc'),
                      v.cases('pass'))

    def test_known_upstream_report(self):
        v = judge('known.log', '--known', data('known-reports'))
        self.assertEqual(v.rc, 0, v.out)
        self.assertEqual(v.summary, 'x86: 32 passed, 0 failed, 1 skipped')
        self.assertIn('  known upstream WARNING report x1: fixture: the test '
                      'WARNs on purpose\n', v.out)
        self.assertIn('  known upstream kmemleak report x1: fixture: '
                      'ttm_pool_type_fini() never calls list_lru_destroy()\n',
                      v.out)
        self.assertEqual(len(v.result['known']), 2)
        # The same log without the list: both reports fail the run.
        v = judge('known.log')
        self.assertEqual(v.rc, 1)
        self.assertEqual([f.split(' ')[0] for f in v.log_failures()],
                         ['WARNING', 'kmemleak'])

    def test_known_report_needs_its_kind(self):
        # A known WARNING regex does not excuse an Oops with that text.
        with tempfile.NamedTemporaryFile('w', suffix='-known') as fh:
            fh.write('Oops | ttm_device_init_no_vma_man | wrong kind\n')
            fh.flush()
            v = judge('known.log', '--known', fh.name)
        self.assertEqual(v.rc, 1)
        self.assertEqual(len(v.log_failures()), 2)

    def test_expect_reports(self):
        # vm.sh -r (the unpatched tree): reports listed, not counted.
        v = judge('ownership.log', '--expect-reports')
        self.assertEqual(v.rc, 0)
        self.assertIn('  report (expected here) line 149: ttm: DMA '
                      'ownership:', v.out)

    def test_ktap_nesting(self):
        v = judge('nesting.log')
        self.assertEqual(v.rc, 1)
        pool = 'ttm_pool.ttm_pool_alloc_basic'
        addr = 'ttm_pool.ttm_pool_alloc_basic_dma_addr'
        # A parameterised case counts each parameter; a parent whose
        # parameters all ran counts nothing of its own; a suite that
        # failed while all its cases passed counts one failure.
        self.assertEqual(v.result['cases'][:10], [
            {'suite': pool, 'name': 'One page', 'status': 'pass',
             'directive': ''},
            {'suite': pool, 'name': 'More than one page', 'status': 'pass',
             'directive': ''},
            {'suite': pool, 'name': 'Above the allocation limit',
             'status': 'pass', 'directive': ''},
            {'suite': pool, 'name': 'One page, with coherent DMA mappings '
             'enabled', 'status': 'skip', 'directive': 'SKIP coherent DMA '
             'allocations are not available on this platform'},
            {'suite': addr, 'name': 'One page', 'status': 'pass',
             'directive': ''},
            {'suite': addr, 'name': 'More than one page', 'status': 'pass',
             'directive': ''},
            {'suite': addr, 'name': 'Above the allocation limit',
             'status': 'fail', 'directive': ''},
            {'suite': 'ttm_pool', 'name': 'ttm_pool_alloc_order_caching_match',
             'status': 'pass', 'directive': ''},
            {'suite': 'ttm_pool', 'name': 'ttm_pool_free_dma_alloc',
             'status': 'pass', 'directive': ''},
            {'suite': pool, 'name': 'One page', 'status': 'pass',
             'directive': ''}])
        self.assertEqual(v.failed(), [
            (addr, 'Above the allocation limit'), ('', 'ttm_pool')])
        self.assertEqual(v.directive('', 'ttm_pool'), 'suite failed')
        self.assertEqual(v.summary, 'x86: 16 passed, 2 failed, 1 skipped')


class Expectations(unittest.TestCase):
    """--expect FILE --platform NAME: which IGT subtests may skip."""

    def test_skips_allowed(self):
        v = expect('skips.log', 'arm64-nc')
        self.assertEqual(v.rc, 0, v.out)
        self.assertEqual(v.summary,
                         'arm64-nc: 25 passed, 0 failed, 5 skipped')
        self.assertIn(f'  skip allowed x3 by {data("expectations")}:5: no '
                      'swiotlb on arm64\n', v.out)
        self.assertIn(f'  skip allowed x1 by {data("expectations")}:8: '
                      'fixture: every platform may skip these\n', v.out)

    def test_skip_where_a_line_says_pass(self):
        v = expect('skips.log', 'x86')
        self.assertEqual(v.rc, 1)
        self.assertEqual(v.summary, 'x86: 25 passed, 4 failed, 1 skipped')
        self.assertEqual(v.directive('igt:edu_gpu_dma',
                                     'swiotlb-pressure-wc'),
                         f'SKIP where it must pass ({data("expectations")}:6:'
                         ' swiotlb=force: the pressure test must run)')
        self.assertIn('  FAIL igt:edu_gpu_dma.swiotlb-pressure-cached # SKIP '
                      'where it must pass (', v.out)

    def test_skip_not_listed(self):
        # xen: no line covers swiotlb-pressure, evict-and-return may skip.
        v = expect('skips.log', 'xen')
        self.assertEqual(v.rc, 1)
        self.assertEqual(v.failed(), [
            ('igt:edu_gpu_dma', f'swiotlb-pressure-{m}')
            for m in ('cached', 'wc', 'uc')])
        self.assertEqual(v.directive('igt:edu_gpu_dma', 'swiotlb-pressure-uc'),
                         'SKIP where it must pass (no line of the '
                         'expectations lets it skip on xen)')
        self.assertEqual(v.cases('skip')[-1],
                         ('igt:edu_gpu_dma', 'evict-and-return-uc'))

    def test_first_match_wins(self):
        # x86: line 7 (pass) comes before line 8 (skip, all platforms).
        v = expect('skips.log', 'x86')
        self.assertIn(('igt:edu_gpu_dma', 'evict-and-return-uc'), v.failed())
        self.assertEqual(v.directive('igt:edu_gpu_dma',
                                     'evict-and-return-uc'),
                         f'SKIP where it must pass ({data("expectations")}:7:'
                         ' first match wins over the next line)')

    def test_kunit_not_governed(self):
        # The KUnit parameter skip stays a skip, listed or not.
        for plat in ('x86', 'xen', 'arm64-nc'):
            v = expect('skips.log', plat)
            self.assertIn(('ttm_pool.ttm_pool_alloc_basic',
                           'One page, with coherent DMA mappings enabled'),
                          v.cases('skip'), plat)

    def test_zero_edu_subtests_executed(self):
        v = expect('zero-edu.log', 'x86', 'expectations-all-skip')
        self.assertEqual(v.rc, 1)
        self.assertEqual(v.summary, 'x86: 15 passed, 1 failed, 20 skipped')
        self.assertEqual(v.log_failures(), [
            'no subtest of any igt:edu_gpu_dma* suite was executed on x86 '
            '(none passed or failed)'])
        # Without --expect (not a platform run) there is no such rule.
        self.assertEqual(judge('zero-edu.log').rc, 0)

    def test_zero_edu_subtests_no_suite(self):
        v = expect('nesting.log', 'arm64')
        self.assertIn('no subtest of any igt:edu_gpu_dma* suite was executed '
                      'on arm64 (none passed or failed)', v.log_failures())

    def test_labelled_suites(self):
        v = expect('labelled.log', 'x86')
        self.assertEqual(v.rc, 1)
        self.assertEqual(v.summary, 'x86: 7 passed, 1 failed, 1 skipped')
        suites = sorted({s for s, _ in v.cases() if s.startswith('igt:')})
        self.assertEqual(suites, ['igt:edu_gpu_dma:dma31',
                                  'igt:edu_gpu_dma:dma32'])
        # The exact suite name in line 9 allows the skip in dma31 only.
        self.assertEqual(v.failed(), [('igt:edu_gpu_dma:dma32',
                                       'cpu-write-device-read-uc')])
        self.assertEqual(v.cases('skip')[-1], ('igt:edu_gpu_dma:dma31',
                                               'cpu-write-device-read-uc'))
        self.assertIn(f'  skip allowed x1 by {data("expectations")}:9: ',
                      v.out)


class RealLogs(unittest.TestCase):
    """Unedited arm64-nc logs of series v2 (make check's kernels) with
    test lists that reload edu_gpu with other parameters."""

    def test_real_reload(self):
        v = expect('real-arm64-nc-reload.log', 'arm64-nc')
        self.assertEqual(v.rc, 0, v.out)
        self.assertEqual(v.summary, 'arm64-nc: 11 passed, 0 failed')
        self.assertEqual(
            [c for c in v.cases() if c[0].startswith('igt:')],
            [('igt:edu_gpu_dma:dma32', 'cpu-write-device-read-cached'),
             ('igt:edu_gpu_dma:dma32', 'cpu-write-device-read-wc'),
             ('igt:edu_gpu_dma:dma32', 'cpu-write-device-read-uc'),
             ('igt:edu_gpu_dma:dma32', 'bad-input'),
             ('igt:edu_gpu_dma:dma32-again', 'cpu-write-device-read-cached'),
             ('igt:edu_gpu_dma:dma32-again', 'cpu-write-device-read-wc')])

    def test_real_refused_mask(self):
        # arm64's DMA layer refuses a 31-bit mask: edu_gpu loads but does
        # not bind, and every subtest of the 31-bit suite skips.
        v = expect('real-arm64-nc-refused.log', 'arm64-nc')
        self.assertEqual(v.rc, 1)
        self.assertEqual(v.summary, 'arm64-nc: 7 passed, 2 failed')
        self.assertEqual(v.failed(), [
            ('igt:edu_gpu_dma:dma31', 'cpu-write-device-read-cached'),
            ('igt:edu_gpu_dma:dma31', 'cpu-write-device-read-wc')])


class BadInput(unittest.TestCase):
    """Bad input: one line on stderr naming it, exit 2, no result."""

    def assertBad(self, v, *words):
        self.assertEqual(v.rc, 2, v.out + v.err)
        self.assertEqual(v.out, '')
        self.assertIsNone(v.result)
        self.assertEqual(v.err.count('\n'), 1, v.err)
        self.assertTrue(v.err.startswith('ktap.py: error: '), v.err)
        for w in words:
            self.assertIn(w, v.err)

    def bad_expect(self, file, *words):
        self.assertBad(expect('pass.log', 'x86', file),
                       f'{data(file)}:{words[0]}: ', *words[1:])

    def test_expect_no_reason(self):
        self.bad_expect('expect-bad-no-reason', 3, 'no reason')

    def test_expect_empty_reason(self):
        self.bad_expect('expect-bad-empty-reason', 2, 'no reason')

    def test_expect_bad_verdict(self):
        self.bad_expect('expect-bad-verdict', 2, "'fail'")

    def test_expect_missing_field(self):
        self.bad_expect('expect-bad-fields', 2, 'got 3 fields')

    def test_expect_unknown_platform(self):
        if not os.path.isdir(PLATFORMS):
            self.skipTest(f'no {PLATFORMS}')
        self.bad_expect('expect-bad-platform', 2, "'x86-bouce'")

    def test_expect_empty_platform(self):
        self.bad_expect('expect-bad-empty-platform', 2, 'empty platform')

    def test_expect_kunit_suite(self):
        self.bad_expect('expect-bad-kunit', 2, "'ttm_pool'", 'IGT')

    def test_expect_missing_file(self):
        self.assertBad(expect('pass.log', 'x86', 'no-such-file'),
                       data('no-such-file'))

    def test_unknown_run_platform(self):
        if not os.path.isdir(PLATFORMS):
            self.skipTest(f'no {PLATFORMS}')
        self.assertBad(expect('pass.log', 'x68'), "'x68'")

    def test_expect_without_platform(self):
        self.assertBad(judge('pass.log', '--expect', data('expectations')),
                       '--platform')

    def test_missing_log(self):
        self.assertBad(judge('no-such.log'), data('no-such.log'))

    def test_malformed_known_reports(self):
        self.assertBad(judge('pass.log', '--known', data('known-bad')),
                       f'{data("known-bad")}:2: ')


class ProjectFiles(unittest.TestCase):
    """The project's own lists parse, for every platform."""

    def test_expectations_parse(self):
        if not os.path.isdir(PLATFORMS):
            self.skipTest(f'no {PLATFORMS}')
        plats = sorted(f[:-5] for f in os.listdir(PLATFORMS)
                       if f.endswith('.conf'))
        self.assertTrue(plats)
        for p in plats:
            v = judge('pass.log', '--expect',
                      os.path.join(SCRIPTS, 'expectations'), '--platform', p)
            # Every IGT subtest passed: nothing to object to.
            self.assertEqual(v.rc, 0, p + v.err + v.out)

    def test_known_boot_sheaf_report(self):
        # 7.3's own kmemleak report from early_irq_init() on Xen PV (a
        # cold make check, 2026-12-02), added to known.log's kmemleak
        # scan: the project's list excuses it, the fixture list (without
        # its entry) does not.
        with open(data('known.log')) as fh:
            lines = fh.readlines()
        with open(data('known-sheaf-report.txt')) as fh:
            report = fh.readlines()
        at = lines.index('ttm-dma: kmemleak scan\n') + 1
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, 'known-boot.log')
            with open(log, 'w') as fh:
                fh.writelines(lines[:at] + report + lines[at:])
            v = judge(log, '--known', os.path.join(SCRIPTS, 'known-reports'))
            self.assertEqual(v.rc, 0, v.out)
            self.assertIn('known upstream kmemleak report x1: an empty slab '
                          'sheaf', v.out)
            v = judge(log, '--known', data('known-reports'))
        self.assertEqual(v.rc, 1)
        self.assertTrue(any('0xffff88800014f400' in f
                            for f in v.log_failures()), v.out)

    def test_known_reports_parse(self):
        v = judge('known.log', '--known',
                  os.path.join(SCRIPTS, 'known-reports'))
        self.assertIn(v.rc, (0, 1), v.err)
        self.assertIsNotNone(v.result)


if __name__ == '__main__':
    unittest.main()
