#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make unit: the harness's own tests (scripts/tests/test_*.py), then
# flake8 and ShellCheck, as 'make check' runs them (its "harness
# self-tests" step),
# judged by scripts/ktap.py: 'unit: N passed, N failed[, N skipped]' and
# the failed cases; the KTAP and the tests' output in build/unit. Under a
# minute; no kernel, no VM.

. "$(dirname "$0")/../lib.sh"

need python3 flake8 shellcheck
out=$BUILD/unit
mkdir -p "$out"
python3 "$TOP/scripts/tests/ktap_run.py" --lint >"$out/unit.ktap" 2>"$out/unit.log" || true
echo "ttm-dma: done" >>"$out/unit.ktap"
exec "$TOP/scripts/ktap.py" --name unit --json "$out/unit.json" "$out/unit.ktap"
