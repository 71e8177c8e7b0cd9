#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The series in patches/ and the work tree in build/linux.

  series.py list PATCHES                 patch files in order (no cover)
  series.py status TREE PATCHES          current | stale | missing |
                                         unexported: why
  series.py cover-to-tree PATCHES TREE   cover letter -> branch description
  series.py mark-exported TREE PATCHES   record that TREE and PATCHES agree
  series.py export TREE PATCHES          regenerate PATCHES from TREE
  series.py unexported TREE [PATCHES]    exit 1 (why on stderr) if TREE
                                         holds work not in PATCHES
  series.py mbox [--author 'NAME <MAIL>' --maintainers TREE]
                 [--version N] PATCHES OUT
                                         one mbox of the series (b4 am -m);
                                         --author: signed by NAME for
                                         posting, recipients from TREE's
                                         scripts/get_maintainer.pl;
                                         --version: [PATCH vN NN/MM]

export is deterministic: the same tree gives byte-identical files. git
format-patch makes the patches; the Message-Id git would invent holds the
time of day, so ids are derived from the series' tip commit instead, and
the cover letter is written here from the branch description. Whoever
runs it: git runs without the user's or the system's configuration, and
commits are made by the project identity, read from lib.sh (as every
shell script of the project reads it).

Errors are one line on stderr; exit status 2 for bad usage, 3 for any
other error (lib.sh's "already reported" status: a shell script calling
series.py adds no second line).
"""

import argparse
import email.utils
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# lib.sh's die() status: reported on stderr, no second line from callers.
DIED = 3
BASE_HASH_DEBIAN = '901e0dcc76aeb597e220b8765901a7672189747a'
BASE_TEXT_DEBIAN = 'Linux 7.3.4, Debian linux-source-7.3 7.3.4-1~bpo13+1'
COVER = '0000-cover-letter.patch'
PATCH_RE = re.compile(r'^(\d{4})-.*\.patch$')


def die(msg):
    print(f'series.py: error: {msg}', file=sys.stderr)
    sys.exit(DIED)


def lib_sh_ident(path=os.path.join(HERE, 'lib.sh')):
    """(name, email) of the project identity, from lib.sh's IDENT_NAME
    and IDENT_EMAIL: one place for both languages."""
    vals = {}
    try:
        with open(path, encoding='utf-8') as fh:
            for line in fh:
                m = re.match(r'^(IDENT_NAME|IDENT_EMAIL)=(["\']?)(.*)\2\s*$',
                             line.rstrip('\n'))
                if m:
                    vals[m.group(1)] = m.group(3)
    except OSError as e:
        die(f'{path}: {e.strerror}')
    if len(vals) != 2:
        die(f'{path}: no IDENT_NAME= and IDENT_EMAIL= lines')
    return vals['IDENT_NAME'], vals['IDENT_EMAIL']


IDENT_NAME, IDENT_EMAIL = lib_sh_ident()
IDENT = f'{IDENT_NAME} <{IDENT_EMAIL}>'


def git_environment():
    """lib.sh's git environment: no user or system configuration
    (diff.noprefix, format.headers, core.abbrev ... would change bytes),
    the project identity as committer, C locale, UTC."""
    for k in ('GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE',
              'GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT',
              'GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_AUTHOR_DATE',
              'GIT_COMMITTER_DATE'):
        os.environ.pop(k, None)
    os.environ.update(GIT_CONFIG_NOSYSTEM='1', GIT_CONFIG_GLOBAL=os.devnull,
                      GIT_COMMITTER_NAME=IDENT_NAME,
                      GIT_COMMITTER_EMAIL=IDENT_EMAIL, LC_ALL='C', TZ='UTC')


def work_tree(tree):
    """Die unless TREE is a git work tree (before anything asks it about
    branches: a missing directory is not a detached HEAD)."""
    if not os.path.isdir(tree):
        die(f'{tree} does not exist')
    r = subprocess.run(['git', '-C', tree, 'rev-parse',
                        '--is-inside-work-tree'], capture_output=True,
                       text=True)
    if r.returncode or r.stdout.strip() != 'true':
        die(f'{tree} is not a git work tree')


def git(tree, *args, check=True):
    r = subprocess.run(['git', '-C', tree, *args], capture_output=True,
                       text=True)
    if check and r.returncode:
        die(f'git {" ".join(args)} in {tree}: {r.stderr.strip()}')
    return r.stdout


def patch_files(patches):
    if not os.path.isdir(patches):
        die(f'{patches} does not exist')
    files = sorted(f for f in os.listdir(patches) if PATCH_RE.match(f))
    nums = [int(PATCH_RE.match(f).group(1)) for f in files if f != COVER]
    if nums != list(range(1, len(nums) + 1)):
        die(f'{patches}: patch numbers are not 1..{len(nums)}: {nums}')
    return [os.path.join(patches, f) for f in files if f != COVER]


def patches_digest(patches):
    h = hashlib.sha1()
    for f in sorted(os.listdir(patches)):
        p = os.path.join(patches, f)
        if os.path.isfile(p):
            h.update(f.encode() + b'\0')
            with open(p, 'rb') as fh:
                h.update(fh.read())
    return h.hexdigest()


def branch(tree):
    b = git(tree, 'symbolic-ref', '-q', '--short', 'HEAD', check=False).strip()
    if not b:
        die(f'{tree}: HEAD is detached; check out the series branch')
    return b


def description(tree):
    return git(tree, 'config', f'branch.{branch(tree)}.description',
               check=False).strip()


def export_stamp(tree):
    head = git(tree, 'rev-parse', 'HEAD').strip()
    desc = hashlib.sha1(description(tree).encode()).hexdigest()
    return f'{head} {desc}'


def unexported_reason(tree):
    """Why TREE holds work that patches/ does not have, or None."""
    dirty = git(tree, 'status', '--porcelain', '--untracked-files=no')
    if dirty.strip():
        return 'uncommitted changes: ' + ' '.join(
            line[3:] for line in dirty.splitlines()[:3])
    if git(tree, 'rev-parse', '-q', '--verify', 'MERGE_HEAD',
           check=False) or \
            os.path.isdir(os.path.join(tree, '.git', 'rebase-apply')) or \
            os.path.isdir(os.path.join(tree, '.git', 'rebase-merge')):
        return 'a git am, rebase or merge is in progress'
    stamp = git(tree, 'config', 'ttm-dma.exported', check=False).strip()
    if stamp != export_stamp(tree):
        return 'commits or cover letter changed since the last export'
    return None


def cmd_list(patches):
    for p in patch_files(patches):
        print(p)


def cmd_status(tree, patches):
    if not os.path.isdir(os.path.join(tree, '.git')):
        print('missing')
        return
    why = unexported_reason(tree)
    if why:
        print(f'unexported: {why}')
        return
    digest = git(tree, 'config', 'ttm-dma.patches', check=False).strip()
    print('current' if digest == patches_digest(patches) else 'stale')


def read_cover(patches):
    """(subject, body) of the cover letter, or None."""
    path = os.path.join(patches, COVER)
    if not os.path.exists(path):
        return None
    with open(path, encoding='utf-8') as fh:
        text = fh.read()
    head, _, rest = text.partition('\n\n')
    subj = re.search(r'^Subject: \[PATCH[^\]]*\] (.*(?:\n [^\n]*)*)',
                     head, re.M)
    if not subj:
        die(f'{path}: no Subject line')
    subject = ' '.join(s.strip() for s in subj.group(1).split('\n'))
    # The body ends where the generated part (shortlog, diffstat) begins.
    body = rest.split('\n-- \n')[0]
    marker = body.find('\n\n' + GENERATED)
    if marker < 0:
        die(f'{path}: no "---" and "Series generated by" lines after the '
            'body: was it edited by hand?')
    return subject, body[:marker].strip('\n')


GENERATED = '---\nSeries generated by'


def cmd_cover_to_tree(patches, tree):
    cover = read_cover(patches)
    if cover:
        subject, body = cover
        git(tree, 'config', f'branch.{branch(tree)}.description',
            f'{subject}\n\n{body}\n')


def cmd_mark_exported(tree, patches):
    git(tree, 'config', 'ttm-dma.exported', export_stamp(tree))
    git(tree, 'config', 'ttm-dma.patches', patches_digest(patches))


def msgid(tip, n):
    return f'<ttm-dma.{tip[:12]}.{n:04d}@localhost>'


def base_text(base):
    if base == BASE_HASH_DEBIAN:
        return BASE_TEXT_DEBIAN
    return f'a tree of your own at {base}'


def run_git(tree, args, env=None, stdin=None):
    r = subprocess.run(['git', '-C', tree, *args], capture_output=True,
                       text=True, input=stdin,
                       env=None if env is None else {**os.environ, **env})
    if r.returncode:
        die(f'git {" ".join(args)} in {tree}: {r.stderr.strip()}')
    return r.stdout


def format_patches(tree, base, tip, outdir):
    git(tree, 'format-patch', '-q', '-n', '--no-signature', '--abbrev=12',
        '--subject-prefix=PATCH', '--no-cover-letter', '-o', outdir,
        f'{base}..{tip}')
    return sorted(os.path.join(outdir, f) for f in os.listdir(outdir)
                  if PATCH_RE.match(f))


def normalize(tree, base, tip):
    """The commits 'git am --committer-date-is-author-date' would make.

    Each exported patch goes through git mailinfo as git am would take
    it (author, date, message); the commit is rebuilt over the same tree,
    committed by the project identity at the author date. Returns the
    new tip; the work tree's files are not touched."""
    tmp = tempfile.mkdtemp(prefix='ttm-dma-norm.')
    try:
        parent = base
        files = format_patches(tree, base, tip, tmp)
        commits = git(tree, 'rev-list', '--reverse',
                      f'{base}..{tip}').split()
        for f, c in zip(files, commits):
            with open(f, encoding='utf-8') as fh:
                mail = fh.read()
            info = run_git(tree, ['mailinfo', os.path.join(tmp, 'msg'),
                                  os.path.join(tmp, 'patch')], stdin=mail)
            hdr = dict(line.split(': ', 1) for line in info.splitlines()
                       if ': ' in line)
            with open(os.path.join(tmp, 'msg'), encoding='utf-8') as fh:
                body = fh.read()
            msg = run_git(tree, ['stripspace'],
                          stdin=f'{hdr["Subject"]}\n\n{body}')
            env = {'GIT_AUTHOR_NAME': hdr['Author'],
                   'GIT_AUTHOR_EMAIL': hdr['Email'],
                   'GIT_AUTHOR_DATE': hdr['Date'],
                   'GIT_COMMITTER_DATE': hdr['Date'],
                   # the project's, whoever runs the export: the commit
                   # ids, and with them the Message-Ids, stay the same
                   'GIT_COMMITTER_NAME': IDENT_NAME,
                   'GIT_COMMITTER_EMAIL': IDENT_EMAIL}
            treeid = git(tree, 'rev-parse', f'{c}^{{tree}}').strip()
            parent = run_git(tree, ['commit-tree', treeid, '-p', parent],
                             env=env, stdin=msg).strip()
        return parent
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cmd_export(tree, patches):
    why = unexported_reason(tree)
    if why and why.startswith(('uncommitted', 'a git am')):
        die(f'{tree}: {why}; commit or stash first')
    base = git(tree, 'rev-parse', '--verify', 'refs/ttm-dma/base').strip()
    tip = git(tree, 'rev-parse', 'HEAD').strip()
    if git(tree, 'rev-list', '--merges', f'{base}..{tip}').strip():
        die(f'{tree}: the series contains merge commits')
    if subprocess.run(['git', '-C', tree, 'merge-base', '--is-ancestor',
                       base, tip]).returncode:
        die(f'{tree}: HEAD does not descend from the base')
    desc = description(tree)
    if not desc:
        die(f'{tree}: no cover letter text; write it with '
            f"'git -C {tree} branch --edit-description' (subject line, "
            'blank line, body)')
    subject, _, body = desc.partition('\n')
    body = body.strip('\n')

    count = int(git(tree, 'rev-list', '--count', f'{base}..{tip}'))
    if count:
        new = normalize(tree, base, tip)
        if new != tip:
            # Same trees, so the index and work tree stay as they are.
            git(tree, 'reset', '-q', '--soft', new)
            print(f'export: commits rewritten as git am makes them '
                  f'({tip[:12]} -> {new[:12]})')
            tip = new

    parent = os.path.dirname(os.path.abspath(patches))
    tmp = tempfile.mkdtemp(prefix='.patches.tmp.', dir=parent)
    try:
        if count:
            format_patches(tree, base, tip, tmp)
        files = sorted(f for f in os.listdir(tmp) if PATCH_RE.match(f))
        if len(files) != count:
            die(f'format-patch wrote {len(files)} files for {count} '
                'commits')
        cover_id = msgid(tip, 0)
        for i, f in enumerate(files, 1):
            p = os.path.join(tmp, f)
            with open(p, encoding='utf-8') as fh:
                text = fh.read()
            first, _, rest = text.partition('\n')
            # git folds a long Subject; b4 0.12 cannot parse a folded one.
            head, sep, msg = rest.partition('\n\n')
            head = re.sub(r'^(Subject: .*)\n ', r'\1 ', head, flags=re.M)
            rest = head + sep + msg
            hdr = (f'Message-Id: {msgid(tip, i)}\n'
                   f'In-Reply-To: {cover_id}\nReferences: {cover_id}\n')
            with open(p, 'w', encoding='utf-8') as fh:
                fh.write(f'{first}\n{hdr}{rest}')

        date = git(tree, 'log', '-1', '--format=%aD', tip).strip()
        shortlog = git(tree, 'shortlog', f'{base}..{tip}') if count else ''
        stat = git(tree, 'diff', '--stat=72', '--summary', base, tip) \
            if count else ''
        cover = [
            f'From {tip} Mon Sep 17 00:00:00 2001',
            f'Message-Id: {cover_id}',
            f'From: {IDENT}',
            f'Date: {date}',
            f'Subject: [PATCH 0/{count}] {subject}',
            'MIME-Version: 1.0',
            'Content-Type: text/plain; charset=UTF-8',
            'Content-Transfer-Encoding: 8bit',
            '',
            body,
            '',
            f'{GENERATED} the ttm-dma project\'s scripts/series.py.',
            f'Base: {base_text(base)} ({base[:12]}).',
            '',
        ]
        if count:
            cover += [shortlog.rstrip('\n'), '', stat.rstrip('\n'), '']
        else:
            cover += ['(no patches yet)', '']
        with open(os.path.join(tmp, COVER), 'w', encoding='utf-8') as fh:
            fh.write('\n'.join(cover) + '\n')
        with open(os.path.join(tmp, 'BASE'), 'w', encoding='utf-8') as fh:
            fh.write(f'{base_text(base)}\nbase-commit: {base}\n')

        old = None
        if os.path.exists(patches):
            old = tempfile.mkdtemp(prefix='.patches.old.', dir=parent)
            os.rmdir(old)
            os.rename(patches, old)
        os.rename(tmp, patches)
        tmp = None
        if old:
            shutil.rmtree(old)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    cmd_mark_exported(tree, patches)
    print(f'export: {count} patches + cover letter in {patches}')


