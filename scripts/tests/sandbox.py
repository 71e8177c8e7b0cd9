# SPDX-License-Identifier: GPL-2.0
"""A throw-away copy of the project for tests of its scripts.

Sandbox() copies the Makefile, scripts/ and platforms/ of the project
(HARNESS_TOP=DIR: of another checkout, for instance the old code, to
show that a test fails there) into a temporary directory, with its own
cache (TTM_DMA_CACHE), its own HOME (with a global git configuration
that is not the project's: another identity and options that change
git's output) and a tiny git tree standing in for Linux (KSRC), so that
make tree, make export, make mbox and check-series run in seconds and
never touch the real checkout, cache or kernel tree.
"""

import atexit
import os
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get('HARNESS_TOP') or os.path.dirname(os.path.dirname(HERE))
IDENT = ('TTM DMA backends', 'ttm-dma@localhost')
ROGUE_GITCONFIG = """[user]
    name = Somebody Else
    email = somebody@example.org
[diff]
    noprefix = true
    mnemonicPrefix = true
[format]
    headers = "X-Rogue: 1\\n"
    signature = rogue
[core]
    abbrev = 7
"""
# A stand-in for the kernel's get_maintainer.pl: maintainers of
# drivers/gpu/drm/ttm/ and of everything, and a list.
GET_MAINTAINER = r"""#!/usr/bin/perl
die "not at the top of a kernel tree\n" unless -f 'MAINTAINERS';
my $ttm = 0;
for my $f (grep { -f $_ } @ARGV) {
    open(my $fh, '<', $f) or die;
    while (<$fh>) { $ttm = 1 if m{^\+\+\+ b/drivers/gpu/drm/ttm/}; }
}
print "Christian Koenig <christian.koenig\@example.org> (maintainer:TTM)\n"
    if $ttm;
print "Some Maintainer <maint\@example.org> (maintainer:EVERYTHING)\n";
print "Jane Doe <jane\@example.org> (reviewer:EVERYTHING)\n";
print "Rev Iewer <rev\@example.org> (reviewer:EVERYTHING)\n";
print "dri-devel\@lists.example.org (open list:DRM)\n";
"""


def clean_env(**extra):
    """The environment of a user who has not sourced lib.sh, outside of
    make: no GIT_*, no make variables, no project variables."""
    drop = ('GIT_', 'TTM_DMA_', 'MAKE', 'MFLAGS')
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(drop) and k not in (
               'LC_ALL', 'TZ', 'KSRC', 'BUILD', 'PLATFORMS', 'AUTHOR',
               'XDG_CACHE_HOME', 'CHECK_DIR', 'PATCHES', 'FORCE')}
    env.update(extra)
    return env


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        # make's own "make: *** [...] Error N" is not the script's
        self.errlines = [line for line in proc.stderr.splitlines()
                         if not line.startswith(('make: ', 'make['))]

    def __repr__(self):
        return f'rc={self.rc}\nstdout:\n{self.out}\nstderr:\n{self.err}'


_TEMPLATES = {}


def _drop_templates():
    for t in _TEMPLATES.values():
        t.cleanup()


atexit.register(_drop_templates)


