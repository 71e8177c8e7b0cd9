#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make mutants: a mutation score for TTM's DMA ownership protocol.

  mutants.py [--list]
  mutants.py --canary [--in-place WORKSPACE --ref-dir DIR] [--ktap FILE]

Finds, with Coccinelle (scripts/coccinelle/ownership-sites.cocci), every
call in the series' tree (the base + patches/, in the cache) that hands
TT pages between CPU and device or records or checks who owns them. Each
is a site. For each site it builds a kernel with exactly that call
removed (replaced by '((void)0)', the line count kept) and boots the
platforms that can see it. The mutant is killed when a test that passed
on the unmutated tree fails, or a report (WARNING, BUG, Oops, DMA-API,
'ttm: DMA ownership:', timeout, ...; scripts/ktap.py's, but kmemleak)
appears that the unmutated tree does not print; the remaining platforms
of a killed mutant are not run. A mutant that does not build is
'invalid'. Writes docs/mutants.md and ends with 'mutants: K of N killed';
exit status 1 unless every mutant was killed.

  --list        print the sites and exit: ID, NAME, FILE:LINE, FUNCTION, CALL
  --canary      make check's canary: the one site CANARY (below) on
                CANARY_PLATFORM only; docs/mutants.md is left alone
  --ktap FILE   also write the result as KTAP (one case per mutant)
  --in-place WORKSPACE
                with --canary: make check's workspace instead of this
                cache's: its tree (WORKSPACE/linux, clean, at the commit
                make check tested), kernels (obj/ARCH) and guest payloads
                (guest/ARCH), which make check just built and booted; the
                mutant is built there incrementally and the unmutated
                kernel rebuilt afterwards. A cold machine saves building a
                whole kernel a second time (the canary took 648 s cold)
  --ref-dir DIR with --in-place: the unmutated kernel's run of each
                platform is make check's (DIR/PLATFORM.json and .log)

Environment:
  MUTANTS_PLATFORMS=P[,P]  the platforms (default: those with
                           SYNC_SENSITIVE=1, then NONCOHERENT_PCIE=1)
  MUTANTS_ONLY=ID[,ID]     only these sites (numbers or names from --list)
  MUTANTS_TREE=DIR         mutate the HEAD commit of the git tree DIR (say
                           build/linux, or a tree at an older version of
                           the series) instead of the base + patches/

