"""Scaling: a 3,000-station month on 1 and 2 workers, local processes and Dask; 30,000-station memory.

For each executor (``local``: spawned processes with warm kernels; ``dask``: a LocalCluster of
single-threaded worker processes) and each number of workers, runs the overview, the
sensitivity page and ``--pages`` station pages of a synthetic ``--stations`` company (the full
site has one page per station: the time per page says what it would take), and the month's
Monte Carlo mapped in chunks. Prints the times, the scaling efficiency ``t(1) / (2 t(2))``
and checks the pages and the Monte Carlo are the same everywhere. Then measures, in a fresh
process, the peak resident memory of loading and scoring 30,000 stations × 36 months from
Parquet.

Run with ``.venv/bin/python benchmarks/scale.py [--stations 3000] [--pages 100]``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Peak RSS of this process alone: VmHWM starts afresh at exec, whereas ru_maxrss also counts
# what the parent had when it forked (the benchmark holds 3,000 stations' pages by then).
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


def write_company(folder: Path, n_stations: int, n_months: int) -> Path:
    from fivecolor.data.sample.company import write_company as write

    return write(folder, n_stations, n_months)[-1]


def plan_jobs(params_file: Path, out: Path, pages: int):
    """The overview, the sensitivity page and the first ``pages`` station pages as jobs."""
    from fivecolor.data.dataset import load_data
    from fivecolor.params import load_params
    from fivecolor.resources import notebooks_dir
    from fivecolor.site.plan import notebook_jobs, plan_pages

    params = load_params(params_file)
    station_ids = list(load_data(params).station_ids[:pages])
    folder = notebooks_dir()
    return notebook_jobs(params, plan_pages(params, params_file, station_ids, folder), folder, out)


def steady(page: Path) -> str:
    """A page without the random id of Papermill's injected cell."""
    return re.sub(r"cell-id=[0-9a-f]{8}\b", "", page.read_text(encoding="utf-8"))


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stations", type=int, default=3000)
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument(
        "--pages", type=int, default=100, help="station pages run per configuration"
    )
    parser.add_argument("--samples", type=int, default=2000, help="Monte Carlo samples")
    parser.add_argument("--memory-stations", type=int, default=30_000)
    parser.add_argument("--memory-months", type=int, default=36)
    parser.add_argument(
        "--memory-only", action="store_true", help="only the 30,000-station memory figure"
    )
    args = parser.parse_args()

    import numpy as np

    from fivecolor.analysis.sensitivity import monte_carlo
    from fivecolor.data.dataset import load_data
    from fivecolor.params import load_params
    from fivecolor.scoring.pipeline import score
    from fivecolor.site.executors import get_executor

    if args.memory_only:
        report_memory(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        params_file = write_company(tmp / "company", args.stations, args.months)
        print(
            f"{args.stations:,} stations × {args.months} months written in {time.perf_counter() - started:.1f} s"
        )
        params = load_params(params_file)
        result = score(load_data(params), params)
        reference_mc = monte_carlo(result, samples=args.samples)
        rows, pages_seen = [], {}
        for name in ("local", "dask"):
            for workers in (1, 2):
                out = tmp / f"{name}-{workers}"
                jobs = plan_jobs(params_file, out, args.pages)
                started = time.perf_counter()
                with get_executor(name, workers=workers) as executor:
                    ready = time.perf_counter() - started
                    run_started = time.perf_counter()
                    outcomes = executor.run_notebooks(jobs, progress=False)
                    notebooks = time.perf_counter() - run_started
                    mc_started = time.perf_counter()
                    mc = monte_carlo(result, samples=args.samples, executor=executor)
                    mc_seconds = time.perf_counter() - mc_started
                failed = [o.error for o in outcomes if o.status != "ok"]
                if failed:
                    raise SystemExit(
                        f"{name} × {workers}: {len(failed)} notebooks failed; first: {failed[0]}"
                    )
                same_mc = all(
                    np.array_equal(getattr(mc, f), getattr(reference_mc, f))
                    for f in ("scores", "ranks", "bands")
                )
                pages = {job.html_path.relative_to(out): steady(job.html_path) for job in jobs}
                pages_seen[(name, workers)] = pages
                station_seconds = sorted(
                    o.seconds for o in outcomes if o.job.label.startswith("station")
                )
                rows.append(
                    (
                        name,
                        workers,
                        ready,
                        notebooks,
                        len(jobs),
                        station_seconds[len(station_seconds) // 2],
                        mc_seconds,
                        same_mc,
                    )
                )
                print(
                    f"{name:>6} × {workers}: start {ready:5.1f} s, {len(jobs)} notebooks {notebooks:6.1f} s, "
                    f"Monte Carlo {mc_seconds:5.2f} s (same as one process: {same_mc})",
                    flush=True,
                )
        reference = pages_seen[("local", 1)]
        identical = all(pages == reference for pages in pages_seen.values())

    print()
    print(
        f"{args.stations:,}-station month: overview + sensitivity + {args.pages} station pages; "
        f"Monte Carlo of {args.samples} samples"
    )
    print(
        f"{'executor':>8} {'workers':>7} {'start s':>8} {'pages s':>8} {'pages/s':>8} {'median page s':>13} "
        f"{'MC s':>6} {'efficiency':>10} {'full site est. min':>18}"
    )
    by_key = {(r[0], r[1]): r for r in rows}
    for name, workers, ready, notebooks, n_jobs, median_page, mc_seconds, _ in rows:
        one = by_key[(name, 1)][3]
        efficiency = one / (workers * notebooks)
        full = (ready + notebooks / n_jobs * (args.stations + 2)) / 60
        print(
            f"{name:>8} {workers:>7} {ready:>8.1f} {notebooks:>8.1f} {n_jobs / notebooks:>8.2f} {median_page:>13.2f} "
            f"{mc_seconds:>6.2f} {efficiency:>10.0%} {full:>18.1f}"
        )
    print(
        f"pages identical across executors and workers: {identical}; "
        f"Monte Carlo identical: {all(r[7] for r in rows)}"
    )

    report_memory(args)


def report_memory(args) -> None:
    cells, seconds, hwm_mb, maxrss_mb = peak_memory(args.memory_stations, args.memory_months)
    print(
        f"\nload + score of {args.memory_stations:,} stations × {args.memory_months} months ({cells:,} cells, "
        f"Parquet): {seconds:.1f} s, peak RSS {hwm_mb:,.0f} MB (VmHWM; ru_maxrss {maxrss_mb:,.0f} MB; "
        "limit 2,048 MB)"
    )


if __name__ == "__main__":
    main()