class Sandbox:
    def __init__(self, patches=3, fresh=False):
        """A sandbox with PATCHES patches exported; a copy of one made
        before for the same number (fresh: made anew)."""
        if not fresh:
            if patches not in _TEMPLATES:
                _TEMPLATES[patches] = Sandbox(patches, fresh=True)
            self.copy_of(_TEMPLATES[patches])
            return
        self.tmp = tempfile.mkdtemp(prefix='ttm-dma-test.')
        self.top = os.path.join(self.tmp, 'top')
        self.cache = os.path.join(self.tmp, 'cache')
        self.home = os.path.join(self.tmp, 'home')
        self.ksrc = os.path.join(self.tmp, 'ksrc')
        os.makedirs(self.top)
        os.makedirs(self.home)
        shutil.copy(os.path.join(SRC, 'Makefile'), self.top)
        for d in ('scripts', 'platforms'):
            shutil.copytree(os.path.join(SRC, d), os.path.join(self.top, d),
                            ignore=shutil.ignore_patterns('__pycache__'))
        os.makedirs(os.path.join(self.top, 'patches'))
        self.tree = os.path.join(self.top, 'build', 'linux')
        self.patches = os.path.join(self.top, 'patches')
        self.make_ksrc()
        if patches:
            self.make_series(patches)

    def copy_of(self, t):
        self.tmp = tempfile.mkdtemp(prefix='ttm-dma-test.')
        for d in os.listdir(t.tmp):
            shutil.copytree(os.path.join(t.tmp, d), os.path.join(self.tmp, d),
                            symlinks=True)
        for k in ('top', 'cache', 'home', 'ksrc', 'tree', 'patches'):
            setattr(self, k, os.path.join(
                self.tmp, os.path.relpath(getattr(t, k), t.tmp)))
        # the work tree's objects are borrowed (clone --shared): from
        # this copy's stand-in for Linux
        alt = os.path.join(self.tree, '.git', 'objects', 'info',
                           'alternates')
        if os.path.exists(alt):
            with open(alt, 'w') as fh:
                fh.write(os.path.join(self.ksrc, '.git', 'objects') + '\n')

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def env(self, rogue=True, **extra):
        """Environment with HOME set; rogue: HOME's git config is
        another identity with options that change git's output."""
        cfg = os.path.join(self.home, '.gitconfig')
        if rogue:
            with open(cfg, 'w') as fh:
                fh.write(ROGUE_GITCONFIG)
        elif os.path.exists(cfg):
            os.unlink(cfg)
        return clean_env(HOME=self.home, TTM_DMA_CACHE=self.cache, **extra)

    def run(self, *cmd, env=None, cwd=None, timeout=120, stdin=None):
        p = subprocess.run(list(cmd), cwd=cwd or self.top,
                           env=env or self.env(), capture_output=True,
                           text=True, timeout=timeout, input=stdin)
        return Result(p)

    def make(self, *args, env=None, timeout=120):
        return self.run('make', '-s', '--no-print-directory', *args,
                        env=env, timeout=timeout)

    def script(self, name, *args, env=None, timeout=120):
        return self.run(os.path.join(self.top, 'scripts', name), *args,
                        env=env, timeout=timeout)

    def git(self, tree, *args, env=None):
        e = env or clean_env(
            HOME=self.home, GIT_CONFIG_GLOBAL='/dev/null',
            GIT_CONFIG_NOSYSTEM='1',
            GIT_AUTHOR_NAME=IDENT[0], GIT_AUTHOR_EMAIL=IDENT[1],
            GIT_COMMITTER_NAME=IDENT[0], GIT_COMMITTER_EMAIL=IDENT[1],
            GIT_AUTHOR_DATE='2026-11-20T10:00:00+00:00',
            GIT_COMMITTER_DATE='2026-11-20T10:00:00+00:00', TZ='UTC')
        p = subprocess.run(['git', '-C', tree, *args], env=e,
                           capture_output=True, text=True)
        if p.returncode:
            raise AssertionError(f'git {args}: {p.stderr}')
        return p.stdout

    def write(self, path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as fh:
            fh.write(text)

    def make_ksrc(self):
        """A git tree that passes for Linux: KSRC= for base.sh."""
        k = self.ksrc
        self.write(os.path.join(k, 'Makefile'), 'all:\n\t@false\n')
        self.write(os.path.join(k, 'MAINTAINERS'), 'TTM\nF: drivers/\n')
        self.write(os.path.join(k, 'drivers/gpu/drm/ttm/ttm_pool.c'),
                   '// SPDX-License-Identifier: GPL-2.0 OR MIT\n'
                   'int ttm_pool;\n')
        self.write(os.path.join(k, 'drivers/xen/swiotlb-xen.c'),
                   '// SPDX-License-Identifier: GPL-2.0\nint xen;\n')
        gm = os.path.join(k, 'scripts/get_maintainer.pl')
        self.write(gm, GET_MAINTAINER)
        os.chmod(gm, 0o755)
        self.git(k, 'init', '-q', '-b', 'master')
        self.git(k, 'add', '-A')
        self.git(k, 'commit', '-q', '-m', 'Linux 7.3 (a stand-in)')

    def make_series(self, n):
        """make tree (empty series), n commits and a cover letter in
        build/linux, make export: patches/ holds n patches."""
        r = self.make('tree', f'KSRC={self.ksrc}', env=self.env(False))
        if r.rc:
            raise AssertionError(f'make tree: {r}')
        files = ['drivers/gpu/drm/ttm/ttm_pool.c', 'drivers/xen/swiotlb-xen.c']
        for i in range(1, n + 1):
            f = os.path.join(self.tree, files[i % 2])
            with open(f, 'a') as fh:
                fh.write(f'int change{i};\n')
            self.git(self.tree, 'commit', '-q', '-a', '-m',
                     f'drm/ttm: change number {i}\n\nWhy change {i}.\n\n'
                     f'Signed-off-by: {IDENT[0]} <{IDENT[1]}>')
        self.git(self.tree, 'config', 'branch.series.description',
                 'drm/ttm: a test series\n\nThe cover letter of a series '
                 'for tests.\n')
        r = self.make('export', env=self.env(False))
        if r.rc:
            raise AssertionError(f'make export: {r}')

    def snapshot(self, d=None):
        """{name: bytes} of a directory (default patches/)."""
        d = d or self.patches
        out = {}
        for f in sorted(os.listdir(d)):
            with open(os.path.join(d, f), 'rb') as fh:
                out[f] = fh.read()
        return out

    def head(self):
        return self.git(self.tree, 'rev-parse', 'HEAD').strip()


class SandboxTest(unittest.TestCase):
    """A test case with a fresh sandbox of PATCHES patches."""
    patches = 2

    def setUp(self):
        self.sb = Sandbox(self.patches)
        self.addCleanup(self.sb.cleanup)

    def assertOneLineError(self, r, *words):
        """Failed, one line on stderr naming WORDS, no traceback."""
        self.assertNotEqual(r.rc, 0, r)
        self.assertNotIn('Traceback', r.err, r)
        self.assertEqual(len(r.errlines), 1, r)
        for w in words:
            self.assertIn(w, r.errlines[0], r)
