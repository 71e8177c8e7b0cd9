// SPDX-License-Identifier: GPL-2.0
//
// The sites of make mutants (scripts/mutants.py): every call that hands
// TT pages between CPU and device, or that records or checks who owns
// them (CONFIG_DRM_TTM_DEBUG_DMA_OWNERSHIP). One line per call:
//   FILE <tab> LINE <tab> COLUMN (0-based) <tab> ENCLOSING FUNCTION <tab> CALLEE
// scripts/mutants.py chooses the files (TTM and the GEM-TTM helpers).
//
// Which functions count: NAMES (exact) and PATTERNS (Python regular
// expressions, whole name) below, but not NOT_NAMES. Adjust them here
// when the series renames or adds transfer points. (No apostrophe in the Python parts,
// comments included: Coccinelle's lexer takes it for a C character.)
//
// By hand, in a kernel tree:
//   spatch --very-quiet --no-includes --sp-file ownership-sites.cocci FILE...

@initialize:python@
@@
import re

NAMES = [
    "ttm_tt_sync_for_cpu",
    "ttm_tt_sync_for_device",
    "ttm_pool_sync",
]
PATTERNS = [
    r"dma_sync_\w+",        # the DMA API: its transfers
    r"ttm_tt_assert_\w+",   # the debug check: assertions
    r"ttm_tt_owner_\w+",    # the debug check: transfer points
]
# Matched by PATTERNS but no transfer or check: the tracking state of a
# tt is set up, looked up and freed (a missing free is a leak only
# kmemleak sees; the lookup returns the state the transfers and checks
# then use, and without it the file does not compile).
NOT_NAMES = [
    "ttm_tt_owner_init",
    "ttm_tt_owner_fini",
    "ttm_tt_owner_track",
]
SITE = re.compile("^(?!(?:%s)$)(?:%s)$" % (
    "|".join(re.escape(n) for n in NOT_NAMES),
    "|".join([re.escape(n) for n in NAMES] + PATTERNS)))


def emit(p, f):
    print("\t".join(str(x) for x in (p[0].file, p[0].line, p[0].column,
                                      p[0].current_element, f)))

@call@
identifier f : script:python() { SITE.match(f) is not None };
expression list args;
position p;
@@
f@p(args)

@script:python@
f << call.f;
p << call.p;
@@
emit(p, f)