AUTHOR_RE = re.compile(
    r'^\s*([^<>@"]*[^<>@"\s])\s*<([^<>@\s]+@[^<>@\s]+)>\s*$')


def parse_author(author):
    """(name, email) of 'Name <mail>', or die."""
    m = AUTHOR_RE.match(author)
    if not m:
        die(f"AUTHOR='{author}' is not 'Name <mail@host>'")
    return m.group(1), m.group(2)


def get_maintainer(tree, patch):
    """(to, cc) for PATCH from TREE's scripts/get_maintainer.pl:
    maintainers to To, reviewers and lists to Cc."""
    r = subprocess.run(['perl', os.path.join(os.path.abspath(tree), 'scripts',
                                             'get_maintainer.pl'),
                        '--nogit', '--nogit-fallback', '--rolestats',
                        os.path.abspath(patch)],
                       cwd=tree, capture_output=True, text=True)
    if r.returncode:
        err = (r.stderr.strip().splitlines() or ['failed'])[-1]
        die(f'get_maintainer.pl on {os.path.basename(patch)}: {err}')
    to, cc = [], []
    for line in r.stdout.splitlines():
        addr, _, role = line.strip().partition(' (')
        if not addr or '@' not in addr:
            continue
        if role.startswith(('maintainer', 'supporter', 'odd fixer')):
            to.append(addr)
        else:
            cc.append(addr)
    return to, cc


