# SPDX-License-Identifier: GPL-2.0
"""README's command blocks, run as a reader would run them.

Every indented block of README.md is either run here or named in
ELSEWHERE with what runs it instead; a block that is in neither fails
test_every_block_is_run, so a new one gets a test or a reason.

A block runs as one bash -e script in a sandbox (sandbox.py: the
project's scripts, a stand-in for Linux, a series of 10 patches, a HOME
whose global git configuration is another identity's), from the
project's top, with HOME the sandbox's (~/linux: a clone of the
stand-in base) and KSRC the stand-in (make tree's base). What README
writes for the reader to fill in is mapped into the sandbox
(/path/to/ttm-dma, /tmp/series); two commands are shell functions
instead: `make check` and `make kernel` (too long here:
.ci/run and make fresh-test run them) and `git send-email` (nothing is
sent; the mbox it is given is kept to be looked at).

  python3 -m unittest discover -s scripts/tests -p test_readme_blocks.py
"""

import os
import re
import subprocess
import unittest

from sandbox import SRC, SandboxTest

README = os.path.join(SRC, 'README.md')

# block (a regular expression it matches) -> the test below that runs it
RUN = {
    r'git am .*/path/to/ttm-dma/patches/': 'test_git_am',
    r'b4 am -m build/series\.mbox': 'test_b4_am',
    r'make mbox AUTHOR=': 'test_post',
    r'make export': 'test_work_on_the_series',
}
RUN_OF = {test: pattern for pattern, test in RUN.items()}
# block -> why it is not run here, and what runs it
ELSEWHERE = {
    r'make hw-kernel': 'builds a distribution kernel (over 20 minutes) '
    'and needs a real GPU; the bad input of make hw-kernel and '
    'hw-test.sh: test_badinput.py; hw-test.sh --dry-run: every VM of '
    'make check',
    r'make vm PLATFORM=|scripts/vm\.sh -S': 'needs make kernel\'s '
    'kernels; make check boots every platform with vm.sh, and '
    'test_readme.py checks the platforms named',
}

PRELUDE = r'''set -e
make() {
    case " $* " in
    *" check "* | *" kernel "*)
        echo "make $*" >>"$STUBS"
        return 0 ;;
    esac
    command make "$@"
}
git() {
    if [ "$1" = send-email ]; then
        echo "git $*" >>"$STUBS"
        cp "$2" "$SENT"
        return 0
    fi
    command git "$@"
}
'''


def blocks(text):
    """README's indented blocks: [(line number, text)]."""
    out = []
    cur = None
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith('    '):
            if cur is None:
                cur = [n, []]
                out.append(cur)
            cur[1].append(line[4:])
        elif cur is not None:
            if line.strip():
                cur = None
            else:
                cur[1].append('')
    return [(n, '\n'.join(lines).rstrip('\n') + '\n') for n, lines in out]


def readme_blocks():
    with open(README) as fh:
        return blocks(fh.read())


def block(pattern):
    found = [b for _, b in readme_blocks() if re.search(pattern, b)]
    if len(found) != 1:
        raise AssertionError(f'{len(found)} README blocks match {pattern}')
    return found[0]


class Blocks(unittest.TestCase):
    def test_every_block_is_run(self):
        bl = readme_blocks()
        self.assertGreater(len(bl), 4)
        for n, text in bl:
            hits = [p for p in list(RUN) + list(ELSEWHERE)
                    if re.search(p, text)]
            self.assertEqual(len(hits), 1, f'README.md:{n}: the block\n'
                             f'{text}is run by {len(hits)} entries of '
                             'RUN/ELSEWHERE in test_readme_blocks.py')

    def test_blocks(self):
        text = 'x\n\n    a\n    b\n\n    c\ny\n    d\n'
        self.assertEqual(blocks(text), [(3, 'a\nb\n\nc\n'), (8, 'd\n')])


def readme_version():
    """The series version README's posting block puts in the subjects."""
    return re.search(r'VERSION=(\d+)', block(RUN_OF['test_post'])).group(1)


