#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench_report.py: docs/bench.md and its SVG plots from the console logs
of scripts/bench.sh (one directory RUNS/PLATFORM-TREE per VM run, holding
console.log with the ttm_bench module's 'ttm_bench: R ...' lines).

Prints the headline ratios last. With --quick, exits 1 unless every run
loaded the module, finished, and every measurement gave a number."""

import argparse
import datetime
import math
import os
import platform as hostplatform
import re
import shlex
import subprocess
import sys

MIB = 1 << 20
BACKENDS = {
    "base": ["streaming", "coherent"],
    "series": ["auto", "streaming", "dma-pages"],
}
LABEL = {
    ("base", "streaming"): "base streaming",
    ("base", "coherent"): "base band-aid",
    ("series", "auto"): "series auto",
    ("series", "streaming"): "series streaming",
    ("series", "dma-pages"): "series dma-pages",
}
PLATDESC = {
    "x86-nobounce": (
        "x86_64 PVH guest, 2 GiB, no swiotlb (`swiotlb=noforce`): nothing"
        " bounces"
    ),
    "x86": (
        "x86_64 PVH guest, 2 GiB, `swiotlb=force`: streaming mappings bounce"
    ),
    "xen": "Xen 4.17 PV dom0, 1 GiB, `swiotlb=force` (swiotlb-xen)",
    "arm64-nc": (
        "arm64 virt, 2 GiB, PCIe without `dma-coherent`: non-coherent DMA"
        " (KASAN kernel)"
    ),
}


# What the hand-over figures call the kernels (--kconfig).
KERNEL_KIND = {
    "test": "debug kernel",
    "debug": "debug kernel",
    "nodebug": "kernel without CONFIG_DMA_API_DEBUG",
}
KCONFIG_DESC = {
    "test": (
        "the test kernels of `configs/`: CONFIG_DMA_API_DEBUG, lockdep, the"
        " series' DMA ownership debug and, on arm64, KASAN are built in; the"
        " runs boot with `dma_debug=off kmemleak=off`"
    ),
    "debug": (
        "`BENCH_KCONFIG=debug`: the test kernels' options (DMA-API"
        " debugging, lockdep, the series' DMA ownership debug, KASAN on"
        " arm64) without the GPU drivers, plus configs/perf.config; the runs"
        " boot with `dma_debug=off kmemleak=off`"
    ),
    "nodebug": (
        "`BENCH_KCONFIG=nodebug`: configs/common.config and the"
        " architecture's fragment only, plus configs/perf.config (eventfd,"
        " tracepoints): no DMA-API debugging, lockdep, kmemleak, ownership"
        " debug or KASAN, as a distribution kernel"
    ),
}


def parse_line(line):
    m = re.search(r"ttm_bench: R (\S+)(.*)$", line)
    if not m:
        return None
    rec = {"kind": m.group(1)}
    try:
        words = shlex.split(m.group(2))
    except ValueError:
        words = m.group(2).split()
    for w in words:
        if "=" in w:
            k, v = w.split("=", 1)
            rec[k] = v
    return rec


# Kernel reports in a console log: a WARN_ON() prints "cut here", its
# message, then "WARNING: file:line at function" (older kernels:
# "WARNING: CPU: n PID: n at file:line"); the others are one line.
WARN_AT_RE = re.compile(r"WARNING: (?:CPU: \d+ PID: \d+ at )?(\S+:\d+)")
REPORT_RE = re.compile(
    r"(WARNING: .*|BUG: .*|Oops: .*|Kernel panic - .*|general protection"
    r" fault.*|UBSAN: .*)"
)


def kernel_reports(lines):
    """{report: count} for the kernel's warnings and errors in a console
    log; a WARN_ON() as "WARNING: file:line: message"."""
    out = {}
    after_cut, msg = False, None
    for raw in lines:
        line = re.sub(r"^\[\s*\d+\.\d+\]\s*", "", raw.rstrip("\n"))
        if "[ cut here ]" in line:
            after_cut, msg = True, None
            continue
        at = WARN_AT_RE.search(line)
        rep = REPORT_RE.search(line)
        if after_cut and msg is None and not rep:
            msg = line.strip()
            continue
        if at:
            loc = re.sub(r"^(\.\./)*(linux/)?", "", at.group(1))
            text = f"WARNING: {loc}" + (f": {msg}" if msg else "")
        elif rep:
            text = rep.group(1).strip()
        else:
            after_cut, msg = False, None
            continue
        out[text] = out.get(text, 0) + 1
        after_cut, msg = False, None
    return out


def load(runs, plat, tree):
    d = os.path.join(runs, f"{plat}-{tree}")
    path = os.path.join(d, "console.log")
    if not os.path.exists(path):
        return None
    recs = []
    with open(path, errors="replace") as f:
        lines = f.readlines()
    for line in lines:
        r = parse_line(line)
        if r:
            recs.append(r)
    secs = None
    try:
        secs = int(open(os.path.join(d, "seconds")).read())
    except (OSError, ValueError):
        pass
    return {"recs": recs, "seconds": secs, "reports": kernel_reports(lines)}


class Run:
    def __init__(self, data):
        self.recs = data["recs"] if data else []
        self.seconds = data["seconds"] if data else None
        self.reports = data.get("reports", {}) if data else {}
        self.info = next((r for r in self.recs if r["kind"] == "info"), {})
        self.done = next((r for r in self.recs if r["kind"] == "done"), None)

    def find(self, kind, **kw):
        for r in self.recs:
            if r["kind"] == kind and all(
                r.get(k) == str(v) for k, v in kw.items()
            ):
                return r
        return None

    def all(self, kind):
        return [r for r in self.recs if r["kind"] == kind]


def ns(r):
    if not r or "median_ns" not in r:
        return None
    return int(r["median_ns"])


def mibps(size, t):
    return size / MIB / (t / 1e9) if t else None


def spread(r):
    med, lo, hi = int(r["median_ns"]), int(r["min_ns"]), int(r["max_ns"])
    return 100.0 * (hi - lo) / med if med else 0.0


def fmt_rate(r, size, allocs=False):
    """MiB/s ± spread; with allocs, also allocations per second."""
    if r is None:
        return "n/a"
    if "error" in r:
        return f'fails ({r["error"]})'
    v = mibps(size, int(r["median_ns"]))
    a = f" ({1e9 / int(r['median_ns']):,.0f}/s)" if allocs else ""
    return f"{v:,.0f}{a} ±{spread(r):.0f}%"


def cma_text(r):
    """One setup's CMA line (R cma), or None where it was not measured."""
    if not r or "cma_pages_peak" not in r:
        return None
    if int(r["size"]) == 0:
        return "no CMA area"
    return (
        f'{int(r["cma_pages_peak"]):,} of {int(r["cma_free"]):,} free'
        f' ({fmt_size(int(r["size"]))} in 2 MiB tts'
        + (
            f', allocation failed: {r["alloc_error"]}'
            if r.get("alloc_error", "0") != "0"
            else ""
        )
        + ")"
    )


def cma_summary(runs, plats):
    """Series auto and the base's band-aid, on platforms with CMA."""
    parts = []
    for p in plats:
        for t, b, what in (("series", "auto", "series auto"),
                           ("base", "coherent", "base band-aid")):
            run = runs.get((p, t))
            r = run.find("cma", backend=b) if run else None
            text = cma_text(r)
            if text and int(r["size"]):
                parts.append(f"{p} {what} {text}")
    return "; ".join(parts) or "no platform with a CMA area"


def out_in_table(runs, p, setups, out_key, in_key, out_name, in_name):
    """A table of a two-way copy (swap-out and swap-in, backup and
    restore): MiB/s each way and both against the base's streaming pool."""
    L = [
        f"| setup | tt | {out_name} MiB/s | {in_name} MiB/s | {out_name} +"
        f" {in_name} ÷ base streaming |",
        "|---|---|---|---|---|",
    ]
    ref = pair_ns(runs.get((p, "base")), "streaming", out_key, in_key)
    for t, b in setups:
        ro = runs[(p, t)].find(out_key, backend=b)
        ri = runs[(p, t)].find(in_key, backend=b)
        if not ro and not ri:
            continue
        if ro and "refused" in ro:
            L.append(f"| {LABEL[(t, b)]} | {fmt_size(int(ro['size']))} |"
                     f" refused ({ro['refused']}) | - | - |")
            continue
        bad = [r for r in (ro, ri) if r and "median_ns" not in r]
        if bad or not ro or not ri:
            err = bad[0].get("error") if bad else "no result"
            size = int((bad[0] if bad else ro or ri)["size"])
            L.append(f"| {LABEL[(t, b)]} | {fmt_size(size)} |"
                     f" fails ({err}) | - | - |")
            continue
        size = int(ro["size"])
        rat = fmt_ratio(ratio(ns(ro) + ns(ri), ref)) if ref else "-"
        L.append(
            f"| {LABEL[(t, b)]} | {fmt_size(size)} |"
            f" {mibps(size, ns(ro)):,.0f} | {mibps(size, ns(ri)):,.0f} |"
            f" {rat} |"
        )
    return L


def copy_section(runs, p, setups, title, keys, note):
    """A heading, the out_in_table() of keys (out, in, and their names)
    and a note."""
    return (["", f"### {title}", ""] + out_in_table(runs, p, setups, *keys)
            + ["", note, ""])


def pair_ns(run, backend, out_key="backup", in_key="restore"):
    """Median backup + restore (or swap-out + swap-in) time, or None."""
    if not run:
        return None
    a = ns(run.find(out_key, backend=backend))
    b = ns(run.find(in_key, backend=backend))
    return a + b if a is not None and b is not None else None


def backup_summary(runs, plats):
    """Backup + restore per platform: the series' setups against the
    base's streaming pool, and what the base's band-aid did."""
    parts = []
    for p in plats:
        base, ser = runs.get((p, "base")), runs.get((p, "series"))
        if not ser or not ser.find("backup", backend="auto"):
            continue
        ref = pair_ns(base, "streaming")
        items = []
        for b in ("auto", "dma-pages"):
            t = pair_ns(ser, b)
            if t is None:
                items.append(f"{b} fails")
            elif ref:
                items.append(f"{b} {fmt_ratio(ratio(t, ref))}")
            else:
                why = "base streaming fails" if base else "no base run"
                items.append(f"{b} ({why})")
        bad = base.find("backup", backend="coherent") if base else None
        if bad and "refused" in bad:
            items.append(f"base band-aid refused ({bad['refused']})")
        parts.append(f"{p} " + ", ".join(items))
    return "; ".join(parts) or "not measured"


def fmt_size(size):
    if size >= MIB:
        return f"{size // MIB} MiB"
    return f"{size // 1024} KiB"


def ratio(a, b):
    """a over b for throughputs given as times: time(b) / time(a)."""
    if a is None or b is None or a <= 0:
        return None
    return b / a


def fmt_ratio(x):
    return "n/a" if x is None else f"{x:.2f}x"


def geomean(xs):
    xs = [x for x in xs if x]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def limit_ns(run, size):
    """The allocator limit at SIZE: alloc+clear+map where the device's
    mappings do not bounce, alloc+clear elsewhere."""
    r = run.find("limit", backend="alloc+clear+map", size=size) or run.find(
        "limit", backend="alloc+clear", size=size
    )
    return ns(r), (r or {}).get("backend", "")


def runs_of(run):
    """The numbers of timed runs behind the medians of a VM run."""
    n = sorted({int(r["runs"]) for r in run.recs if "runs" in r}, reverse=True)
    return "/".join(str(x) for x in n) or "?"


def verdict(r):
    """What a kernel without CONFIG_DMA_API_DEBUG would call: the device's
    dma_skip_sync flag, which dma_dev_need_sync() ignores only with the
    debug option."""
    if "skip_sync" not in r:
        return "not recorded"
    if r["skip_sync"] == "1":
        return "0 calls (dma_skip_sync set)"
    return f'{r["dma_sync_calls_per_run"]} calls (syncs needed)'


# Why a goal is missed: what the code does, found by reading the paths
# the figures point to (see docs/bench.md's goal table).
REASONS = {
    "warm": (
        "Warm pool: the pool's pages are cleared when they are given back"
        " to the pool (ttm_pool_type_give(), upstream), so a warm"
        " alloc+free cycle costs one clear_page() per page, like the"
        " limit; a small tt (4 KiB) adds the fixed cost of"
        " ttm_pool_alloc()'s bookkeeping, which the limit does not have."
    ),
    "cold": (
        "Cold pool: an alloc+free cycle of a pool that keeps its pages"
        " (dma-pages, the band-aid, and write-combined pages on x86) zeroes"
        " each page twice: once when it is allocated (dma_alloc_pages() and"
        " dma_alloc_attrs() always zero; __GFP_ZERO for the page"
        " allocator), once when it is freed into the pool"
        " (ttm_pool_type_give() clears pages before pooling them, upstream),"
        " for the next user; the limit zeroes once. Each hand-out still"
        " gets its pages zeroed once (the 'clear_page()s ZERO_ALLOC adds'"
        " column: 0 for dma-pages, whose pages the DMA layer zeroed, 1 for"
        " streaming). Write-combined cold allocations on x86 add"
        " set_pages_array_wc() (page attribute changes, TLB and cache"
        " flushes). On Xen PV the DMA layer's allocation also exchanges the"
        " memory with the hypervisor for machine-contiguous frames"
        " (xen_create_contiguous_region()), which TCG counts as guest"
        " instructions too. Not a cost the series adds: the base's band-aid"
        " pays the same (its column), and a pool that does not keep pages"
        " (streaming, cached) reaches the limit."
    ),
    "slots": (
        "swiotlb slots: see the memory tables; a non-zero count with the"
        " automatic choice is a series bug."
    ),
    "slab": (
        "Slab bytes: see the memory tables; the series keeps the DMA"
        " address in page->private, so any growth is noise from other"
        " kernel activity during the measurement."
    ),
    "dma-pages": (
        "dma-pages against the base's streaming path: on platforms where"
        " streaming mappings bounce, the base's streaming pool fails above"
        " the swiotlb segment size (256 KiB) or copies every page through"
        " swiotlb, so the comparison only has the small sizes; on x86"
        " without bounce, dma-pages pays the cold double zeroing described"
        " above, which streaming cached pages (not pooled) do not. Profiled"
        " (docs/bench-profile-2048k-cold-nodebug.md, a fresh pool for each"
        " 2 MiB alloc+free): dma-pages and the band-aid take 4.30 ms a loop"
        " against 2.16 ms for streaming, half of it in dma_direct_alloc"
        "_pages() or dma_direct_alloc() (the DMA layer zeroing the chunk)"
        " and half in ttm_pool_unmap_and_free() (the clear of"
        " ttm_pool_type_give(), inlined); streaming spends 98.5% in"
        " clear_highpages_kasan_tagged() (__GFP_ZERO) and frees to the page"
        " allocator. The clear on freeing into the pool is upstream's choice"
        " (zeroed pages ready for the next allocation, off its path), not"
        " the series'. On"
        " arm64-nc the DMA layer writes every new dma-pages chunk back"
        " from the CPU caches (arch_dma_prep_coherent(), a cache"
        " maintenance instruction per line) because the device does not"
        " snoop; the automatic choice takes streaming there."
    ),
    "auto": (
        "Series auto against the base's streaming path on x86 without bounce:"
        " both take the same streaming allocation and run at the same MiB/s"
        " from 64 KiB up; the cells just under 1.0x are 4 KiB tts, where the"
        " series costs a fixed number of guest instructions more per"
        " ttm_pool_alloc() + ttm_pool_free(). Under -icount that number is"
        " exact and the same in every run: v6 took 74 more than the base"
        " (9856 against 9782 guest ns, cached, these debug kernels), v7 37"
        " (9819). Found by removing the series' code on that path one piece"
        " at a time and measuring again (BENCH_QUICK=1"
        " BENCH_PLATFORMS=x86-nobounce): v6 asked the exported"
        " dma_dev_is_coherent() for every cached tt (16 instructions; v7"
        " decides once, in ttm_pool_init()), and the restore path's second"
        " call of ttm_pool_map() kept gcc from inlining it into the"
        " allocation loop (21; v7's restore takes the chunk's recorded DMA"
        " address). Of the 37 left, 11 are the ownership debug's reset of"
        " its per-page counts (CONFIG_DRM_TTM_DEBUG_DMA_OWNERSHIP, debug"
        " kernels only), about 12 the weight of the restore branch on the"
        " loop's register allocation, and 14 the series' own tests (map"
        " order, chunk alignment, the hand-over at the end): 0.4% of a"
        " 4 KiB allocation, shown as 1.00x. The perf profile of v6"
        " (docs/bench-profile-4k-warm-nodebug.md, kernels without the debug"
        " options, 6038 against 5979 guest ns per alloc+free loop) had"
        " zeroing the page (clear_highpages_kasan_tagged(), __GFP_ZERO) at"
        " 55 to 85% of the samples in both trees and no function of the"
        " series standing out: a difference this small is spread too thin"
        " for sampling, which is why it was measured by removal. A cold"
        " write-combined 4 KiB cell can fall further in one run (0.92x"
        " once): set_pages_array_wc() flushes TLBs and caches on both vCPUs"
        " and its cost moves between runs by more than that; in the same"
        " run series streaming, which takes auto's path there, measured"
        " 1.00x."
    ),
    "coherent": (
        "dma-pages against the band-aid on Xen PV: both allocate through"
        " xen-swiotlb and cost the same per MiB from 64 KiB up; the cells"
        " below 1.0x are small warm allocations. Profiled with perf in the"
        " guest on kernels without the debug options, v5 took 5952 against"
        " 5421 guest ns per 4 KiB alloc+free loop (0.91x; 0.90x in"
        " docs/bench-nodebug.md), and ttm_pool_sync() with the swiotlb-xen"
        " sync under it (__dma_sync_single_for_device(),"
        " xen_swiotlb_find_pool(), xen_swiotlb_sync_single_for_device(),"
        " mfn_to_pfn()) took 5 to 9% of the samples: the hand-over to the"
        " device at the end of the allocation reached swiotlb-xen, which"
        " found no bounce buffer, because the DMA layer let only dma-direct"
        " and dma-iommu devices skip their syncs (dma_skip_sync). Series v6"
        " fixes that in the DMA layer (patches 12-13: DMA_F_CAN_SKIP_SYNC,"
        " set by swiotlb-xen): 5519 against 5423 ns (0.98x,"
        " docs/bench-profile-4k-warm-nodebug.md), no sync function in the"
        " profile, and 0 instead of 8 DMA-API calls per hand-over pair; what"
        " is left is spread over the pool's bookkeeping, within the spread of"
        " small functions' shares between runs (TCG delivers the sampling"
        " interrupt at the end of a translated block). On the debug test"
        " kernels the gap is wider (docs/bench.md): CONFIG_DMA_API_DEBUG"
        " makes every sync reach the DMA layer, and the ownership debug of"
        " CONFIG_DRM_TTM_DEBUG_DMA_OWNERSHIP adds its bookkeeping."
    ),
    "zero": (
        "Zeroing: the DMA layer zeroes what dma_alloc_pages() returns, and"
        " TTM adds no clear of its own there (0.00 in the memory tables);"
        " streaming pages come from the page allocator with __GFP_ZERO"
        " (1.00): each page handed out is zeroed once. A cold alloc+free"
        " cycle zeroes pooled pages a second time when they are freed into"
        " the pool (see the cold pool). The base's band-aid on Xen PV adds"
        " a clear to an allocation the DMA layer had zeroed (1.00 in its"
        " column); the series does not. Figures within 0.15 of 0 or 1 are"
        " read as met (the figure is a difference of two timings; on"
        " arm64-nc the DMA layer's cache maintenance adds noise)."
    ),
    "sync": (
        "Hand-overs: on the test kernels (CONFIG_DMA_API_DEBUG),"
        " dma_dev_need_sync() is always true, so every dma_sync_single_for_*()"
        " reaches the DMA layer, and the device's dma_skip_sync flag (last"
        " column) is what a kernel without the option tests; on kernels"
        " without"
        " it (docs/bench-nodebug.md, BENCH_KCONFIG=nodebug) the count is"
        " measured: 0 calls per pair. The series calls ttm_pool_sync() only"
        " where dma_dev_need_sync() says so."
    ),
}


def host_info():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        qemu = subprocess.run(
            ["qemu-system-x86_64", "--version"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.splitlines()[0]
    except (OSError, IndexError):
        qemu = "QEMU (version unknown)"
    return (
        f"{hostplatform.machine()}, {cpu}, {os.cpu_count()} CPUs; {qemu}, TCG"
    )


def plots(outdir, name, plats, runs, trees):
    """SVG plots: throughput against tt size per setup, chunk orders."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return (
            [],
            (
                "matplotlib missing (apt-get install python3-matplotlib): no"
                " plots"
            ),
        )
    files = []
    for p in plats:
        fig, ax = plt.subplots(figsize=(7, 4.2))
        drawn = False
        for t in trees:
            run = runs.get((p, t))
            if not run:
                continue
            for b in BACKENDS[t]:
                pts = {}
                for r in run.all("alloc") + run.all("scale"):
                    if (
                        r.get("backend") == b
                        and r.get("caching") == "cached"
                        and r.get("state") == "cold"
                        and "median_ns" in r
                    ):
                        pts[int(r["size"])] = mibps(
                            int(r["size"]), int(r["median_ns"])
                        )
                if pts:
                    xs = sorted(pts)
                    ax.plot(
                        [x / MIB for x in xs],
                        [pts[x] for x in xs],
                        marker="o",
                        linestyle="--" if t == "base" else "-",
                        label=LABEL[(t, b)],
                    )
                    drawn = True
            if t == "series" or "series" not in trees:
                pts = {}
                for r in run.all("limit"):
                    if "median_ns" in r:
                        s = int(r["size"])
                        v = mibps(s, int(r["median_ns"]))
                        pts[s] = (
                            max(pts.get(s, 0), v)
                            if r["backend"] == "alloc+clear"
                            else pts.get(s, v)
                        )
                if pts:
                    xs = sorted(pts)
                    ax.plot(
                        [x / MIB for x in xs],
                        [pts[x] for x in xs],
                        color="black",
                        linestyle=":",
                        label="limit (alloc_pages+clear_page)",
                    )
        if not drawn:
            plt.close(fig)
            continue
        ax.set_xscale("log", base=2)
        ax.set_xlabel("tt size (MiB)")
        ax.set_ylabel("MiB/s (guest virtual time)")
        ax.set_title(f"{p}: ttm_pool_alloc()+free(), cold, cached")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
        fn = f"{name}-{p}-throughput.svg"
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, fn))
        plt.close(fig)
        files.append((p, "throughput", fn))
        # Chunk orders at the largest size measured, per setup.
        fig, ax = plt.subplots(figsize=(7, 3.6))
        setups = []
        for t in trees:
            run = runs.get((p, t))
            if not run:
                continue
            for b in BACKENDS[t]:
                recs = [r for r in run.all("orders") if r.get("backend") == b]
                if recs:
                    r = max(recs, key=lambda r: int(r["size"]))
                    setups.append((LABEL[(t, b)], r))
        if setups:
            width = 0.8 / len(setups)
            for i, (lab, r) in enumerate(setups):
                hist = dict(re.findall(r"o(\d+)=(\d+)", r.get("chunks", "")))
                xs = sorted(int(k) for k in hist)
                ax.bar(
                    [x + i * width for x in xs],
                    [int(hist[str(x)]) * (1 << x) * 4 / 1024 for x in xs],
                    width,
                    label=f'{lab} ({fmt_size(int(r["size"]))})',
                )
            ax.set_xlabel("chunk order")
            ax.set_ylabel("MiB of the tt in chunks of that order")
            ax.set_title(f"{p}: chunk orders, cold pool")
            ax.legend(fontsize=7)
            fn = f"{name}-{p}-orders.svg"
            fig.tight_layout()
            fig.savefig(os.path.join(outdir, fn))
            files.append((p, "orders", fn))
        plt.close(fig)
    return files, None


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--runs", required=True, help="directory of the VM runs (build/bench)"
    )
    ap.add_argument("--out", required=True, help="the report (docs/bench.md)")
    ap.add_argument(
        "--kconfig",
        choices=sorted(KCONFIG_DESC),
        default="test",
        help="the kernels the runs used (bench.sh's BENCH_KCONFIG)",
    )
    ap.add_argument("--platforms", default="x86-nobounce x86 xen arm64-nc")
    ap.add_argument("--trees", default="base series")
    ap.add_argument(
        "--quick",
        action="store_true",
        help="check that every measurement gave a number; exit 1 if not",
    )
    args = ap.parse_args()
    plats = args.platforms.split()
    trees = args.trees.split()
    runs = {}
    for p in plats:
        for t in trees:
            data = load(args.runs, p, t)
            if data:
                runs[(p, t)] = Run(data)

    problems = []
    for p in plats:
        for t in trees:
            run = runs.get((p, t))
            if not run:
                problems.append(f"{p} {t}: no run")
                continue
            if not run.info:
                problems.append(f"{p} {t}: the module did not start")
            if not run.done:
                problems.append(f"{p} {t}: the module did not finish")
            for text, n in sorted(run.reports.items()):
                problems.append(f"{p} {t}: the kernel reported {text}"
                                + (f" ({n} times)" if n > 1 else ""))
            failed = {}
            for r in run.recs:
                if "error" in r:
                    key = (r.get("backend"), r["error"])
                    failed.setdefault(key, []).append(r)
            for (b, err), rs in failed.items():
                kinds = sorted({r["kind"] for r in rs})
                small = min(int(r.get("size", "0")) for r in rs)
                problems.append(
                    f"{p} {t} {b}: {len(rs)} measurements"
                    f" ({', '.join(kinds)}) from {fmt_size(small)} up:"
                    f" error {err}"
                )
            if not run.all("alloc") or not run.all("limit"):
                problems.append(f"{p} {t}: no allocation or limit results")

    outdir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(outdir, exist_ok=True)
    name = os.path.splitext(os.path.basename(args.out))[0]
    figs, plot_note = plots(outdir, name, plats, runs, trees)

    kernels = {}
    for t in trees:
        try:
            with open(os.path.join(args.runs, f"kernel-{t}")) as f:
                kernels[t] = f.read().split()[1]
        except (OSError, ValueError, IndexError):
            pass
    any_run = next(iter(runs.values()), None)
    nruns = "5 (3 from 64 MiB)"
    if any_run and any_run.info.get("quick") == "1":
        nruns = "3"
    cmdvars = "BENCH_QUICK=1 " if args.quick else ""
    if args.kconfig != "test":
        cmdvars += f"BENCH_KCONFIG={args.kconfig} "
    L = []
    L += [
        (
            "# Benchmarks: TTM's page pool, unpatched base and series side by"
            " side"
        ),
        "",
        (
            f"Generated by `{cmdvars}make bench` (scripts/bench.sh,"
            " scripts/bench_report.py, the module"
            f" drivers/ttm-bench) on {datetime.date.today().isoformat()};"
            " regenerate it with the same command."
        ),
        "",
        f"- Machine: {host_info()}.",
        "- Kernels: "
        + "; ".join(f'{t} `{kernels.get(t, "?")}`' for t in trees)
        + " (the commits of the trees the kernels were built from when the"
        " VMs ran: base = `make repro`'s, series = build/linux; "
        + KCONFIG_DESC[args.kconfig]
        + ").",
        (
            "- Per measurement: median of"
            f" {nruns} runs (per platform and tree below);"
            " the spread is (max - min) / median."
            if any_run
            else ""
        ),
        (
            "- Time is the guest's ktime under QEMU `-icount shift=0`: one"
            " nanosecond per guest instruction. MiB/s are MiB per second of"
            " that virtual time: a count of instructions, deterministic, blind"
            " to caches and memory bandwidth (TCG models neither). Compare"
            " ratios within one VM, not absolute figures with hardware."
        ),
        (
            "- Setups: base `streaming` = the pool without DMA flags"
            " (alloc_pages + dma_map_page); base `band-aid` ="
            " `TTM_ALLOCATION_POOL_USE_DMA_ALLOC` (dma_alloc_attrs per chunk,"
            " a kmalloc'd `ttm_pool_dma` each); series `auto` ="
            " `TTM_ALLOCATION_POOL_DMA_AUTO`, TTM chooses; series `streaming`"
            " / `dma-pages` forced (`ttm_pool_force_backend()`, as"
            " `ttm.pool_backend=`). The series' coherent backend is deleted at"
            " its tip, so the band-aid is compared with dma-pages."
        ),
        (
            "- The limit: the same volume through alloc_pages() + clear_page()"
            " in the same module, in chunks of the orders the pool uses, plus"
            " dma_map_page() where the device's mappings do not bounce."
            " Fraction of the limit = limit time / pool time."
        ),
        (
            "- Cold: the pool emptied first (its own pools re-initialised,"
            " TTM's global pools shrunk through `vm.drop_caches=2`); warm:"
            " right after an allocation of the same size was freed into the"
            " pool. Every tt has `TTM_TT_FLAG_ZERO_ALLOC`."
        ),
        (
            "- The edu device, bound by ttm_bench with the DMA mask edu_gpu"
            " sets (32 bits)."
        ),
        "",
    ]
    if plot_note:
        L += [f"Plots: {plot_note}.", ""]

    # Headline figures.
    head = []

    def alloc_ns(run, b, size, caching, state):
        return (
            ns(
                run.find(
                    "alloc", backend=b, size=size, caching=caching, state=state
                )
            )
            if run
            else None
        )

    sizes = sorted(
        {int(r["size"]) for run in runs.values() for r in run.all("alloc")}
    )
    combos = [
        (s, c, st)
        for s in sizes
        for c in ("cached", "wc")
        for st in ("cold", "warm")
    ]

    def compare(p, ta, ba, tb, bb, keys=combos):
        ra, rb = runs.get((p, ta)), runs.get((p, tb))
        xs = []
        for s, c, st in keys:
            a, b = alloc_ns(ra, ba, s, c, st), alloc_ns(rb, bb, s, c, st)
            if a and b:
                xs.append((ratio(a, b), s, c, st))
        return xs

    goals = []

    def summary(xs):
        if not xs:
            return None, None, "not measured"
        g = geomean([x[0] for x in xs])
        worst = min(xs)
        return (
            g,
            worst,
            (
                f"geomean {g:.2f}x, worst {worst[0]:.2f}x"
                f" ({fmt_size(worst[1])} {worst[2]} {worst[3]}),"
                f" {len(xs)} cells"
            ),
        )

    xs = compare("x86-nobounce", "series", "auto", "base", "streaming")
    g, w, text = summary(xs)
    head.append(f"series auto / base streaming, x86 without bounce: {text}")
    goals.append(
        (
            (
                "Series auto on coherent x86 without bouncing: at least 1.0x"
                " the base's streaming path"
            ),
            text,
            g is not None and w[0] >= 1.0,
            "auto",
        )
    )
    dp = []
    for p in plats:
        dp += [
            (x[0], x[1], x[2], x[3] + f" {p}")
            for x in compare(p, "series", "dma-pages", "base", "streaming")
        ]
    g, w, text = summary(dp)
    head.append(f"series dma-pages / base streaming, where both work: {text}")
    goals.append(
        (
            (
                "dma-pages: at least 0.9x the base's streaming path where both"
                " work"
            ),
            text,
            g is not None and w[0] >= 0.9,
            "dma-pages",
        )
    )
    xs = compare("xen", "series", "dma-pages", "base", "coherent")
    g, w, text = summary(xs)
    head.append(f"series dma-pages / base band-aid, Xen PV: {text}")
    goals.append(
        (
            (
                "Coherent (Xen PV): at least 1.0x the base's band-aid"
                " (dma-pages, the coherent backend being deleted)"
            ),
            text,
            g is not None and w[0] >= 1.0,
            "coherent",
        )
    )
    for st, need in (("warm", 0.9), ("cold", 0.7)):
        fr = []
        for p in plats:
            run = runs.get((p, "series"))
            if not run:
                continue
            for s in sizes:
                lim, _ = limit_ns(run, s)
                a = alloc_ns(run, "auto", s, "cached", st)
                if lim and a and s >= 64 * 1024:
                    fr.append((lim / a, s, "cached", st + " " + p))
        g, w, text = summary(fr)
        head.append(
            f"series auto {st}, cached, fraction of the limit (64 KiB and up):"
            f" {text}"
        )
        goals.append(
            (
                (
                    f"{st.capitalize()} pool: at least {need}x of the"
                    " allocator limit"
                ),
                text,
                g is not None and w[0] >= need,
                st,
            )
        )
    slots = []
    for p in plats:
        run = runs.get((p, "series"))
        r = run.find("swiotlb", backend="auto") if run else None
        if r:
            slots.append(
                f'{p} {r["slots_peak"]} of {r["nslabs"]} '
                + (
                    f'({fmt_size(int(r["size"]))})'
                    if int(r["size"])
                    else "(no swiotlb)"
                )
            )
    slot_ok = all(
        int(
            (
                runs[(p, "series")].find("swiotlb", backend="auto")
                or {"slots_peak": 1}
            )["slots_peak"]
        )
        == 0
        for p in plats
        if (p, "series") in runs
    )
    slabs = []
    for p in plats:
        run = runs.get((p, "series"))
        r = run.find("slab", backend="auto") if run else None
        if r:
            slabs.append(
                f'{p} {r["slab_bytes"]} B for {r.get("chunks", "?")} chunks'
            )
    run = runs.get(("xen", "base")) or runs.get(("x86-nobounce", "base"))
    r = run.find("slab", backend="coherent") if run else None
    if r:
        slabs.append(
            f'(base band-aid: {r["slab_bytes"]} B for'
            f' {r.get("chunks", "?")} chunks)'
        )
    slab_ok = all(
        int(
            (
                runs[(p, "series")].find("slab", backend="auto")
                or {"slab_bytes": 1}
            )["slab_bytes"]
        )
        <= 0
        for p in plats
        if (p, "series") in runs
    )
    zs = []
    for p in plats:
        run = runs.get((p, "series"))
        r = run.find("zero", backend="auto") if run else None
        if r:
            zs.append(f'{p} {int(r["ttm_clears_per_page_milli"]) / 1000:.2f}')
    # Once per hand-out: TTM adds a clear where the allocator gave pages
    # it did not zero (streaming), none where the DMA layer zeroed them.
    zero_ok = bool(zs)
    for p in plats:
        run = runs.get((p, "series"))
        z = run.find("zero", backend="auto") if run else None
        pool = run.find("pool", backend="auto") if run else None
        if not z or not pool:
            continue
        want = 1.0 if pool.get("chosen") == "streaming" else 0.0
        got = int(z["ttm_clears_per_page_milli"]) / 1000
        zero_ok = zero_ok and abs(got - want) <= 0.15
    head.append("series auto: swiotlb slots at peak: " + "; ".join(slots))
    head.append("CMA pages at the peak of a fill: " + cma_summary(runs, plats))
    head.append(
        "backup + restore (ttm_bo_shrink(), ttm_tt_restore()) ÷ base"
        " streaming: " + backup_summary(runs, plats)
    )
    head.append(
        "series auto: slab bytes kept by ttm_pool_alloc(): " + "; ".join(slabs)
    )
    goals.append(
        (
            "0 swiotlb slots for TT at any size with the automatic choice",
            "; ".join(slots) or "not measured",
            slot_ok and bool(slots),
            "slots",
        )
    )
    goals.append(
        (
            "No slab bytes per chunk",
            "; ".join(slabs) or "not measured",
            slab_ok and bool(slabs),
            "slab",
        )
    )
    goals.append(
        (
            "Each page zeroed once",
            "clear_page()s TTM_TT_FLAG_ZERO_ALLOC adds per page, series auto: "
            + ("; ".join(zs) or "not measured"),
            zero_ok,
            "zero",
        )
    )

    run = runs.get(("x86-nobounce", "series"))
    r = run.find("sync", backend="auto") if run else None
    if r and "dma_sync_calls_per_run" in r:
        if args.kconfig == "nodebug":
            text = (
                f'{r["dma_sync_calls_per_run"]} calls per pair, measured on'
                " this kernel without CONFIG_DMA_API_DEBUG (16 MiB tt;"
                f" dma_skip_sync set: {r.get('skip_sync', '?')})"
            )
        else:
            text = (
                f'{r["dma_sync_calls_per_run"]} calls per pair on this'
                f" {KERNEL_KIND[args.kconfig]} (16 MiB tt); without"
                f" CONFIG_DMA_API_DEBUG: {verdict(r)}"
            )
        met = r.get("skip_sync") == "1" or r["dma_sync_calls_per_run"] == "0"
    else:
        text, met = "not measured", False
    head.append(f"hand-overs, x86 without bounce, series auto: {text}")
    goals.append(
        (
            "Hand-overs on a coherent, non-bouncing device: no DMA-API call",
            text,
            met,
            "sync",
        )
    )
    L += ["## Headline", ""]
    L += [f"- {h}" for h in head]
    L += [""]

    for p in plats:
        if not any((p, t) in runs for t in trees):
            continue
        L += [f"## {p}", "", PLATDESC.get(p, p) + ".", ""]
        for t in trees:
            run = runs.get((p, t))
            if not run:
                L.append(f"- {t}: no run")
                continue
            info = run.info
            chosen = [
                f'{r["backend"]} -> {r["chosen"]} ({r.get("reason", "")})'
                for r in run.all("pool")
                if r["backend"] != r["chosen"] or t == "series"
            ]
            L.append(
                f'- {t}: kernel {info.get("kernel", "?")}, device'
                f' {info.get("dev", "?")}, coherent'
                f' {info.get("coherent", "?")}, DMA syncs needed'
                f' {info.get("need_sync", "?")}, streaming mappings bounce'
                f' {info.get("bounces", "?")}, {run.seconds or "?"} s in QEMU,'
                f" runs per measurement {runs_of(run)}"
                + (f'; pools: {"; ".join(chosen)}' if chosen else "")
                + "."
            )
        L.append("")
        setups = [(t, b) for t in trees for b in BACKENDS[t] if (p, t) in runs]
        L += [
            "### Allocation: ttm_pool_alloc() + ttm_pool_free(), MiB/s"
            " (allocations/s)",
            "",
        ]
        cols = [LABEL[s] for s in setups]
        extra = []
        if ("series", "auto") in setups and ("base", "streaming") in setups:
            extra.append(
                (
                    "auto ÷ base streaming",
                    ("series", "auto"),
                    ("base", "streaming"),
                )
            )
        if ("series", "dma-pages") in setups and (
            "base",
            "streaming",
        ) in setups:
            extra.append(
                (
                    "dma-pages ÷ base streaming",
                    ("series", "dma-pages"),
                    ("base", "streaming"),
                )
            )
        if ("series", "dma-pages") in setups and (
            "base",
            "coherent",
        ) in setups:
            extra.append(
                (
                    "dma-pages ÷ band-aid",
                    ("series", "dma-pages"),
                    ("base", "coherent"),
                )
            )
        fr_setup = (
            ("series", "auto") if ("series", "auto") in setups else setups[0]
        )
        hdr = ["size", "caching", "pool"] + cols + [e[0] for e in extra]
        hdr.append(f"{LABEL[fr_setup]} ÷ limit")
        L.append("| " + " | ".join(hdr) + " |")
        L.append("|" + "---|" * (3 + len(cols) + len(extra) + 1))
        for s, c, st in combos:
            cells = []
            have = False
            for t, b in setups:
                r = runs[(p, t)].find(
                    "alloc", backend=b, size=s, caching=c, state=st
                )
                have = have or r is not None
                cells.append(fmt_rate(r, s, allocs=True))
            if not have:
                continue
            rs = [
                fmt_ratio(
                    ratio(
                        alloc_ns(runs[(p, a[0])], a[1], s, c, st),
                        alloc_ns(runs[(p, bb[0])], bb[1], s, c, st),
                    )
                )
                for _, a, bb in extra
            ]
            lim, _ = limit_ns(runs[(p, fr_setup[0])], s)
            fr = ratio(
                alloc_ns(runs[(p, fr_setup[0])], fr_setup[1], s, c, st), lim
            )
            row = [fmt_size(s), c, st] + cells + rs + [fmt_ratio(fr)]
            L.append("| " + " | ".join(row) + " |")
        L.append("")
        L += [
            (
                "### The limit: alloc_pages() + clear_page() (+"
                " dma_map_page()), MiB/s"
            ),
            "",
        ]
        L.append(
            "| size | "
            + " | ".join(
                f"{t}: alloc+clear | {t}: alloc+clear+map"
                for t in trees
                if (p, t) in runs
            )
            + " |"
        )
        L.append(
            "|---|" + "---|---|" * sum(1 for t in trees if (p, t) in runs)
        )
        lsizes = sorted(
            {
                int(r["size"])
                for t in trees
                if (p, t) in runs
                for r in runs[(p, t)].all("limit")
            }
        )
        for s in lsizes:
            cells = []
            for t in trees:
                if (p, t) not in runs:
                    continue
                for k in ("alloc+clear", "alloc+clear+map"):
                    r = runs[(p, t)].find("limit", backend=k, size=s)
                    bounce = runs[(p, t)].info.get("bounces") == "1"
                    cells.append(
                        fmt_rate(r, s)
                        if r
                        else (
                            "n/a (bounces)"
                            if k.endswith("map") and bounce
                            else "-"
                        )
                    )
            L.append(f"| {fmt_size(s)} | " + " | ".join(cells) + " |")
        L.append("")
        L += [
            (
                "### Hand-overs: ttm_tt_sync_for_cpu() +"
                " ttm_tt_sync_for_device() of a whole tt"
            ),
            "",
            (
                "| setup | tt | ns per MiB (both directions) | DMA-API sync"
                f" calls per hand-over pair (this {KERNEL_KIND[args.kconfig]})"
                " | the DMA"
                " layer's verdict without CONFIG_DMA_API_DEBUG |"
            ),
            "|---|---|---|---|---|",
        ]
        for t, b in setups:
            r = runs[(p, t)].find("sync", backend=b)
            if t == "base":
                L.append(
                    f"| {LABEL[(t, b)]} | - | n/a (no hand-overs in the"
                    " unpatched TTM) | n/a | n/a |"
                )
            elif r and "median_ns" in r:
                L.append(
                    f'| {LABEL[(t, b)]} | {fmt_size(int(r["size"]))} | '
                    f'{int(r["median_ns"]) / (int(r["size"]) / MIB):,.0f} | '
                    f'{r["dma_sync_calls_per_run"]} | {verdict(r)} |'
                )
            elif r:
                L.append(
                    f'| {LABEL[(t, b)]} | {fmt_size(int(r["size"]))} | fails'
                    f' ({r.get("error")}) | - | - |'
                )
        L.append("")
        L += [
            "### Memory",
            "",
            (
                "| setup | slab bytes kept per MiB of TT | swiotlb slots at"
                " peak (fill) | CMA pages at peak (fill) | clear_page()s"
                " ZERO_ALLOC adds per page (cold) |"
            ),
            "|---|---|---|---|---|",
        ]
        for t, b in setups:
            run = runs[(p, t)]
            sl = run.find("slab", backend=b)
            sw = run.find("swiotlb", backend=b)
            z = run.find("zero", backend=b)
            if sl and "slab_bytes" in sl:
                nch = int(sl.get("chunks", "0")) or None
                b_ = int(sl["slab_bytes"])
                slt = (
                    f"{b_ / (int(sl['size']) / MIB):,.0f}"
                    + (f" ({b_ / nch:.1f} B per chunk, {nch} chunks)"
                       if nch else "")
                )
            else:
                slt = "n/a"
            if sw and "slots_peak" in sw:
                swt = (
                    "no swiotlb"
                    if sw["nslabs"] == "0"
                    else (
                        f'{sw["slots_peak"]} of'
                        f' {sw["nslabs"]} ({fmt_size(int(sw["size"]))} in 16'
                        " MiB tts"
                    )
                    + (
                        f', allocation failed: {sw["alloc_error"]}'
                        if sw.get("alloc_error", "0") != "0"
                        else ""
                    )
                    + ")"
                )
            else:
                swt = "n/a"
            zt = (
                f'{int(z["ttm_clears_per_page_milli"]) / 1000:.2f}'
                if z and "ttm_clears_per_page_milli" in z
                else "n/a"
            )
            ct = cma_text(run.find("cma", backend=b)) or "n/a"
            L.append(f"| {LABEL[(t, b)]} | {slt} | {swt} | {ct} | {zt} |")
        L.append("")
        L += [
            "### Reclaim: the shrinkers empty a full pool (vm.drop_caches=2)",
            "",
            "| setup | caching | pool holds | ns per MiB freed | shrink of"
            " an empty pool (ns) |",
            "|---|---|---|---|---|",
        ]
        for t, b in setups:
            for c in ("cached", "wc"):
                r = runs[(p, t)].find("reclaim", backend=b, caching=c)
                if not r:
                    continue
                if "median_ns" not in r:
                    L.append(
                        f"| {LABEL[(t, b)]} | {c} |"
                        f' {fmt_size(int(r["size"]))} |'
                        f' fails ({r.get("error")}) | - |'
                    )
                    continue
                per = (int(r["median_ns"]) - int(r["empty_median_ns"])) / (
                    int(r["size"]) / MIB
                )
                L.append(
                    f"| {LABEL[(t, b)]} | {c} |"
                    f' {fmt_size(int(r["size"]))} | {per:,.0f} |'
                    f' {int(r["empty_median_ns"]):,} |'
                )
        L += [
            "",
            "A pool that keeps no pages of that caching (streaming, cached)"
            " shows the cost of the shrink itself, about 0.",
        ]
        L += copy_section(
            runs, p, setups,
            "Swap: ttm_tt_swapout() and ttm_tt_populate() swapping in",
            ("swapout", "swapin", "swap-out", "swap-in"),
            "Swap-out copies the tt into a shmem file and frees its pages"
            " (the series first hands the pages to the CPU); swap-in"
            " allocates pages and copies the content back (the series"
            " hands them to the device after). The shmem file goes to"
            " swap on zram only under memory pressure, which the VM does"
            " not have: TTM's part of the cost.")
        L += copy_section(
            runs, p, setups, "Backup: ttm_bo_shrink() and ttm_tt_restore()",
            ("backup", "restore", "backup", "restore"),
            "xe's shrinker path: ttm_bo_shrink() backs an idle buffer's tt"
            " up to its shmem file page by page and frees each page or"
            " chunk (ttm_pool_backup()); ttm_tt_restore() allocates new"
            " pages and copies the content back"
            " (ttm_pool_restore_and_alloc()), both through the device's"
            " pool with the backend under test. The base refuses a pool"
            " that allocates through the DMA API (-EBUSY, -16: its"
            " band-aid); the series backs up DMA pages too, chunk by"
            " chunk, and keeps refusing coherent allocations.")
        L += ["### Scaling: cold, cached, ns per MiB", ""]
        ssizes = sorted(
            {
                int(r["size"])
                for t in trees
                if (p, t) in runs
                for r in runs[(p, t)].all("scale") + runs[(p, t)].all("orders")
            }
        )
        L.append(
            "| size | "
            + " | ".join(cols)
            + " | chunk orders ("
            + " / ".join(cols)
            + ") |"
        )
        L.append("|" + "---|" * (2 + len(cols)))
        for s in ssizes:
            cells, ords = [], []
            for t, b in setups:
                run = runs[(p, t)]
                r = run.find("scale", backend=b, size=s) or run.find(
                    "alloc", backend=b, size=s, caching="cached", state="cold"
                )
                cells.append(
                    f'{int(r["median_ns"]) / (s / MIB):,.0f}'
                    if r and "median_ns" in r
                    else "n/a"
                )
                o = run.find("orders", backend=b, size=s)
                ords.append(o["chunks"] if o and "chunks" in o else "-")
            L.append(
                f"| {fmt_size(s)} | "
                + " | ".join(cells)
                + " | "
                + " / ".join(ords)
                + " |"
            )
        L.append("")
        for fp, kind, fn in figs:
            if fp == p:
                L += [f"![{p} {kind}]({fn})", ""]

    L += [
        "## Goals (issue 11)",
        "",
        "| goal | measured | met |",
        "|---|---|---|",
    ]
    for goal, text, met, _ in goals:
        L.append(
            f"| {goal} | {text} |"
            f" {'yes' if met else 'no' if met is not None else 'see below'} |"
        )
    L.append("")
    whys = [(goal, REASONS[key]) for goal, _, met, key in goals
            if key in REASONS and (not met or key in ("sync", "zero"))]
    if whys:
        L += ["### Why", ""]
        L += [f"- {goal}: {why}" for goal, why in whys]
        L.append("")
    L += [
        "## Not measured",
        "",
        "- Swap on zram itself: the swap tables measure TTM's swap-out to"
        " shmem and swap-in of 256 MiB (ttm_tt_swapout(),"
        " ttm_tt_populate()), the path radeon, amdgpu and nouveau take;"
        " the VMs have memory to spare, so shmem does not go on to zram;"
        " the same for the backup tables (ttm_bo_shrink(),"
        " ttm_tt_restore(), xe's shrinker path).",
        "- The DMA atomic pools: no setup here allocates from them (they"
        " serve atomic allocations of encrypted guests and non-coherent"
        " devices; the pool allocates with GFP_KERNEL), and a module"
        " cannot read their use. CMA is measured on arm64-nc only (the"
        " one platform with a CMA area that the benchmark runs).",
        "- Sizes above 64 MiB on x86 `swiotlb=force`, Xen and arm64-nc (run"
        " time under TCG; `BENCH_MAX_MIB=512` measures them), 1 GiB"
        " anywhere (over a third of the VMs' memory).",
        "- Kernels without the debug options and perf profiles on arm64-nc and"
        " x86 `swiotlb=force`: `BENCH_KCONFIG=nodebug` and `BENCH_PROFILE=KIB`"
        " were run on x86 without bounce and Xen PV (docs/bench-nodebug.md,"
        " docs/bench-profile-*.md); the profiles run the host's x86_64 perf in"
        " the guest, so arm64 has none, and an arm64 kernel without KASAN is a"
        " 27-minute build from nothing here.",
        "",
    ]
    if problems:
        L += [
            "## Measurements that gave no number",
            "",
            (
                "The unpatched streaming pool on a bouncing platform fails"
                " by design of the bug the series fixes: -EFAULT (-14) is a"
                " chunk larger than a swiotlb segment that dma_map_page()"
                " cannot bounce (docs/repro.md)."
            ),
            "",
        ]
        L += [f"- {x}" for x in problems]
        L.append("")
    with open(args.out, "w") as f:
        f.write("\n".join(L) + "\n")
    print(
        f"bench: report {args.out}" + (f", {len(figs)} plots" if figs else "")
    )
    for h in head:
        print(f"bench: {h}")
    if args.quick and problems:
        for x in problems:
            print(f"bench: quick: {x}", file=sys.stderr)
        return REPORTED
    return 0


# The exit status of a failure reported on stderr (lib.sh's DIED): the
# calling script adds no line of its own.
REPORTED = 3


if __name__ == "__main__":
    sys.exit(main())