def header_list(name, addrs):
    return f'{name}: ' + ',\n '.join(addrs) + '\n' if addrs else ''


def resign(text, name, mail, to, cc):
    """One mail of the series, signed by NAME <MAIL> instead of the
    project, addressed to TO and CC."""
    head, sep, body = text.partition('\n\n')
    author = f'{name} <{mail}>'
    first, _, head = head.partition('\n')
    lines = []
    for line in head.split('\n'):
        if line == f'From: {IDENT}':
            line = 'From: ' + email.utils.formataddr((name, mail), 'utf-8')
        lines.append(line)
    head = '\n'.join(lines)
    mine = mail.lower()
    to = [a for a in to if mine not in a.lower()]
    cc = [a for a in cc if mine not in a.lower() and a not in to]
    head += '\n' + header_list('To', to).rstrip('\n')
    head += '\n' + header_list('Cc', cc).rstrip('\n')
    head = head.rstrip('\n')
    if not author.isascii() and '\nContent-Type:' not in '\n' + head:
        head += ('\nMIME-Version: 1.0\nContent-Type: text/plain; '
                 'charset=UTF-8\nContent-Transfer-Encoding: 8bit')
    body = re.sub(rf'^Signed-off-by: {re.escape(IDENT)}$',
                  f'Signed-off-by: {author}', body, flags=re.M)
    # the cover letter's shortlog
    body = re.sub(rf'^{re.escape(IDENT_NAME)} (\(\d+\):)$',
                  lambda m: f'{name} {m.group(1)}', body, flags=re.M)
    return f'{first}\n{head}{sep}{body}'