Everything happens in the cache, TTM_DMA_CACHE/mutants (~/.cache/ttm-dma),
never in build/ or make check's tree: its own kernel tree (linux/) and
object directories (obj/ARCH), built once and then incrementally by
scripts/kernel.sh (TTM and the GEM-TTM helpers are modules: a mutant
rebuilds one of them), the guest payload (guest/ARCH, scripts/guest.sh,
built against the unmutated kernel and staged into every mutant's VMs),
the unmutated tree's runs (ref/, kept while the tree, configs/, edu-gpu,
the IGT tests and the VM scripts are unchanged) and each mutant's logs
(runs/SITE/). One run at a time (flock); the source is restored right
after each build, on errors and on signals.
"""

import argparse
import collections
import datetime
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

# Where the sites are: files and directories of the tree, and what under
# them is not (the KUnit tests call the transfers to test them).
SCOPE = ['drivers/gpu/drm/ttm/', 'drivers/gpu/drm/drm_gem_ttm_helper.c',
         'include/drm/ttm/']
EXCLUDE = ['drivers/gpu/drm/ttm/tests/']
# make check's canary: a transfer the tests must see on a bounce platform.
# Swap-in writes the pages through the CPU: without the hand-back the
# device reads a stale bounce buffer, and the ownership check sees the CPU
# still owning pages that are placed for the device.
CANARY = 'ttm_tt_populate/ttm_tt_sync_for_device'
CANARY_PLATFORM = 'x86-bounce'
# What every mutant's replacement for the call is.
NOP = '((void)0)'
# A report the ownership check prints besides WARN (v3).
OWNERSHIP_LINE = 'ttm: DMA ownership:'
# Reports (scripts/ktap.py's kinds) that cannot kill a mutant: kmemleak's
# count varies from boot to boot, and a missing transfer leaks nothing.
NO_KILL = {'kmemleak'}
PRINTK = re.compile(r'^(?:\[\s*\d+\.\d+\]\s?|<\d>)')

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COCCI = os.path.join(TOP, 'scripts/coccinelle/ownership-sites.cocci')
CACHE = os.environ.get('TTM_DMA_CACHE') or os.path.join(
    os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'),
    'ttm-dma')
WS = os.path.join(CACHE, 'mutants')
REPO = os.path.join(WS, 'linux')
OBJ = os.path.join(WS, 'obj')
GUEST = os.path.join(WS, 'guest')
# --ref-dir: where the unmutated kernel's runs are (None: run them here)
REF_DIR = None
PROG = 'mutants'

# As scripts/lib.sh: git's output and the commits it makes independent of
# whoever runs us, so the tree's hashes are those of make check's tree.
ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM='1', GIT_CONFIG_GLOBAL='/dev/null',
           GIT_COMMITTER_NAME='TTM DMA backends',
           GIT_COMMITTER_EMAIL='ttm-dma@localhost', LC_ALL='C', TZ='UTC')


class Die(Exception):
    pass


def die(msg):
    raise Die(msg)


def note(msg):
    print(f'{PROG}: {msg}', file=sys.stderr, flush=True)


def say(msg):
    print(msg, flush=True)


def git(*args, cwd=None, check=True):
    cwd = cwd or REPO
    r = subprocess.run(['git', *args], cwd=cwd, env=ENV, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and r.returncode:
        die(f'git {" ".join(args[:2])} in {cwd}: '
            f'{(r.stderr.strip().splitlines() or ["failed"])[-1]}')
    return r.stdout.strip()


def descendants(pid):
    """The processes under pid, read from /proc before any is killed (a
    dead parent's children are re-parented and could not be found)."""
    kids = collections.defaultdict(list)
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open(f'/proc/{d}/stat') as fh:
                stat = fh.read()
        except OSError:
            continue
        kids[int(stat.rsplit(')', 1)[1].split()[1])].append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def stop(proc):
    """End a child we started and everything it started, by pid."""
    pids = descendants(proc.pid)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in pids:
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                pass
        try:
            proc.wait(timeout=10)
            break
        except subprocess.TimeoutExpired:
            pass


def run(cmd, log, cwd=TOP):
    """Run cmd with its output in log; its status. Its own session, so that
    a Ctrl-C reaches only us, and we end it."""
    with open(log, 'w') as fh:
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            return proc.wait()
        except BaseException:
            stop(proc)
            raise


def tail(path, n=3):
    try:
        with open(path, errors='replace') as fh:
            lines = [x.rstrip() for x in fh if x.strip()]
    except OSError:
        return ''
    return ' | '.join(lines[-n:])


def first_error(log):
    """The compiler's first error in a build log, else its last line."""
    with open(log, errors='replace') as fh:
        for line in fh:
            if re.search(r': (fatal )?error: ', line) and \
                    not line.startswith('kernel.sh:'):
                return line.strip()[:160]
    return tail(log, 1)[:160]


def digest(*parts):
    """A hash of strings, and of files and the sources under directories."""
    h = hashlib.sha1()
    for p in parts:
        if isinstance(p, str) and os.path.isdir(p):
            for root, dirs, files in sorted(os.walk(p)):
                dirs.sort()
                for f in sorted(files):
                    if not re.search(r'(\.[ch]|\.config|Kbuild|Makefile)$',
                                     f):
                        continue
                    h.update(os.path.join(root, f).encode())
                    with open(os.path.join(root, f), 'rb') as fh:
                        h.update(fh.read())
        elif isinstance(p, str) and os.path.isfile(p):
            h.update(p.encode())
            with open(p, 'rb') as fh:
                h.update(fh.read())
        else:
            h.update(repr(p).encode())
    return h.hexdigest()


# ---------------------------------------------------------------- platforms

def platforms():
    """Every platform's settings, from platforms/*.conf (sourced by bash,
    as scripts/lib.sh does)."""
    out = {}
    pdir = os.path.join(TOP, 'platforms')
    for f in sorted(os.listdir(pdir)):
        if not f.endswith('.conf'):
            continue
        r = subprocess.run(
            ['bash', '-c', 'set -e; . "$1"; printf "%s\\n" "$ARCH" '
             '"${SYNC_SENSITIVE:-}" "${NONCOHERENT_PCIE:-}"', '_',
             os.path.join(pdir, f)], text=True, capture_output=True)
        if r.returncode:
            die(f'platforms/{f} cannot be read: {r.stderr.strip()}')
        arch, sync, nc = r.stdout.split('\n')[:3]
        out[f[:-5]] = {'arch': arch, 'sync': sync == '1', 'nc': nc == '1'}
    return out


def choose_platforms(allp, canary):
    if canary:
        want = [CANARY_PLATFORM]
    elif os.environ.get('MUTANTS_PLATFORMS'):
        want = [p for p in re.split(r'[,\s]+',
                                    os.environ['MUTANTS_PLATFORMS']) if p]
    else:
        want = [p for p in allp if allp[p]['sync']]
        want += [p for p in allp if allp[p]['nc'] and p not in want]
    for p in want:
        if p not in allp:
            die(f"unknown platform '{p}' (one of: {' '.join(allp)})")
    if not want:
        die('no platforms to run')
    return list(dict.fromkeys(want))


# --------------------------------------------------------------------- tree

def base():
    """The base repository and commit, as scripts/lib.sh's base_rev."""
    if os.environ.get('KSRC'):
        repo = os.environ['KSRC']
        return repo, git('rev-parse', '--verify', '-q', 'HEAD^{commit}',
                         cwd=repo)
    repo = os.path.join(CACHE, 'base/linux.git')
    return repo, git('rev-parse', '--verify', '-q', 'refs/heads/base',
                     cwd=repo)


def series():
    r = subprocess.run([os.path.join(TOP, 'scripts/series.py'), 'list',
                        os.path.join(TOP, 'patches')], cwd=TOP, text=True,
                       capture_output=True)
    if r.returncode:
        die(f'scripts/series.py list: {r.stderr.strip()}')
    return [os.path.join(TOP, p) for p in r.stdout.split()]


def sync_tree():
    """The workspace tree at the series' tip (or at MUTANTS_TREE's HEAD);
    returns the tip. The series is applied in a sparse scratch clone (only
    the files it touches), so that checking the new tip out here rewrites
    only the files that changed and the object directories rebuild only
    what depends on them."""
    log = os.path.join(WS, 'base.log')
    if run([os.path.join(TOP, 'scripts/base.sh')], log):
        die(f'scripts/base.sh failed: {tail(log, 1)}')
    brepo, brev = base()
    src = os.environ.get('MUTANTS_TREE', '')
    if src:
        r = subprocess.run(['git', 'rev-parse', '--verify', '-q',
                            'HEAD^{commit}'], cwd=src, env=ENV, text=True,
                           capture_output=True) \
            if os.path.isdir(src) else None
        if not r or r.returncode:
            die(f'MUTANTS_TREE={src} is not a git tree with a commit')
        patches = []
        stamp = digest('tree', r.stdout.strip())
    else:
        patches = series()
        stamp = digest(brev, *patches)
    stampf = os.path.join(WS, 'tree.stamp')
    have = os.path.isdir(os.path.join(REPO, '.git')) and subprocess.run(
        ['git', 'cat-file', '-e', f'{brev}^{{commit}}'], cwd=REPO, env=ENV,
        stderr=subprocess.DEVNULL).returncode == 0
    if have:
        old = open(stampf).read().split() if os.path.exists(stampf) else []
        if old and old[0] == stamp and \
                git('rev-parse', 'HEAD', check=False) == old[1]:
            # (a run that was killed outright may have left a mutant)
            git('reset', '-q', '--hard', 'HEAD')
            return old[1]
    else:
        shutil.rmtree(REPO, ignore_errors=True)
        git('clone', '-q', '--shared', '--no-checkout', brepo, REPO, cwd=WS)
    if os.path.exists(stampf):
        os.unlink(stampf)
    if src:
        # Its objects are copied: the tree it came from can go.
        git('fetch', '-q', os.path.abspath(src), 'HEAD')
        tip = git('rev-parse', 'FETCH_HEAD')
        git('checkout', '-q', '-f', '-B', 'mutants', tip)
        git('reset', '-q', '--hard', tip)
        with open(stampf, 'w') as fh:
            fh.write(f'{stamp} {tip}\n')
        return tip
    paths = set()
    for p in patches:
        with open(p, errors='replace') as fh:
            for line in fh:
                m = re.match(r'^diff --git a/(\S+) b/(\S+)$', line)
                if m:
                    paths.update(m.groups())
    tmp = os.path.join(WS, 'am.tmp')
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        git('clone', '-q', '--shared', '--no-checkout', REPO, tmp, cwd=WS)
        git('sparse-checkout', 'set', '--no-cone', *sorted(f'/{p}'
                                                           for p in paths),
            cwd=tmp)
        git('checkout', '-q', '-B', 'series', brev, cwd=tmp)
        for i, p in enumerate(patches, 1):
            r = subprocess.run(['git', 'am', '-q', '--no-3way',
                                '--committer-date-is-author-date', p],
                               cwd=tmp, env=ENV, text=True,
                               capture_output=True)
            if r.returncode:
                die(f'patch {i}/{len(patches)} does not apply: '
                    f'{os.path.basename(p)}')
        tip = git('rev-parse', 'HEAD', cwd=tmp)
        git('fetch', '-q', tmp, 'series')
        git('checkout', '-q', '-f', '-B', 'mutants', tip)
        git('reset', '-q', '--hard', tip)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with open(stampf, 'w') as fh:
        fh.write(f'{stamp} {tip}\n')
    return tip


# -------------------------------------------------------------------- sites

def scope_files():
    out = []
    for s in SCOPE:
        path = os.path.join(REPO, s)
        if os.path.isfile(path):
            out.append(s)
            continue
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for f in sorted(files):
                rel = os.path.relpath(os.path.join(root, f), REPO)
                if f.endswith(('.c', '.h')) and \
                        not any(rel.startswith(e) for e in EXCLUDE):
                    out.append(rel)
    return out


def call_span(text, off, callee):
    """The end of the call starting at off (after its closing parenthesis),
    or None when the text there is not a call of callee."""
    if not text.startswith(callee, off):
        return None
    i = off + len(callee)
    while i < len(text) and text[i] in ' \t\n':
        i += 1
    if i >= len(text) or text[i] != '(':
        return None
    depth = 0
    while i < len(text):
        c = text[i]
        if c in '"\'':
            j = i + 1
            while j < len(text) and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            i = j
        elif text.startswith('/*', i):
            i = text.index('*/', i) + 1
        elif c == '(':
            depth += 1
        elif c == ')':
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def offset(text, line, col):
    lines = text.split('\n')
    return sum(len(x) + 1 for x in lines[:line - 1]) + col


def enumerate_sites():
    files = scope_files()
    if not files:
        die(f'no files in {REPO} under {" ".join(SCOPE)}')
    if not shutil.which('spatch'):
        die("missing tool 'spatch' (Debian's coccinelle: run 'make deps')")
    r = subprocess.run(['spatch', '--very-quiet', '--no-includes',
                        '--sp-file', COCCI, *files], cwd=REPO, text=True,
                       capture_output=True)
    if r.returncode:
        die(f'spatch failed: {(r.stderr.strip().splitlines() or ["?"])[-1]}')
    found = set()
    for line in r.stdout.splitlines():
        f = line.split('\t')
        if len(f) != 5 or not f[1].isdigit() or not f[2].isdigit():
            die(f'spatch printed an unexpected line: {line[:80]}')
        found.add((f[0], int(f[1]), int(f[2]), f[3], f[4]))
    sites = []
    texts = {}
    for path, line, col, func, callee in sorted(found):
        if path not in texts:
            with open(os.path.join(REPO, path)) as fh:
                texts[path] = fh.read()
        text = texts[path]
        off = offset(text, line, col)
        end = call_span(text, off, callee)
        if end is None:
            die(f'{path}:{line}:{col}: no call of {callee} there')
        sites.append({'file': path, 'line': line, 'col': col, 'func': func,
                      'callee': callee,
                      'call': re.sub(r'\s+', ' ', text[off:end])
                      .replace('( ', '(')})
    # Names that survive edits elsewhere: FUNCTION/CALLEE, .2 for the
    # second such call in one function, FILE: first when a static function
    # name repeats across files.
    count = collections.Counter()
    for s in sites:
        key = (s['file'], s['func'], s['callee'])
        count[key] += 1
        s['name'] = f"{s['func']}/{s['callee']}" + \
            (f'.{count[key]}' if count[key] > 1 else '')
    dup = collections.Counter(s['name'] for s in sites)
    for i, s in enumerate(sites, 1):
        s['id'] = i
        if dup[s['name']] > 1:
            s['name'] = f"{os.path.basename(s['file'])}:{s['name']}"
    return sites


def select(sites, only):
    if not only:
        return sites
    by = {str(s['id']): s for s in sites}
    by.update({s['name']: s for s in sites})
    out = []
    for w in [w for w in re.split(r'[,\s]+', only) if w]:
        if w not in by:
            die(f"unknown site '{w}' (see 'make mutants LIST=1')")
        out.append(by[w])
    return list({s['id']: s for s in out}.values())


def mutate(site):
    path = os.path.join(REPO, site['file'])
    with open(path) as fh:
        text = fh.read()
    off = offset(text, site['line'], site['col'])
    end = call_span(text, off, site['callee'])
    if end is None:
        die(f"{site['file']}:{site['line']}: the call moved")
    with open(path, 'w') as fh:
        fh.write(text[:off] + NOP + '\n' * text[off:end].count('\n') +
                 text[end:])


def restore(site):
    """The file as in the tree's commit; no signal stops this half-way."""
    sigs = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    try:
        git('checkout', '-q', '--', site['file'])
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, sigs)


