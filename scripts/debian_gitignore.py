#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""debian_gitignore.py FILE: undo Debian's hunk of a kernel .gitignore.

The kernel tree of Debian's linux-source package has a .gitignore whose
last block ignores every top-level entry but debian/ (their packaging
repository does not hold the kernel). In a kernel git tree that would
hide every new file of the series, so scripts/base.sh removes the block:
from its '# Debian packaging' comment (and the bare '#' line above it)
through '!/debian/'. FILE is rewritten in place; a file without the
block is an error and stays as it is.
"""

import argparse
import os
import sys


def undo(lines):
    """lines without Debian's block; ValueError when it is not there."""
    start = next((i for i, ln in enumerate(lines)
                  if ln.startswith("# Debian packaging")), None)
    if start is None:
        raise ValueError("no '# Debian packaging' block")
    try:
        end = lines.index("!/debian/", start)
    except ValueError:
        raise ValueError("no '!/debian/' line after '# Debian packaging'")
    if start > 0 and lines[start - 1] == "#":
        start -= 1
    return lines[:start] + lines[end + 1:]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", help="the tree's .gitignore")
    args = ap.parse_args(argv)
    try:
        with open(args.file) as f:
            lines = f.read().split("\n")
        text = "\n".join(undo(lines))
        tmp = args.file + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, args.file)
    except OSError as e:
        print(f"debian_gitignore.py: {args.file}: {e.strerror}",
              file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"debian_gitignore.py: {args.file}: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