def versioned(text, version):
    """One mail with '[PATCH vVERSION NN/MM]' in its subject."""
    return re.sub(r'^(Subject: \[PATCH) ', rf'\1 v{version} ', text,
                  count=1, flags=re.M)


def cmd_mbox(patches, out, author=None, maintainers=None, version=None):
    if version is not None and not re.fullmatch(r'[2-9]|[1-9][0-9]{1,2}',
                                                version):
        die(f"VERSION='{version}' is not a posting's version, 2 to 999 "
            "(a first posting has none)")
    files = [os.path.join(patches, COVER)] + patch_files(patches)
    if not os.path.exists(files[0]):
        die(f'{patches} has no cover letter (run make export)')
    if author:
        name, mail = parse_author(author)
        gm = os.path.join(maintainers or '', 'scripts', 'get_maintainer.pl')
        if not maintainers or not os.path.isfile(gm):
            die(f'no {gm} to find the recipients with (run make tree)')
    outdir = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(outdir):
        die(f'{outdir}: no such directory')
    texts = []
    for f in files:
        with open(f, encoding='utf-8') as src:
            text = src.read()
        texts.append(text if text.endswith('\n') else text + '\n')
    if author:
        rcpt = [get_maintainer(maintainers, f) for f in files[1:]]
        everyone = ([], [])
        for to, cc in rcpt:
            everyone[0].extend(a for a in to if a not in everyone[0])
            everyone[1].extend(a for a in cc if a not in everyone[1])
        rcpt.insert(0, everyone)
        texts = [resign(t, name, mail, *r) for t, r in zip(texts, rcpt)]
    if version:
        texts = [versioned(t, version) for t in texts]
    fd, tmp = tempfile.mkstemp(prefix='.mbox.', dir=outdir)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as fh:
            for text in texts:
                fh.write(text)
                fh.write('\n')
        os.chmod(tmp, 0o644)
        os.rename(tmp, out)
    except BaseException:
        os.unlink(tmp)
        raise
    signed = f', signed by {name} <{mail}>' if author else ''
    signed += f', as v{version}' if version else ''
    print(f'mbox: {out} ({len(files) - 1} patches + cover letter{signed})')