# ------------------------------------------------------------ builds and VMs

def arch_key(arch):
    """What the guest payload and an unmutated build depend on."""
    return digest(git('rev-parse', 'HEAD'), arch,
                  os.path.join(TOP, 'configs'),
                  os.path.join(TOP, 'drivers/edu-gpu'),
                  os.path.join(TOP, 'igt-tests'),
                  os.path.join(TOP, 'scripts/kernel.sh'),
                  os.path.join(TOP, 'scripts/guest.sh'))


def ref_key(platform, arch):
    return digest(arch_key(arch), platform,
                  *[os.path.join(TOP, f) for f in (
                      f'platforms/{platform}.conf', 'scripts/vm-tests.list',
                      'scripts/vm.sh', 'scripts/guest-init.sh',
                      'scripts/ktap.py', 'scripts/known-reports')])


def build(arch, log):
    return run([os.path.join(TOP, 'scripts/kernel.sh'), '-t', REPO, '-o',
                os.path.join(OBJ, arch), arch], log) == 0


def in_place(ws, ref_dir, plats, allp):
    """--in-place: work in make check's workspace WS, whose kernels and
    guest payloads make check built from its clean tree; returns its
    commit. Nothing there is rebuilt but what a mutant changes."""
    global REPO, OBJ, GUEST, REF_DIR
    REPO = os.path.join(os.path.abspath(ws), 'linux')
    OBJ = os.path.join(os.path.abspath(ws), 'obj')
    GUEST = os.path.join(os.path.abspath(ws), 'guest')
    REF_DIR = os.path.abspath(ref_dir)
    if not os.path.isdir(os.path.join(REPO, '.git')):
        die(f'--in-place {ws}: no git tree at {REPO}')
    if not os.path.isdir(REF_DIR):
        die(f'--ref-dir {ref_dir}: not a directory')
    if git('status', '--porcelain', '--untracked-files=no'):
        die(f'--in-place {ws}: {REPO} has changes; its kernels are not '
            'those of a commit')
    for a in sorted({allp[p]['arch'] for p in plats}):
        if not os.path.isfile(os.path.join(OBJ, a, '.ttm-dma-stamp')) or \
                not os.path.isdir(os.path.join(GUEST, a)):
            die(f'--in-place {ws}: no {a} kernel and guest payload built')
    return git('rev-parse', 'HEAD')


