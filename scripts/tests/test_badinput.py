# SPDX-License-Identifier: GPL-2.0
"""Bad input to the make targets and scripts: one line naming the
problem, a non-zero exit, nothing changed or deleted, no download or
build started. In a sandbox (sandbox.py); HARNESS_TOP=DIR runs them on
another checkout's scripts (the old code).
"""

import fcntl
import os
import shlex
import signal
import subprocess
import time
import unittest

from sandbox import SRC, SandboxTest


class BadInputTest(SandboxTest):

    def stub_path(self, *tools, body='exit 1'):
        """PATH with TOOLS replaced by shell scripts that run BODY."""
        stub = os.path.join(self.sb.tmp, 'stub')
        for tool in tools:
            p = os.path.join(stub, tool)
            self.sb.write(p, f'#!/bin/sh\n{body}\n')
            os.chmod(p, 0o755)
        return stub + ':' + os.environ['PATH']

    def stand_in_deb(self, deb, control):
        """Debian package from directory DEB (CONTROL: Package, Version,
        Architecture) into the cache's pkgs/, named as apt names it."""
        f = dict(line.split(': ', 1) for line in control.splitlines())
        self.sb.write(os.path.join(deb, 'DEBIAN', 'control'),
                      control + '\nMaintainer: x <x@x>\n'
                      'Description: stand-in\n')
        pkgs = os.path.join(self.sb.cache, 'pkgs')
        os.makedirs(pkgs, exist_ok=True)
        name = '{}_{}_{}.deb'.format(f['Package'],
                                     f['Version'].split(':')[-1],
                                     f['Architecture'])
        subprocess.run(['dpkg-deb', '-b', '-Zgzip', deb,
                        os.path.join(pkgs, name)], check=True,
                       capture_output=True)

    def results(self):
        """Last results of a VM run, as make test/make check leave them."""
        vm = os.path.join(self.sb.top, 'build', 'vm')
        os.makedirs(vm, exist_ok=True)
        p = os.path.join(vm, 'x86.json')
        with open(p, 'w') as fh:
            fh.write('{"counts": {"pass": 1, "fail": 0, "skip": 0}}\n')
        return p


class Results(BadInputTest):
    def test_make_test_nothing_built(self):
        """make test with nothing built: the last results stay."""
        p = self.results()
        r = self.sb.make('test', 'PLATFORMS=x86')
        self.assertOneLineError(r, 'make kernel')
        self.assertTrue(os.path.exists(p), 'make test deleted the results')

    def test_make_check_unexported(self):
        """make check refusing unexported work: the last results stay."""
        p = self.results()
        with open(os.path.join(self.sb.tree, 'Makefile'), 'a') as fh:
            fh.write('# an edit\n')
        r = self.sb.make('check', 'PLATFORMS=x86',
                         env=self.sb.env(KSRC=self.sb.ksrc))
        self.assertOneLineError(r, 'make export')
        self.assertTrue(os.path.exists(p), 'make check deleted the results')


class Repro(BadInputTest):
    def test_no_kernels(self):
        """make repro without 'make kernel': stops before it downloads
        or builds anything."""
        marker = os.path.join(self.sb.tmp, 'downloaded')
        env = self.sb.env(PATH=self.stub_path(
            'apt-get', 'apt-cache', body=f'touch {marker}\nexit 1'),
            PLATFORMS='x86')
        for ksrc in (None, self.sb.ksrc):
            with self.subTest(ksrc=ksrc):
                e = dict(env, KSRC=ksrc) if ksrc else env
                r = self.sb.make('repro', env=e, timeout=60)
                self.assertOneLineError(r, 'make kernel')
                self.assertFalse(os.path.exists(marker), 'it downloaded')
                self.assertFalse(os.path.exists(
                    os.path.join(self.sb.cache, 'repro')), 'it built')


