"""Scaling: a full 3,000-station month built locally and on Dask; 30,000-station memory.

Generates a company the way a user does (``fivecolor sample --stations N --months M``), then
builds its whole site (every station page, the overview, the robustness page, the actions and
tables) with ``fivecolor report --workers W``, as a process timed end to end: once on local
worker processes and once on a local Dask cluster of W single-threaded workers (``--executor
dask``). Prints each build's wall time, the time per page, the median station page and the
month-wide pages as the manifest records them, the Dask/local ratio, and whether the pages are
the same. Then measures, in a fresh process, the peak resident memory of loading and scoring
30,000 stations × 36 months from Parquet.

Run with ``.venv/bin/python benchmarks/scale.py [--stations 3000] [--workers 2]``; ``--keep DIR``
keeps the company and the sites.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIVECOLOR = [sys.executable, "-m", "fivecolor"]

# Peak RSS of this process alone: VmHWM starts afresh at exec, whereas ru_maxrss also counts
# what the parent had when it forked.
MEMORY_SCRIPT = """
import re, resource, sys, time
from fivecolor import load_data, load_params, score
started = time.perf_counter()
params = load_params(sys.argv[1])
result = score(load_data(params), params)
cells = result.data.values.size
seconds = time.perf_counter() - started
with open("/proc/self/status") as status:
    hwm = int(re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1))
print(cells, seconds, hwm, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
GENERATE_SCRIPT = """
import sys
from pathlib import Path
from fivecolor.data.sample.company import write_company
print(write_company(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))[-1])
"""


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def generate_company(folder: Path, stations: int, months: int) -> Path:
    """``fivecolor sample --stations --months --out folder``: the company's parameter file."""
    subprocess.run(
        [
            *FIVECOLOR,
            "sample",
            "--stations",
            str(stations),
            "--months",
            str(months),
            "--out",
            str(folder),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return folder / "params.yaml"


def build_site(params_file: Path, site: Path, executor: str, workers: int) -> dict:
    """``fivecolor report`` of the whole month, timed as a process; its figures."""
    load = load_average()
    started = time.perf_counter()
    run = subprocess.run(
        [
            *FIVECOLOR,
            *("report", "--params", str(params_file), "--out", str(site)),
            *("--workers", str(workers), "--executor", executor, "--force"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    wall = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(
            f"{executor}: fivecolor report exited {run.returncode}: {run.stderr[-600:]}"
        )
    (month,) = [p for p in site.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}-\d{2}", p.name)]
    manifest = json.loads((month / "manifest.json").read_text())
    seconds = manifest["times"]["seconds"]
    station_seconds = [s for label, s in seconds.items() if label.startswith("station ")]
    return {
        "executor": executor,
        "month": month,
        "wall": wall,
        "pages": len(seconds),
        "station_median": statistics.median(station_seconds),
        "station_total": sum(station_seconds),
        "overview": seconds.get("overview", float("nan")),
        "sensitivity": seconds.get("sensitivity", float("nan")),
        "load": f"{load} → {load_average()}",
    }


def steady(page: Path) -> str:
    """A page without the random id of Papermill's injected cell, nor the build's time (the
    overview's method box says when the month was published)."""
    text = re.sub(r"cell-id=[0-9a-f]{8}\b", "", page.read_text(encoding="utf-8"))
    return re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "", text)


def same_pages(first: Path, second: Path) -> tuple[int, int]:
    """(pages compared, pages that differ) between two builds of one month."""
    pages = sorted(p.relative_to(first) for p in first.rglob("*.html"))
    differ = sum(
        1
        for page in pages
        if not (second / page).is_file() or steady(first / page) != steady(second / page)
    )
    return len(pages), differ


def peak_memory(n_stations: int, n_months: int) -> tuple[int, float, float, float]:
    """Cells, seconds and peak RSS in MB (VmHWM, ru_maxrss) of load + score in a fresh process
    (the company is generated in another one, so neither inherits the other's memory)."""
    with tempfile.TemporaryDirectory() as tmp:
        made = subprocess.run(
            [sys.executable, "-c", GENERATE_SCRIPT, tmp, str(n_stations), str(n_months)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_SCRIPT, made.stdout.strip()],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
    cells, seconds, hwm_kb, maxrss_kb = out.stdout.split()
    return int(cells), float(seconds), int(hwm_kb) / 1024, int(maxrss_kb) / 1024


def report_memory(args) -> None:
    cells, seconds, hwm_mb, maxrss_mb = peak_memory(args.memory_stations, args.memory_months)
    print(
        f"\nload + score of {args.memory_stations:,} stations × {args.memory_months} months ({cells:,} cells, "
        f"Parquet): {seconds:.1f} s, peak RSS {hwm_mb:,.0f} MB (VmHWM; ru_maxrss {maxrss_mb:,.0f} MB; "
        "limit 2,048 MB)"
    )


def report_sites(args, folder: Path) -> None:
    started = time.perf_counter()
    params_file = generate_company(folder / "company", args.stations, args.months)
    print(
        f"{args.stations:,} stations × {args.months} months generated in "
        f"{time.perf_counter() - started:.1f} s (fivecolor sample)",
        flush=True,
    )
    builds = []
    for executor in args.executors.split(","):
        build = build_site(params_file, folder / f"site-{executor}", executor, args.workers)
        builds.append(build)
        print(
            f"{executor:>6} × {args.workers}: full site {build['wall']:6.1f} s "
            f"({build['pages']:,} notebooks; load {build['load']})",
            flush=True,
        )
    print()
    print(
        f"{args.stations:,}-station month, full site (every station page, overview, robustness, "
        f"actions), {args.workers} workers"
    )
    print(
        f"{'executor':>8} {'wall s':>8} {'min':>6} {'s/page':>7} {'median page s':>13} "
        f"{'overview s':>10} {'robustness s':>12}"
    )
    for b in builds:
        print(
            f"{b['executor']:>8} {b['wall']:>8.1f} {b['wall'] / 60:>6.1f} "
            f"{b['wall'] / b['pages']:>7.3f} {b['station_median']:>13.3f} "
            f"{b['overview']:>10.1f} {b['sensitivity']:>12.1f}"
        )
    by_name = {b["executor"]: b for b in builds}
    if {"local", "dask"} <= by_name.keys():
        local, dask = by_name["local"], by_name["dask"]
        compared, differ = same_pages(local["month"], dask["month"])
        print(
            f"dask / local: {dask['wall'] / local['wall']:.2f}× (aim ≤ 1.2×); "
            f"pages identical: {compared - differ} of {compared}"
        )
    if by_name.get("local"):
        print(f"local full site under 5 minutes: {by_name['local']['wall'] < 300}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stations", type=int, default=3000)
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--executors", default="local,dask", help="comma-separated: local, dask (default both)"
    )
    parser.add_argument("--keep", type=Path, help="keep the company and the sites in this folder")
    parser.add_argument("--memory-stations", type=int, default=30_000)
    parser.add_argument("--memory-months", type=int, default=36)
    parser.add_argument(
        "--memory-only", action="store_true", help="only the 30,000-station memory figure"
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory figure")
    args = parser.parse_args()

    print(f"load average {load_average()}, {os.cpu_count()} cores", flush=True)
    if not args.memory_only:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            report_sites(args, args.keep)
        else:
            with tempfile.TemporaryDirectory(prefix="fivecolor-scale-") as tmp:
                report_sites(args, Path(tmp))
    if not args.no_memory:
        report_memory(args)


if __name__ == "__main__":
    main()