def unmutated(groups):
    """--in-place: the workspace's kernels as their tree's commit again
    (make check boots them after the canary)."""
    for arch, _ in groups:
        log = os.path.join(WS, f'build-{arch}-unmutated.log')
        if not build(arch, log):
            die(f'the unmutated {arch} kernel does not build again in '
                f'{OBJ}: see {log}')


def prepare_arch(arch, force_build):
    """An unmutated kernel in obj/ARCH (when force_build) and the guest
    payload built against it."""
    state = os.path.join(WS, 'state', arch)
    key = arch_key(arch)
    fresh = os.path.exists(state) and open(state).read().strip() == key and \
        os.path.isdir(os.path.join(WS, 'guest', arch))
    if fresh and not force_build:
        return
    t = time.time()
    log = os.path.join(WS, f'build-{arch}.log')
    if not build(arch, log):
        die(f'the unmutated {arch} kernel does not build: see {log}')
    if fresh:
        return
    if os.path.exists(state):
        os.unlink(state)
    glog = os.path.join(WS, f'guest-{arch}.log')
    if run([os.path.join(TOP, 'scripts/guest.sh'), '-t', REPO, '-o',
            os.path.join(WS, 'obj', arch), '-d',
            os.path.join(WS, 'guest', arch), arch], glog):
        die(f'edu_gpu or the IGT tests do not build for {arch}: see {glog}')
    os.makedirs(os.path.dirname(state), exist_ok=True)
    with open(state, 'w') as fh:
        fh.write(key + '\n')
    note(f'{arch}: unmutated kernel and guest payload ready '
         f'({time.time() - t:.0f}s)')