class Bench(BadInputTest):
    """make bench's variables: checked before it builds or boots."""
    patches = 0

    def test_bad_variables(self):
        cases = [
            ({'BENCH_PROFILE': '3'}, 'BENCH_PROFILE=3'),
            ({'BENCH_PROFILE': '4k'}, 'BENCH_PROFILE=4k'),
            ({'BENCH_PROFILE': '4', 'BENCH_PROFILE_COLD': 'yes'},
             'BENCH_PROFILE_COLD=yes'),
            ({'BENCH_PROFILE': '4', 'BENCH_PROFILE_MS': '0'},
             'BENCH_PROFILE_MS=0'),
            ({'BENCH_PROFILE': '4', 'BENCH_KCONFIG': 'test'},
             'BENCH_KCONFIG=debug or nodebug'),
            ({'BENCH_PROFILE': '4', 'BENCH_PLATFORMS': 'arm64-nc'},
             'x86_64 platforms only'),
            ({'BENCH_PROFILE': '4', 'BENCH_QUICK': '1'}, 'BENCH_QUICK'),
            ({'BENCH_KCONFIG': 'fast'}, 'BENCH_KCONFIG=fast'),
        ]
        for extra, word in cases:
            with self.subTest(**extra):
                r = self.sb.make('bench', env=self.sb.env(**extra))
                self.assertOneLineError(r, word)
                self.assertFalse(os.path.exists(
                    os.path.join(self.sb.cache, 'bench')), 'it built')
                self.assertFalse(os.path.exists(
                    os.path.join(self.sb.top, 'build', 'bench')),
                    'it wrote results')


class Workspace(BadInputTest):
    """workspace.sh, the kernel pipeline of make kernel, make check,
    make repro and make bench: bad arguments, and a tree that does not
    build (the stand-in for Linux has no kernel to configure)."""
    patches = 0

    def test_bad_arguments(self):
        for args, word in (((), 'usage'), (('x86',), "'x86'"),
                           (('-q', 'x86_64'), '-q'), (('-w',), '-w')):
            with self.subTest(args=args):
                r = self.sb.script('workspace.sh', *args)
                self.assertOneLineError(r, word)
                self.assertFalse(os.path.exists(
                    os.path.join(self.sb.top, 'build', 'obj')))

    def test_failures_logged(self):
        """-l: each failed step is its log's tail, one line naming it
        and a line of LOGDIR/failed; the next architecture is built."""
        ws = os.path.join(self.sb.tmp, 'ws')
        logs = os.path.join(self.sb.tmp, 'logs')
        r = self.sb.script('workspace.sh', '-t', self.sb.ksrc, '-w', ws,
                           '-l', logs, 'x86_64', 'arm64', timeout=300)
        self.assertEqual(r.rc, 1, r)
        with open(os.path.join(logs, 'failed')) as fh:
            failed = fh.read().splitlines()
        self.assertEqual([f.split()[0] for f in failed],
                         ['kernel-x86_64', 'kernel-arm64'])
        for a in ('x86_64', 'arm64'):
            log = os.path.join(logs, f'kernel-{a}.log')
            self.assertTrue(os.path.exists(log))
            self.assertIn(f'kernel-{a}: the {a} test kernel does not build;'
                          f' see {log}', r.err)
        self.assertFalse(os.path.exists(os.path.join(logs, 'guest-x86_64'
                                                     '.log')))

    def test_first_failure_ends_it(self):
        """Without -l (make kernel): the first failure ends the run,
        with its status."""
        ws = os.path.join(self.sb.tmp, 'ws')
        r = self.sb.script('workspace.sh', '-t', self.sb.ksrc, '-w', ws,
                           'x86_64', 'arm64', timeout=300)
        self.assertNotEqual(r.rc, 0, r)
        self.assertFalse(os.path.exists(os.path.join(ws, 'obj', 'arm64')),
                         r)