class Version(unittest.TestCase):
    def test_post_names_the_series_version(self):
        """README's VERSION= is the version patches/ holds: one more than
        the last its cover letter lists changes since."""
        with open(os.path.join(SRC, 'patches', '0000-cover-letter.patch'),
                  encoding='utf-8') as fh:
            since = [int(v) for v in
                     re.findall(r'^Changes since v(\d+):', fh.read(), re.M)]
        self.assertTrue(since, 'no "Changes since vN:" in the cover letter')
        self.assertEqual(readme_version(), str(max(since) + 1))


class RunBlocks(SandboxTest):
    patches = 10      # 0010: a glob that skips it fails (as README's did)

    def setUp(self):
        super().setUp()
        self.stubs = os.path.join(self.sb.tmp, 'stubs')
        self.sent = os.path.join(self.sb.tmp, 'sent.mbox')
        self.linux = os.path.join(self.sb.home, 'linux')
        self.sb.git(self.sb.tmp, 'clone', '-q', self.sb.ksrc, self.linux)

    def run_block(self, pattern):
        text = block(pattern)
        text = text.replace('/path/to/ttm-dma', self.sb.top)
        text = text.replace('/tmp/series',
                            os.path.join(self.sb.tmp, 'series'))
        env = self.sb.env(STUBS=self.stubs, SENT=self.sent, GIT_EDITOR=':',
                          KSRC=self.sb.ksrc)
        p = subprocess.run(['bash', '-c', PRELUDE + text], cwd=self.sb.top,
                           env=env, capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0,
                         f'{text}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}')

    def stubbed(self):
        if not os.path.exists(self.stubs):
            return []
        with open(self.stubs) as fh:
            return fh.read().splitlines()

    def subjects(self):
        """The series' subjects, from patches/."""
        out = []
        for f in sorted(os.listdir(self.sb.patches)):
            if not re.match(r'\d{4}-', f) or f.startswith('0000-'):
                continue
            with open(os.path.join(self.sb.patches, f)) as fh:
                m = re.search(r'^Subject: \[PATCH[^]]*\] (.*)$', fh.read(),
                              re.M)
            out.append(m.group(1))
        return out

    def applied(self):
        """Subjects of what ~/linux holds above the base, oldest first."""
        log = self.sb.git(self.linux, 'log', '--reverse', '--format=%s',
                          'origin/master..HEAD')
        return log.splitlines()

    def test_git_am(self):
        self.run_block(RUN_OF['test_git_am'])
        self.assertEqual(self.applied(), self.subjects())
        self.assertEqual(len(self.applied()), 10)

    def test_b4_am(self):
        r = self.sb.make('mbox')       # README: make mbox writes it
        self.assertEqual(r.rc, 0, r)
        self.run_block(RUN_OF['test_b4_am'])
        self.assertEqual(self.applied(), self.subjects())

    def test_post(self):
        """The block for posting, on a checkout without build/linux
        (its first line's case): the mail sent is the reader's."""
        before = self.sb.snapshot()
        subprocess.run(['rm', '-rf', self.sb.tree], check=True)
        self.run_block(RUN_OF['test_post'])
        self.assertEqual(self.stubbed(),
                         ['git send-email build/series.mbox'])
        with open(self.sent) as fh:
            mbox = fh.read()
        self.assertEqual(mbox.count('\nFrom: Your Name <you@example.org>'),
                         11)
        self.assertNotIn('ttm-dma@localhost', mbox)
        self.assertEqual(len(re.findall(
            rf'^Subject: \[PATCH v{readme_version()} \d+/10\]', mbox,
            re.M)), 11)
        self.assertRegex(mbox, r'\nTo: Some Maintainer')
        self.assertEqual(self.sb.snapshot(), before, 'patches/ changed')

    def test_work_on_the_series(self):
        """make tree, the cover letter edited (here: left as it is),
        make export: patches/ byte-identical, make check reached."""
        before = self.sb.snapshot()
        self.run_block(RUN_OF['test_work_on_the_series'])
        self.assertEqual(self.sb.snapshot(), before, 'patches/ changed')
        self.assertEqual(self.stubbed(), ['make check'])


if __name__ == '__main__':
    unittest.main()