def failures(res, log):
    """A run's failures as (key, text, is a test case): the key compares
    runs (what varies between boots left out), the text says what failed.
    Reports of a kind in NO_KILL are left out; a WARNING is told by its
    message."""
    with open(res) as fh:
        data = json.load(fh)
    with open(log, errors='replace', newline='') as fh:
        lines = [x.rstrip('\r') for x in fh.read().split('\n')]
    out = []
    for c in data['cases']:
        if c['status'] != 'fail':
            continue
        if c['suite'] != 'log':
            name = f"{c['suite']}.{c['name']}" if c['suite'] else c['name']
            out.append((name, name, True))
            continue
        m = re.match(r'(?P<kind>[\w -]+) \(line (?P<n>\d+)\): (?P<text>.*)',
                     c['name'])
        if not m:
            out.append((f"log.{norm(c['name'])}", c['name'], False))
            continue
        if m['kind'] in NO_KILL:
            continue
        text = m['text']
        n = int(m['n'])
        if m['kind'] == 'WARNING' and n >= 2:
            msg = PRINTK.sub('', lines[n - 2]).strip()
            if msg and 'cut here' not in msg:
                where = re.search(r'at (\S+?)\+', text)
                text = f"{msg} ({where[1] if where else text[:60]})"
        shown = text if text.startswith(m['kind']) else \
            f"{m['kind']}: {text}"
        out.append((f"log.{m['kind']}.{norm(text)}",
                    f'{shown} (log line {n})', False))
    # (unless scripts/ktap.py reports them itself)
    known = any(c['suite'] == 'log' and OWNERSHIP_LINE.split(':')[1].strip()
                in c['name'] for c in data['cases'])
    for n, x in enumerate(lines, 1):
        if OWNERSHIP_LINE in x and not known:
            x = x[x.find(OWNERSHIP_LINE):]
            out.append((f'ownership.{norm(x)}', f'{x} (log line {n})', False))
    return data['counts'], out