class OneLine(BadInputTest):
    """A script that dies under another: no second line from the
    caller's ERR trap."""

    def test_tree_missing_ksrc(self):
        r = self.sb.make('tree', env=self.sb.env(KSRC='/nonexistent/ksrc',
                                                 FORCE='1'))
        self.assertOneLineError(r, '/nonexistent/ksrc')

    def test_tree_ksrc_without_commit(self):
        empty = os.path.join(self.sb.tmp, 'empty')
        os.makedirs(empty)
        self.sb.git(empty, 'init', '-q')
        head = self.sb.head()
        r = self.sb.make('tree', env=self.sb.env(KSRC=empty, FORCE='1'))
        self.assertOneLineError(r, empty)
        self.assertEqual(self.sb.head(), head)

    def test_vm_unknown_platform(self):
        r = self.sb.make('vm', 'PLATFORM=x68')
        self.assertOneLineError(r, "'x68'")


class Ktap(BadInputTest):
    patches = 0

    def test_json_unwritable(self):
        """ktap.py --json into a missing directory: one line, exit 2."""
        r = self.sb.script('ktap.py', '--json', '/nonexistent/x.json',
                           os.path.join(SRC, 'scripts', 'tests', 'data',
                                        'pass.log'))
        self.assertOneLineError(r, '/nonexistent')
        self.assertEqual(r.rc, 2)


