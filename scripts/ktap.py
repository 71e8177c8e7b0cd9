#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge a test VM's console log.

  ktap.py [--name PLATFORM] [--json OUT] [--timeout] [--expect-reports] LOG

Reads the KTAP the guest printed (KUnit modules and scripts/guest-init.sh
both print KTAP; several documents may follow each other and kernel
messages may come between their lines), counts every test case (a result
line with no results nested under it: a parameterised KUnit case counts
each parameter), and scans the whole log for kernel reports: WARNING,
BUG, Oops, panics, KASAN, UBSAN, lockdep, kmemleak leaks, DMA-API debug
errors, Xen panics. Each report, a missing end-of-run marker and a
timeout count as one failed case (named 'log: ...'), so a log with a
report can never pass. --expect-reports lists the reports but does not
count them (for the reproduction on the unpatched tree).

Prints one line: 'PLATFORM: N passed, N failed[, N skipped]', the failed
cases and reports below it, and exits 1 when anything failed.
"""

import argparse
import json
import re
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
]
# Informational DMA-API debug lines, not reports.
IGNORE = re.compile(r'DMA-API: (preallocated \d+ debug entries|debugging '
                    r'enabled by kernel config)')
OFFSET = re.compile(r'\+0x[0-9a-f]+/0x[0-9a-f]+')
DONE = 'ttm-dma: done'


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


def load_known(path):
    """Known upstream reports: KIND | REGEX | WHY per line."""
    known = []
    with open(path) as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            parts = [x.strip() for x in line.split(' | ')]
            if len(parts) != 3:
                sys.exit(f'{path}:{n}: want KIND | REGEX | WHY')
            known.append((parts[0], re.compile(parts[1]), parts[2]))
    return known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('log')
    ap.add_argument('--name', default='vm')
    ap.add_argument('--json')
    ap.add_argument('--timeout', action='store_true',
                    help='the VM was stopped by the harness timeout')
    ap.add_argument('--expect-reports', action='store_true')
    ap.add_argument('--known', help='file of known upstream reports')
    args = ap.parse_args()

    # Xen's console ends lines with \r\r\n: split on \n only.
    with open(args.log, errors='replace', newline='') as fh:
        lines = [line.rstrip('\r') for line in fh.read().split('\n')]
    cases = parse(lines)
    reps = reports(lines)
    known = load_known(args.known) if args.known else []
    unknown, matched = [], {}
    for rep in reps:
        why = next((w for k, rx, w in known
                    if k == rep[0] and rx.search(rep[3])), None)
        if why:
            matched[(rep[0], why)] = matched.get((rep[0], why), 0) + 1
        else:
            unknown.append(rep)
    extra = []
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
    n = {s: sum(1 for c in allc if c[2] == s) for s in ('pass', 'fail', 'skip')}
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
    if args.expect_reports:
        for k, ln, t, _ in unknown[:40]:
            print(f'  report (expected here) line {ln}: {t}')
    if args.json:
        with open(args.json, 'w') as fh:
            json.dump({'platform': args.name, 'counts': n,
                       'cases': [dict(zip(('suite', 'name', 'status',
                                            'directive'), c)) for c in allc],
                       'reports': [dict(zip(('kind', 'line', 'text'), r[:3]))
                                   for r in unknown],
                       'known': [{'kind': k, 'why': w, 'count': c}
                                 for (k, w), c in matched.items()]},
                      fh, indent=1)
    return 1 if n['fail'] else 0


if __name__ == '__main__':
    sys.exit(main())