def vm(platform, out):
    """Boot platform on what obj/ holds: (counts, failures) or None, the
    seconds it took, the summary line."""
    t = time.time()
    os.makedirs(out, exist_ok=True)
    res = os.path.join(out, f'{platform}.json')
    if os.path.exists(res):
        os.unlink(res)
    log = os.path.join(out, f'{platform}.summary')
    run([os.path.join(TOP, 'scripts/vm.sh'), '-o', out, '-t', REPO, '-k',
         OBJ, '-g', GUEST, platform],
        log)
    # The initramfs and its tree are rebuilt by every run: not kept.
    shutil.rmtree(os.path.join(out, f'root-{platform}'), ignore_errors=True)
    for f in (f'initramfs-{platform}.cpio', f'{platform}.dtb'):
        if os.path.exists(os.path.join(out, f)):
            os.unlink(os.path.join(out, f))
    secs = time.time() - t
    with open(log, errors='replace') as fh:
        first = [x.strip() for x in fh if x.startswith(f'{platform}: ')]
    summary = first[0] if first else tail(log, 1)
    if not os.path.exists(res):
        return None, secs, summary
    return failures(res, os.path.join(out, f'{platform}.log')), secs, summary


def reference(platform, arch):
    """The unmutated tree's run of platform, cached by what it depends on:
    (counts, failures). What fails there cannot kill a mutant. With
    --ref-dir, make check's run of the same kernel."""
    if REF_DIR:
        res = os.path.join(REF_DIR, f'{platform}.json')
        log = os.path.join(REF_DIR, f'{platform}.log')
        if not (os.path.isfile(res) and os.path.isfile(log)):
            die(f'no run of the unmutated kernel on {platform} in {REF_DIR}')
        data = failures(res, log)
        if not data[0]['pass']:
            die(f'the unmutated tree passes nothing on {platform} '
                f'(see {log})')
        return data
    out = os.path.join(WS, 'ref')
    keyf = os.path.join(out, f'{platform}.key')
    key = ref_key(platform, arch)
    res = os.path.join(out, f'{platform}.fails')
    if os.path.exists(keyf) and open(keyf).read().strip() == key and \
            os.path.exists(res):
        with open(res) as fh:
            return json.load(fh)
    prepare_arch(arch, True)
    if os.path.exists(keyf):
        os.unlink(keyf)
    data, secs, summary = vm(platform, out)
    if data is None:
        die(f'the unmutated tree cannot be run on {platform}: {summary}')
    if not data[0]['pass']:
        die(f'the unmutated tree passes nothing on {platform}: {summary}')
    with open(res, 'w') as fh:
        json.dump(data, fh)
    with open(keyf, 'w') as fh:
        fh.write(key + '\n')
    note(f'reference {summary} ({secs:.0f}s)')
    return data


def norm(text):
    """A report without what varies between boots: numbers, addresses and
    the task that hit it ('CPU#0: sh/619' or 'CPU#1: init/625')."""
    text = re.sub(r',? CPU#\d+: \S+', '', text)
    return re.sub(r'\b(?:0x[0-9a-f]+|[0-9a-f]*\d[0-9a-f]*)\b', 'N', text)


def new_failures(fails, ref):
    """The failures of a run that the reference run does not have (a report
    the reference prints twice kills on its third instance)."""
    left = collections.Counter(f[0] for f in ref)
    out = []
    for key, text, test in fails:
        if left[key]:
            left[key] -= 1
        else:
            out.append((not test, text))
    # A test that failed says more than the reports around it.
    return [text for _, text in sorted(out, key=lambda x: x[0])]


def run_mutant(site, groups, refs):
    """Build and run one mutant; its record. The references are brought up
    to date first (the test list, edu_gpu or the IGT tests may have changed
    since they ran), and the mutant runs again if they change while it runs:
    a mutant is only ever judged against the same harness."""
    for _ in range(3):
        keys = {}
        for arch, plats in groups:
            for p in plats:
                keys[p] = ref_key(p, arch)
                refs[p] = reference(p, arch)
        rec = run_mutant_once(site, groups, refs)
        if all(ref_key(p, a) == keys[p] for a, ps in groups for p in ps):
            return rec
        note(f"the test harness changed while {site['name']} ran: again")
    die('the test harness keeps changing under the run')