class Locks(BadInputTest):
    """Workspaces other runs share are locked, not shared unguarded."""

    def hold(self, d):
        """Hold the lock of workspace D, as another run would."""
        os.makedirs(d, exist_ok=True)
        fh = open(os.path.join(d, '.lock'), 'w')
        fcntl.flock(fh, fcntl.LOCK_EX)
        self.addCleanup(fh.close)
        return fh

    def waits(self, cmd, env, created, secs=2):
        """CMD started while the lock is held: after SECS it has not
        created CREATED and says what it waits for; then stopped."""
        p = subprocess.Popen(cmd, cwd=self.sb.top, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
        time.sleep(secs)
        try:
            self.assertIsNone(p.poll(), 'it did not wait for the lock')
            self.assertFalse(os.path.exists(created),
                             f'{created} touched under another run')
        finally:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            _, err = p.communicate()
        self.assertIn('waiting for another run', err)

    def test_job_alongside_outlives_its_starter(self):
        """bg_wait waits for the job bg_start started, from another
        process, even after the starter was killed with no trap run: so
        check.sh never builds arm64 while the job alongside still does,
        and a wait cannot end early on a reused PID."""
        d = os.path.join(self.sb.tmp, 'alongside')
        os.makedirs(d)
        lib = shlex.quote(os.path.join(self.sb.top, 'scripts', 'lib.sh'))
        lk = shlex.quote(os.path.join(d, 'lock'))
        res = os.path.join(d, 'result')
        job = f'sleep 3; echo done >{shlex.quote(res)}'
        starter = (f'. {lib}; job() {{ {job}; }}; '
                   f'bg_start {lk} {shlex.quote(os.path.join(d, "log"))} job; '
                   'kill -9 $$')
        r = subprocess.run(['bash', '-c', starter], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        self.assertFalse(os.path.exists(res))
        r = subprocess.run(['bash', '-c', f'. {lib}; bg_wait {lk}'],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(res),
                        'bg_wait returned before the job had ended')

    def test_check_series_workspace(self):
        ck = os.path.join(self.sb.cache, 'check')
        self.hold(ck)
        self.waits([os.path.join(self.sb.top, 'scripts', 'check-series.sh')],
                   self.sb.env(KSRC=self.sb.ksrc), os.path.join(ck, 'linux'))

    def test_base(self):
        """base.sh makes the shared base under a lock."""
        base = os.path.join(self.sb.cache, 'base')
        self.hold(base)
        self.waits([os.path.join(self.sb.top, 'scripts', 'base.sh')],
                   self.sb.env(PATH=self.stub_path('apt-get', 'apt-cache')),
                   os.path.join(self.sb.cache, 'pkgs'))

    def test_bench_check_workspace(self):
        """make bench on make check's kernels waits for make check,
        which rewrites their configuration and objects under it."""
        ck = os.path.join(self.sb.cache, 'check')
        self.hold(ck)
        self.waits([os.path.join(self.sb.top, 'scripts', 'bench.sh')],
                   self.sb.env(BENCH_QUICK='1',
                               BENCH_KOBJ=os.path.join(ck, 'obj'),
                               BENCH_TREE=os.path.join(ck, 'linux')),
                   os.path.join(self.sb.top, 'build', 'bench'))

    def test_bench_repro_workspace(self):
        """make bench builds the base's kernels in make repro's
        workspace: it waits for make repro (and makes no base)."""
        self.hold(os.path.join(self.sb.cache, 'repro'))
        self.waits([os.path.join(self.sb.top, 'scripts', 'bench.sh')],
                   self.sb.env(BENCH_PLATFORMS='x86', PATH=self.stub_path(
                       'apt-get', 'apt-cache')),
                   os.path.join(self.sb.cache, 'base'))

    def test_base_without_auto_gc(self):
        """The base repository base.sh makes runs no automatic gc: one
        detached after its commit ran on when the repository was moved
        into place ('bad tree object', a stale gc.log.lock)."""
        src = os.path.join(self.sb.tmp, 'src', 'linux-source-7.3')
        self.sb.write(os.path.join(src, 'Makefile'), 'all:\n')
        self.sb.write(os.path.join(src, '.gitignore'),
                      '#\n# Debian packaging\n/*\n!/debian/\n')
        deb = os.path.join(self.sb.tmp, 'deb')
        os.makedirs(os.path.join(deb, 'usr', 'src'))
        subprocess.run(['tar', '-cJf', os.path.join(
            deb, 'usr', 'src', 'linux-source-7.3.tar.xz'), '-C',
            os.path.dirname(src), 'linux-source-7.3'], check=True)
        self.stand_in_deb(deb, 'Package: linux-source-7.3\n'
                          'Version: 7.3.4-1~bpo13+1\nArchitecture: all')
        r = self.sb.script('base.sh', env=self.sb.env())
        self.assertEqual(r.rc, 0, r)
        repo = os.path.join(self.sb.cache, 'base', 'linux.git')
        got = subprocess.run(['git', '-C', repo, 'config', 'gc.auto'],
                             capture_output=True, text=True).stdout
        self.assertEqual(got.strip(), '0')

    def test_vm_tmp_names(self):
        """vm.sh unpacks into the cache under names of its own: a
        leftover (or another run's) busybox-ARCH.tmp is no obstacle."""
        deb = os.path.join(self.sb.tmp, 'deb')
        self.sb.write(os.path.join(deb, 'bin', 'busybox'), '#!/bin/sh\n')
        self.stand_in_deb(deb, 'Package: busybox-static\n'
                          'Version: 1:1.35.0-4+b3\nArchitecture: amd64')
        vm = os.path.join(self.sb.cache, 'vm')
        os.makedirs(os.path.join(vm, 'busybox-x86_64.tmp'))
        r = self.sb.script('vm.sh', '-F', 'x86', env=self.sb.env(
            PATH=self.stub_path('qemu-system-x86_64', 'depmod', 'apt-get')))
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(os.path.isfile(os.path.join(vm, 'busybox-x86_64')))
        self.assertEqual(sorted(os.listdir(vm)),
                         ['busybox-x86_64', 'busybox-x86_64.tmp'])


class HwKit(BadInputTest):
    """The real-GPU kit's commands (make hw-kernel, hw-test.sh): bad
    input is one line, and nothing is written or built."""
    patches = 0

    def hw_dir(self):
        return os.path.join(self.sb.top, 'build', 'hw')

    def file(self, name, text):
        path = os.path.join(self.sb.tmp, name)
        self.sb.write(path, text)
        return path

    def hw_test(self, *args):
        return self.sb.run('sh', os.path.join(self.sb.top, 'scripts',
                                              'hw-test.sh'), *args)

    def test_hw_kernel_no_config(self):
        r = self.sb.make('hw-kernel')
        self.assertOneLineError(r, 'CONFIG=')
        self.assertFalse(os.path.exists(self.hw_dir()))

    def test_hw_kernel_bad_config(self):
        cases = {'/nonexistent/config': 'no readable configuration',
                 self.file('notes.txt', 'hello\n'):
                 'not a kernel configuration',
                 self.file('arm.config', 'CONFIG_ARM64=y\n'):
                 'not an x86_64 configuration'}
        for cfg, words in cases.items():
            with self.subTest(cfg=cfg):
                r = self.sb.make('hw-kernel', f'CONFIG={cfg}')
                self.assertOneLineError(r, words)
                self.assertFalse(os.path.exists(self.hw_dir()))

    def test_hw_kernel_bad_options(self):
        cfg = self.file('x86.config', 'CONFIG_X86_64=y\n')
        for arg, words in (('ARCH=mips', "'mips'"), ('FORMAT=rpm', "'rpm'"),
                           ('LSMOD=/nonexistent/lsmod', 'lsmod'),
                           (f'LSMOD={cfg}', 'not the output of lsmod')):
            with self.subTest(arg=arg):
                r = self.sb.make('hw-kernel', f'CONFIG={cfg}', arg)
                self.assertOneLineError(r, words)
                self.assertFalse(os.path.exists(self.hw_dir()))

    def test_hw_test_bad_arguments(self):
        """hw-test.sh refuses bad arguments before it writes anything."""
        out = os.path.join(self.sb.tmp, 'report')
        for args, words in ((['--bogus'], "'--bogus'"),
                            (['--timeout', 'x'], "'x'"),
                            (['--bin', '/nonexistent/bin'], '/nonexistent'),
                            (['--out'], '--out needs')):
            with self.subTest(args=args):
                pre = ['--dry-run'] + ([] if '--out' in args
                                       else ['--out', out])
                r = self.hw_test(*pre, *args)
                self.assertOneLineError(r, words)
                self.assertFalse(os.path.exists(out), 'it wrote a report')

    def test_hw_test_existing_report(self):
        """An existing report directory is never overwritten."""
        if os.geteuid() != 0:
            self.skipTest('hw-test.sh wants root before it looks at --out')
        out = os.path.join(self.sb.tmp, 'report')
        keep = self.file(os.path.join('report', 'report.md'), 'keep\n')
        r = self.hw_test('--dry-run', '--out', out)
        self.assertOneLineError(r, 'exists')
        with open(keep) as fh:
            self.assertEqual(fh.read(), 'keep\n')


class FreshTest(BadInputTest):
    """make fresh-test: bad arguments are one line; a directory it did
    not make is never emptied."""
    patches = 0

    def test_bad_arguments(self):
        for args, words in ((['-r', 'relative'], 'absolute'),
                            (['-r', '/'], 'not a directory to empty'),
                            (['-m', 'ftp://example.org/debian'], 'ftp://'),
                            (['extra'], "'extra'")):
            with self.subTest(args=args):
                r = self.sb.script('fresh-test.sh', *args)
                self.assertOneLineError(r, *words.split('|'))
                self.assertFalse(os.path.exists(
                    os.path.join(self.sb.top, 'build', 'fresh-test')))

    def test_foreign_directory_kept(self):
        d = os.path.join(self.sb.tmp, 'mine')
        keep = os.path.join(d, 'precious.txt')
        self.sb.write(keep, 'keep\n')
        r = self.sb.script('fresh-test.sh', '-r', d)
        self.assertOneLineError(r, 'not a root fresh-test made')
        with open(keep) as fh:
            self.assertEqual(fh.read(), 'keep\n')


class CheckMips(BadInputTest):
    """make check-mips: an argument is one line, before anything is
    installed or built."""
    patches = 0

    def test_bad_arguments(self):
        r = self.sb.script('check-mips.sh', 'loongson64')
        self.assertOneLineError(r, 'usage')
        self.assertFalse(os.path.exists(
            os.path.join(self.sb.top, 'build', 'obj')))

    def test_deps_unknown_group(self):
        """deps.sh GROUP: only mips, checked before anything is
        installed."""
        for args in (['arm'], ['mips', 'x']):
            with self.subTest(args=args):
                r = self.sb.script('deps.sh', *args)
                self.assertOneLineError(r, 'usage')


if __name__ == '__main__':
    unittest.main()


class MutantCanary(BadInputTest):
    """mutants.py --canary --in-place (make check's canary, in make
    check's workspace): bad arguments and a workspace it must not use
    give one line and change nothing."""
    patches = 0

    def workspace(self, dirty):
        ws = os.path.join(self.sb.tmp, 'ws')
        tree = os.path.join(ws, 'linux')
        os.makedirs(tree)
        self.sb.git(tree, 'init', '-q')
        self.sb.write(os.path.join(tree, 'f.c'), 'int f;\n')
        self.sb.git(tree, 'add', 'f.c')
        self.sb.git(tree, 'commit', '-q', '-m', 'f')
        for d in ('obj/x86_64', 'guest/x86_64'):
            os.makedirs(os.path.join(ws, d))
        self.sb.write(os.path.join(ws, 'obj/x86_64/.ttm-dma-stamp'), 'x\n')
        if dirty:
            self.sb.write(os.path.join(tree, 'f.c'), 'int g;\n')
        return ws

    def test_in_place_needs_canary(self):
        r = self.sb.script('mutants.py', '--in-place', self.sb.tmp,
                           '--ref-dir', self.sb.tmp)
        self.assertOneLineError(r, '--in-place', '--canary')
        self.assertEqual(r.rc, 2)

    def test_in_place_needs_ref_dir(self):
        r = self.sb.script('mutants.py', '--canary', '--in-place',
                           self.sb.tmp)
        self.assertOneLineError(r, '--ref-dir')

    def test_in_place_no_tree(self):
        r = self.sb.script('mutants.py', '--canary', '--in-place',
                           '/nonexistent/ws', '--ref-dir', self.sb.tmp)
        self.assertOneLineError(r, '/nonexistent/ws')

    def test_in_place_dirty_tree(self):
        """A tree with changes: its kernels are not a commit's; the
        change stays."""
        ws = self.workspace(dirty=True)
        r = self.sb.script('mutants.py', '--canary', '--in-place', ws,
                           '--ref-dir', self.sb.tmp)
        self.assertOneLineError(r, 'has changes')
        with open(os.path.join(ws, 'linux', 'f.c')) as fh:
            self.assertEqual(fh.read(), 'int g;\n')

    def test_in_place_nothing_built(self):
        ws = self.workspace(dirty=False)
        os.unlink(os.path.join(ws, 'obj/x86_64/.ttm-dma-stamp'))
        r = self.sb.script('mutants.py', '--canary', '--in-place', ws,
                           '--ref-dir', self.sb.tmp)
        self.assertOneLineError(r, 'no x86_64 kernel')


class KernelOptions(BadInputTest):
    """kernel.sh -x and -c: a bad symbol or object path is one line, and
    no configuration or build starts."""
    patches = 0

    def kernel(self, *args):
        obj = os.path.join(self.sb.tmp, 'obj')
        r = self.sb.script('kernel.sh', '-o', obj, *args)
        self.assertFalse(os.path.exists(obj), r)
        return r

    def test_symbol_with_prefix(self):
        r = self.kernel('-x', 'CONFIG_DRM_AMDGPU=', 'arm64')
        self.assertOneLineError(r, '-x CONFIG_DRM_AMDGPU=')

    def test_symbol_lower_case(self):
        r = self.kernel('-x', 'drm_amdgpu', 'arm64')
        self.assertOneLineError(r, '-x drm_amdgpu')

    def test_object_not_an_object(self):
        r = self.kernel('-c', 'drivers/gpu/drm/ttm/ttm_pool.c', 'arm64')
        self.assertOneLineError(r, 'ttm_pool.c')

    def test_object_outside_tree(self):
        for o in ('/etc/x.o', '../x.o', 'a/../../x.o'):
            with self.subTest(o=o):
                r = self.kernel('-c', o, 'arm64')
                self.assertOneLineError(r, o)
