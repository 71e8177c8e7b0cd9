#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge a test VM's console log.

  ktap.py [--name NAME] [--json OUT] [--timeout] [--expect-reports]
          [--known FILE] [--expect FILE --platform PLATFORM] LOG

Reads the KTAP the guest printed (KUnit modules and scripts/guest-init.sh
both print KTAP; several documents may follow each other and kernel
messages may come between their lines), counts every test case (a result
line with no results nested under it: a parameterised KUnit case counts
each parameter), and scans the whole log for kernel reports: WARNING,
BUG, Oops, panics, KASAN, UBSAN, lockdep, kmemleak leaks, DMA-API debug
errors, Xen panics. Each report, a missing end-of-run marker and a
timeout count as one failed case (named 'log: ...'), so a log with a
report can never pass. --expect-reports lists the reports but does not
count them (for the reproduction on the unpatched tree). --known FILE:
reports explained in FILE (scripts/known-reports) are listed, not
counted.

--expect FILE --platform PLATFORM: the run is PLATFORM's VM run and FILE
(scripts/expectations) says which IGT subtests may skip there. An IGT
subtest that skips where it must pass is a failure, and so is a run in
which no subtest of any igt:edu_gpu_dma* suite was executed (passed or
failed). KUnit suites are not governed by FILE: their skips stay skips.

Bad input (a missing log, a malformed --known or --expect file): one
line on stderr, exit status 2.