def run_mutant_once(site, groups, refs):
    t0 = time.time()
    rec = {'id': site['id'], 'name': site['name'], 'verdict': 'survived',
           'killer': '', 'platform': '', 'runs': [], 'build': 0.0}
    out = os.path.join(WS, 'runs', re.sub(r'[^A-Za-z0-9_.-]', '_',
                                          site['name']))
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for arch, plats in groups:
        tb = time.time()
        log = os.path.join(out, f'build-{arch}.log')
        try:
            mutate(site)
            ok = build(arch, log)
        finally:
            restore(site)
        rec['build'] += time.time() - tb
        if not ok:
            rec['verdict'] = 'invalid'
            rec['killer'] = f'{arch} build failed: {first_error(log)}'
            break
        for p in plats:
            data, secs, summary = vm(p, out)
            rec['runs'].append({'platform': p, 'secs': round(secs),
                                'summary': summary})
            if data is None:
                rec['verdict'] = 'invalid'
                rec['killer'] = f'{p}: the VM run gave no results: {summary}'
                break
            new = new_failures(data[1], refs[p][1])
            if new:
                rec['verdict'] = 'killed'
                rec['platform'] = p
                rec['killer'] = new[0] + (f' (+{len(new) - 1} more)'
                                          if len(new) > 1 else '')
                rec['new'] = new[:20]
                break
        if rec['verdict'] != 'survived':
            break
    rec['secs'] = round(time.time() - t0)
    rec['build'] = round(rec['build'])
    with open(os.path.join(out, 'result.json'), 'w') as fh:
        json.dump(rec, fh, indent=1)
    return rec


# ------------------------------------------------------------------ reports

def ktap(path, recs, sites):
    by = {s['id']: s for s in sites}
    with open(path, 'w') as fh:
        fh.write(f'KTAP version 1\n1..{len(recs)}\n')
        for i, r in enumerate(recs, 1):
            why = r['verdict'] + (f" on {r['platform']}" if r['platform']
                                  else '')
            if r['killer']:
                why += ': ' + r['killer']
            st = 'ok' if r['verdict'] == 'killed' else 'not ok'
            fh.write(f"{st} {i} mutant {by[r['id']]['name']} # "
                     f"{why.replace('#', '')}\n")
        fh.write('ttm-dma: done\n')


def md_cell(text):
    return str(text).replace('|', '\\|').replace('\n', ' ')


def write_doc(path, tip, plats, allsites, recs, refs, command, line):
    by = {s['id']: s for s in allsites}
    subject = git('log', '-1', '--format=%s', tip)
    now = datetime.datetime.now(datetime.timezone.utc)
    lines = [
        '# Mutants of the DMA ownership protocol',
        '',
        '<!-- Generated by scripts/mutants.py (make mutants): do not edit. '
        '-->',
        '',
        f'- tree: `{tip[:12]}` ({subject}), '
        + ('the HEAD of `MUTANTS_TREE`' if os.environ.get('MUTANTS_TREE')
           else 'the series in `patches/` on its base'),
        f'- harness (scripts, edu-gpu, IGT tests): project commit '
        f'`{git("rev-parse", "--short=12", "HEAD", cwd=TOP)}`'
        + (' with uncommitted changes' if git(
            'status', '--porcelain', '--untracked-files=no', cwd=TOP)
           else ''),
        f'- date: {now.strftime("%Y-%m-%d %H:%M UTC")}',
        f'- command: `{command}`',
        f'- platforms: {", ".join(plats)}',
        f'- sites: {len(allsites)} found by '
        '`scripts/coccinelle/ownership-sites.cocci`; '
        f'{len(recs)} run',
        '',
        'Each mutant is the tree with one call replaced by `((void)0)`. It '
        'is killed when a test that passes on the unmutated tree fails on '
        'it, or when it prints a report (WARNING, DMA-API debug, '
        f'`{OWNERSHIP_LINE}`, crash, timeout; not kmemleak) the unmutated '
        'tree does not; a killed mutant\'s remaining platforms are not run. '
        'A survivor is a call that does nothing or a hole in the tests.',
        '',
        '| id | site | where | call | verdict | killed by | time |',
        '|---|---|---|---|---|---|---|',
    ]
    for r in recs:
        s = by[r['id']]
        killer = r['killer']
        if r['platform']:
            killer = f"{r['platform']}: {killer}"
        runs = ', '.join(f"{x['platform']} {x['secs']}s" for x in r['runs'])
        lines.append(
            f"| {s['id']} | `{s['name']}` | {s['file']}:{s['line']} "
            f"| `{md_cell(s['call'])}` | {r['verdict']} "
            f"| {md_cell(killer)} | {r['secs']}s (build {r['build']}s"
            f"{'; ' + runs if runs else ''}) |")
    lines += ['', '## The unmutated tree', '',
              'Its failures, if any, are expected and cannot kill a mutant.',
              '']
    for p in plats:
        c, fails = refs[p]
        fails = [f[1] for f in fails]
        lines.append(f"- {p}: {c['pass']} passed, {c['fail']} failed"
                     + (f", {c['skip']} skipped" if c.get('skip') else '')
                     + (': ' + '; '.join(f'`{md_cell(f)}`'
                                         for f in fails[:12])
                        if fails else '')
                     + (f'; and {len(fails) - 12} more' if len(fails) > 12
                        else ''))
    lines += ['', line, '']
    with open(path, 'w') as fh:
        fh.write('\n'.join(lines))