class Parser(argparse.ArgumentParser):
    """Usage errors are one line, exit status 2."""

    def error(self, message):
        print(f'series.py: error: {message} (series.py -h: usage)',
              file=sys.stderr)
        sys.exit(2)


def parse_args(argv):
    p = Parser(prog='series.py', description=__doc__,
               formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', metavar='COMMAND', required=True,
                           parser_class=Parser)
    sub.add_parser('list').add_argument('patches', metavar='PATCHES')
    for name in ('status', 'mark-exported', 'export'):
        s = sub.add_parser(name)
        s.add_argument('tree', metavar='TREE')
        s.add_argument('patches', metavar='PATCHES')
    s = sub.add_parser('unexported')
    s.add_argument('tree', metavar='TREE')
    s.add_argument('patches', metavar='PATCHES', nargs='?')
    s = sub.add_parser('cover-to-tree')
    s.add_argument('patches', metavar='PATCHES')
    s.add_argument('tree', metavar='TREE')
    s = sub.add_parser('mbox')
    s.add_argument('--author', metavar="'NAME <MAIL>'")
    s.add_argument('--maintainers', metavar='TREE')
    s.add_argument('--version', metavar='N')
    s.add_argument('patches', metavar='PATCHES')
    s.add_argument('out', metavar='OUT')
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    git_environment()
    if getattr(args, 'tree', None) and args.cmd != 'status':
        work_tree(args.tree)
    try:
        if args.cmd == 'list':
            cmd_list(args.patches)
        elif args.cmd == 'status':
            cmd_status(args.tree, args.patches)
        elif args.cmd == 'unexported':
            why = unexported_reason(args.tree)
            if why:
                print(why, file=sys.stderr)
            return 1 if why else 0
        elif args.cmd == 'cover-to-tree':
            cmd_cover_to_tree(args.patches, args.tree)
        elif args.cmd == 'mark-exported':
            cmd_mark_exported(args.tree, args.patches)
        elif args.cmd == 'export':
            cmd_export(args.tree, args.patches)
        elif args.cmd == 'mbox':
            cmd_mbox(args.patches, args.out, args.author, args.maintainers,
                     args.version)
    except OSError as e:
        die(f'{e.filename}: {e.strerror}' if e.filename else str(e))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