Prints one line: 'PLATFORM: N passed, N failed[, N skipped]', the failed
cases and reports below it, and exits 1 when anything failed.
"""

import argparse
import fnmatch
import json
import os
import re
import signal
import sys

RESULT = re.compile(
    r'^(?P<indent>\s*)(?P<status>not ok|ok)\s+(?P<num>\d+)\s*(?:-\s*)?'
    r'(?P<name>[^#]*?)\s*(?:#\s*(?P<directive>.*))?$')
SUBTEST = re.compile(r'^\s*#\s*Subtest:\s*(?P<name>.*)$')
KTAP_HEAD = re.compile(r'^\s*(?:KTAP|TAP) version \d+')
# printk timestamps and Xen's console prefix come before the KTAP text.
PREFIX = re.compile(r'^(?:\[\s*\d+\.\d+\]\s?|<\d>)')

REPORTS = [
    ('WARNING', re.compile(r'^\s*WARNING: ')),
    ('BUG', re.compile(r'^\s*BUG: ')),
    ('Oops', re.compile(r'\bOops\b')),
    ('panic', re.compile(r'Kernel panic - not syncing')),
    ('general protection fault', re.compile(r'general protection fault')),
    ('KASAN', re.compile(r'KASAN: ')),
    ('UBSAN', re.compile(r'UBSAN: ')),
    ('lockdep', re.compile(r'INFO: (possible|inconsistent) .*lock')),
    ('kmemleak', re.compile(r'unreferenced object 0x[0-9a-f]+')),
    ('DMA-API', re.compile(r'DMA-API: ')),
    ('hung task', re.compile(r'INFO: task .* blocked for more than')),
    ('RCU stall', re.compile(r'rcu: INFO: .*detected stalls')),
    ('Xen panic', re.compile(r'\(XEN\) .*(Panic on CPU|FATAL)')),
    # CONFIG_DRM_TTM_DEBUG_DMA_OWNERSHIP: an unbalanced ownership transfer.
    ('DMA ownership', re.compile(r'\bttm: DMA ownership:')),
]
# Informational DMA-API debug lines, not reports.
IGNORE = re.compile(r'DMA-API: (preallocated \d+ debug entries|debugging '
                    r'enabled by kernel config)')
OFFSET = re.compile(r'\+0x[0-9a-f]+/0x[0-9a-f]+')
DONE = 'ttm-dma: done'
# The suites whose executed subtests prove that a platform run tested
# the edu device at all.
EDU_SUITES = 'igt:edu_gpu_dma*'
PLATFORMS = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'platforms')


class BadInput(Exception):
    """A user error: reported as one line, exit status 2."""


def parse(lines):
    """Leaf test cases as (suite path, name, status, directive)."""
    cases = []
    # Per indentation level: names from '# Subtest:' and whether a result
    # nested deeper was seen since the last result at this level.
    nested = {}
    failed = {}
    subtest = {}
    for line in lines:
        line = PREFIX.sub('', line.rstrip('\r\n'))
        if KTAP_HEAD.match(line) and not line.startswith(' '):
            nested = {}
            failed = {}
            subtest = {}
            continue
        m = SUBTEST.match(line)
        if m:
            level = (len(line) - len(line.lstrip())) // 4
            subtest[level] = m.group('name').strip()
            continue
        m = RESULT.match(line)
        if not m:
            continue
        level = len(m.group('indent').expandtabs(4)) // 4
        directive = (m.group('directive') or '').strip()
        status = m.group('status')
        if directive.upper().startswith('SKIP'):
            status = 'skip'
        elif status == 'ok':
            status = 'pass'
        else:
            status = 'fail'
        path = [subtest[lv] for lv in sorted(subtest) if lv <= level]
        name = m.group('name').strip()
        if not nested.get(level + 1):
            cases.append(('.'.join(path), name, status, directive))
        elif status == 'fail' and not failed.get(level + 1):
            # A suite that failed while every case passed (its exit
            # check, a crash between cases): one failure of its own.
            cases.append(('.'.join(path), name, 'fail',
                          directive or 'suite failed'))
        nested[level + 1] = failed[level + 1] = False
        nested[level] = True
        failed[level] = failed.get(level) or status == 'fail'
        for lv in [lv for lv in subtest if lv > level]:
            del subtest[lv]
    return cases


def reports(lines):
    """Kernel reports as (kind, line number, first line, block text).

    The block is the report and what follows it up to the next report,
    the end of a trace or a blank line: the call trace or kmemleak
    backtrace, with offsets stripped, for matching known reports."""
    found = []
    for i, raw in enumerate(lines):
        line = PREFIX.sub('', raw)
        for kind, rx in REPORTS:
            if rx.search(line) and not IGNORE.search(line):
                found.append([kind, i + 1, line.strip()[:160], [line.strip()]])
                break
        else:
            if found and len(found[-1][3]) < 80 and found[-1][1] + len(
                    found[-1][3]) == i + 1:
                text = line.strip()
                if not text or text.startswith('---[ end trace'):
                    found[-1][3].append('')
                    continue
                if found[-1][3][-1] != '':
                    found[-1][3].append(OFFSET.sub('', text))
    return [(k, n, t, '\n'.join(b)) for k, n, t, b in found]


def read_lines(path):
    try:
        with open(path, errors='replace', newline='') as fh:
            return fh.read().split('\n')
    except OSError as e:
        raise BadInput(f'{path}: {e.strerror}')


def load_known(path):
    """Known upstream reports: KIND | REGEX | WHY per line."""
    known = []
    for n, line in enumerate(read_lines(path), 1):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        parts = [x.strip() for x in line.split(' | ')]
        if len(parts) != 3 or not all(parts):
            raise BadInput(f'{path}:{n}: want KIND | REGEX | WHY')
        try:
            known.append((parts[0], re.compile(parts[1]), parts[2]))
        except re.error as e:
            raise BadInput(f'{path}:{n}: bad regular expression: {e}')
    return known


def known_platforms():
    """The platform names (platforms/*.conf), or None without that
    directory (a copy of this script elsewhere)."""
    try:
        return sorted(f[:-5] for f in os.listdir(PLATFORMS)
                      if f.endswith('.conf'))
    except OSError:
        return None


def load_expect(path, platforms):
    """Expectation lines, in order, as dicts: where (FILE:LINE), platforms
    (None for '*'), suite and subtest (fnmatch patterns), verdict ('pass'
    or 'skip'), reason.

    A line: PLATFORMS SUITE SUBTEST-GLOB pass|skip  # reason"""
    rules = []
    for n, raw in enumerate(read_lines(path), 1):
        where = f'{path}:{n}'
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        fields, hashmark, reason = line.partition('#')
        fields = fields.split()
        reason = reason.strip()
        if len(fields) != 4:
            raise BadInput(f'{where}: want PLATFORMS SUITE SUBTEST-GLOB '
                           f'pass|skip  # reason, got {len(fields)} fields')
        plats, suite, subtest, verdict = fields
        if verdict not in ('pass', 'skip'):
            raise BadInput(f"{where}: verdict '{verdict}' is neither "
                           f"'pass' nor 'skip'")
        if not hashmark or not reason:
            raise BadInput(f'{where}: no reason (write it after a #)')
        if not suite.startswith('igt:'):
            raise BadInput(f"{where}: suite '{suite}' is not an IGT suite "
                           f"(igt:...); only IGT suites are governed here")
        if plats == '*':
            plats = None
        else:
            plats = plats.split(',')
            for p in plats:
                if not p:
                    raise BadInput(f"{where}: empty platform name in "
                                   f"'{','.join(plats)}'")
                if platforms is not None and p not in platforms:
                    raise BadInput(f"{where}: unknown platform '{p}' "
                                   f"(platforms: {', '.join(platforms)})")
        rules.append({'where': where, 'platforms': plats, 'suite': suite,
                      'subtest': subtest, 'verdict': verdict,
                      'reason': reason})
    return rules


def expect(cases, rules, platform):
    """Apply the expectations to the cases of PLATFORM's run: an IGT
    subtest that skips where it must pass becomes a failure. Returns the
    new cases, the number of edu subtests executed and how many skips
    each rule allowed ({(where, reason): count})."""
    rules = [r for r in rules
             if r['platforms'] is None or platform in r['platforms']]
    out = []
    executed = 0
    allowed = {}
    for suite, name, status, directive in cases:
        if fnmatch.fnmatchcase(suite, EDU_SUITES) and status != 'skip':
            executed += 1
        if suite.startswith('igt:') and status == 'skip':
            rule = next((r for r in rules
                         if fnmatch.fnmatchcase(suite, r['suite']) and
                         fnmatch.fnmatchcase(name, r['subtest'])), None)
            if rule is None:
                status = 'fail'
                directive = (f'SKIP where it must pass (no line of the '
                             f'expectations lets it skip on {platform})')
            elif rule['verdict'] == 'pass':
                status = 'fail'
                directive = (f'SKIP where it must pass ({rule["where"]}: '
                             f'{rule["reason"]})')
            else:
                key = (rule['where'], rule['reason'])
                allowed[key] = allowed.get(key, 0) + 1
        out.append((suite, name, status, directive))
    return out, executed, allowed


class Parser(argparse.ArgumentParser):
    def error(self, message):
        """Usage errors in one line, as every other bad input."""
        self.exit(2, f'{self.prog}: error: {message} (see --help)\n')


def main():
    ap = Parser(prog='ktap.py')
    ap.add_argument('log')
    ap.add_argument('--name', default='vm')
    ap.add_argument('--json')
    ap.add_argument('--timeout', action='store_true',
                    help='the VM was stopped by the harness timeout')
    ap.add_argument('--expect-reports', action='store_true')
    ap.add_argument('--known', help='file of known upstream reports')
    ap.add_argument('--expect', metavar='FILE',
                    help='which IGT subtests may skip on which platform')
    ap.add_argument('--platform',
                    help='the platform of this run (with --expect)')
    args = ap.parse_args()
    if bool(args.expect) != bool(args.platform):
        ap.error('--expect and --platform go together')

    try:
        if args.json:
            d = os.path.dirname(os.path.abspath(args.json))
            if not os.path.isdir(d):
                raise BadInput(f'{args.json}: no directory {d} to write '
                               'the results to')
        rules = None
        if args.expect:
            platforms = known_platforms()
            if platforms is not None and args.platform not in platforms:
                raise BadInput(f"unknown platform '{args.platform}' "
                               f"(platforms: {', '.join(platforms)})")
            rules = load_expect(args.expect, platforms)
        known = load_known(args.known) if args.known else []
        # Xen's console ends lines with \r\r\n: split on \n only.
        lines = [line.rstrip('\r') for line in read_lines(args.log)]
    except BadInput as e:
        print(f'ktap.py: error: {e}', file=sys.stderr)
        return 2
    cases = parse(lines)
    reps = reports(lines)
    unknown, matched = [], {}
    for rep in reps:
        why = next((w for k, rx, w in known
                    if k == rep[0] and rx.search(rep[3])), None)
        if why:
            matched[(rep[0], why)] = matched.get((rep[0], why), 0) + 1
        else:
            unknown.append(rep)
    extra = []
    allowed = {}
    if rules is not None:
        cases, executed, allowed = expect(cases, rules, args.platform)
        if not executed:
            extra.append(('log', f'no subtest of any {EDU_SUITES} suite was '
                          f'executed on {args.platform} (none passed or '
                          f'failed)', 'fail', ''))
    if not args.expect_reports:
        extra += [('log', f'{k} (line {n}): {t}', 'fail', '')
                  for k, n, t, _ in unknown]
    if args.timeout:
        extra.append(('log', 'timeout: the VM did not finish in time',
                      'fail', ''))
    elif not any(DONE in line for line in lines):
        extra.append(('log', 'the guest did not reach the end of its test '
                      'list (crash or early exit)', 'fail', ''))
    if not cases:
        extra.append(('log', 'no test results in the log', 'fail', ''))
    allc = cases + extra
    n = {s: sum(1 for c in allc if c[2] == s)
         for s in ('pass', 'fail', 'skip')}
    # The result file first: make check counts it, whatever happens to
    # our standard output.
    if args.json:
        keys = ('suite', 'name', 'status', 'directive')
        result = {
            'platform': args.name, 'counts': n,
            'cases': [dict(zip(keys, c)) for c in allc],
            'reports': [dict(zip(('kind', 'line', 'text'), r[:3]))
                        for r in unknown],
            'known': [{'kind': k, 'why': w, 'count': c}
                      for (k, w), c in matched.items()],
            'skips_allowed': [{'where': k, 'why': w, 'count': c}
                              for (k, w), c in allowed.items()],
        }
        try:
            with open(args.json, 'w') as fh:
                json.dump(result, fh, indent=1)
        except OSError as e:
            print(f'ktap.py: error: {args.json}: {e.strerror}',
                  file=sys.stderr)
            return 2
    summary = f'{args.name}: {n["pass"]} passed, {n["fail"]} failed'
    if n['skip']:
        summary += f', {n["skip"]} skipped'
    print(summary)
    fails = [c for c in allc if c[2] == 'fail']
    for suite, name, status, directive in fails[:25]:
        print(f'  FAIL {suite + "." if suite else ""}{name}'
              f'{" # " + directive if directive else ""}')
    if len(fails) > 25:
        print(f'  ... and {len(fails) - 25} more failures')
    for (kind, why), count in sorted(matched.items()):
        print(f'  known upstream {kind} report x{count}: {why}')
    for (where, why), count in sorted(allowed.items()):
        print(f'  skip allowed x{count} by {where}: {why}')
    if args.expect_reports:
        for k, ln, t, _ in unknown[:40]:
            print(f'  report (expected here) line {ln}: {t}')
    return 1 if n['fail'] else 0


if __name__ == '__main__':
    # Quietly end, as any filter, when the reader goes away (| head).
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