# --------------------------------------------------------------------- main

class Parser(argparse.ArgumentParser):
    def error(self, message):
        print(f'{PROG}: error: {message} (see {sys.argv[0]} --help)',
              file=sys.stderr)
        sys.exit(2)


class Stopped(Exception):
    pass


def on_signal(sig, frame):
    raise Stopped(sig)


def main():
    ap = Parser(prog='mutants.py', description=__doc__.split('\n')[0],
                formatter_class=argparse.RawDescriptionHelpFormatter,
                epilog='\n'.join(__doc__.split('\n')[2:]))
    ap.add_argument('--list', action='store_true')
    ap.add_argument('--canary', action='store_true')
    ap.add_argument('--ktap')
    ap.add_argument('--in-place', metavar='WORKSPACE')
    ap.add_argument('--ref-dir', metavar='DIR')
    args = ap.parse_args()
    if args.list and args.canary:
        ap.error('--list and --canary exclude each other')
    if args.in_place and not args.canary:
        ap.error('--in-place is for --canary only')
    if bool(args.in_place) != bool(args.ref_dir):
        ap.error('--in-place and --ref-dir go together')
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    allp = platforms()
    plats = choose_platforms(allp, args.canary)
    only = CANARY if args.canary else os.environ.get('MUTANTS_ONLY', '')
    os.makedirs(WS, exist_ok=True)
    lockf = open(os.path.join(WS, '.lock'), 'w')
    try:
        fcntl.flock(lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        die(f'another make mutants is using {WS}')

    if args.in_place:
        tip = in_place(args.in_place, args.ref_dir, plats, allp)
    else:
        tip = sync_tree()
    sites = enumerate_sites()
    chosen = select(sites, only)
    if args.list:
        say('# id\tname\tfile:line\tfunction\tcall')
        for s in sites:
            say(f"{s['id']}\t{s['name']}\t{s['file']}:{s['line']}\t"
                f"{s['func']}\t{s['call']}")
        note(f'{len(sites)} sites in {tip[:12]}')
        return 0

    note(f"{len(chosen)} of {len(sites)} sites, on {' '.join(plats)}, "
         f"tree {tip[:12]}")
    groups = []
    for p in plats:
        a = allp[p]['arch']
        if not groups or groups[-1][0] != a:
            groups.append((a, []))
        groups[-1][1].append(p)
    t0 = time.time()
    refs = {}
    for arch, ps in groups:
        if not args.in_place:
            prepare_arch(arch, False)
        for p in ps:
            refs[p] = reference(p, arch)
    note(f'ready to run mutants ({time.time() - t0:.0f}s)')

    recs = []
    for s in chosen:
        try:
            rec = run_mutant(s, groups, refs)
        finally:
            if args.in_place:
                unmutated(groups)
        recs.append(rec)
        say(f"{s['id']:>3} {s['name']}: {rec['verdict']}"
            + (f" on {rec['platform']}" if rec['platform'] else '')
            + (f": {rec['killer']}" if rec['killer'] else '')
            + f" ({rec['secs']}s)")
    killed = sum(r['verdict'] == 'killed' for r in recs)
    surv = sum(r['verdict'] == 'survived' for r in recs)
    inval = sum(r['verdict'] == 'invalid' for r in recs)
    line = f'mutants: {killed} of {len(recs)} killed'
    if args.ktap:
        ktap(args.ktap, recs, sites)
    if not args.canary:
        cmd = ' '.join(f'{k}={os.environ[k]}' for k in
                       ('MUTANTS_TREE', 'MUTANTS_PLATFORMS', 'MUTANTS_ONLY')
                       if os.environ.get(k))
        cmd = (cmd + ' ' if cmd else '') + 'make mutants'
        doc = os.path.join(TOP, 'docs/mutants.md')
        write_doc(doc, tip, plats, sites, recs, refs, cmd, line)
        note(f'{doc} written; {surv} survived, {inval} invalid, '
             f'{time.time() - t0:.0f}s in all')
    say(line)
    return 0 if killed == len(recs) else 1


if __name__ == '__main__':
    try:
        sys.exit(main())
    except Die as e:
        print(f'{PROG}: error: {e}', file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print(f'{PROG}: interrupted; the tree is restored', file=sys.stderr)
        sys.exit(130)
    except Stopped as e:
        print(f'{PROG}: stopped by signal {e.args[0]}; the tree is restored',
              file=sys.stderr)
        sys.exit(128 + e.args[0])
