#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""results.py: what the JSON results of a run directory add up to.

  results.py summary DIR   'N passed, N failed[, N skipped]' over every
                           DIR/*.json that scripts/ktap.py wrote; exits 1
                           when one failed or none passed (make check's
                           last line and exit status)
"""

import argparse
import glob
import json
import os
import sys


class UserError(Exception):
    pass


def summary(d):
    if not os.path.isdir(d):
        raise UserError(f"no results directory {d}")
    tot = {"pass": 0, "fail": 0, "skip": 0}
    for path in sorted(glob.glob(os.path.join(d, "*.json"))):
        try:
            with open(path) as f:
                counts = json.load(f)["counts"]
            for k in tot:
                tot[k] += int(counts.get(k, 0))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            # a result cut short counts as a failure, never as nothing
            tot["fail"] += 1
            print(f"results.py: {path}: not a result file",
                  file=sys.stderr)
    line = f"{tot['pass']} passed, {tot['fail']} failed"
    if tot["skip"]:
        line += f", {tot['skip']} skipped"
    print(line)
    return 1 if tot["fail"] or not tot["pass"] else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("summary", help="the counts over DIR/*.json")
    s.add_argument("dir")
    args = ap.parse_args(argv)
    try:
        return summary(args.dir)
    except UserError as e:
        print(f"results.py: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
