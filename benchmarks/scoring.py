"""Scoring speed: 60 and 30,000 stations × 10 indicators × 36 months, with and without loading.

Prints the median of a few runs for each stage. Then the memory and load time of the large
company from Parquet as a fresh process sees them: one process loads, scores and tables the
30,000 stations × 36 months once, and reports its peak resident memory (VmHWM, Linux) and how
long loading took; aims: peak under 1 GB, load under 1 s.

Run with `make bench` or `.venv/bin/python benchmarks/scoring.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import yaml

from fivecolor import load_data, load_params, score
from fivecolor.data.sample import write_sample

from _timing import timed  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parents[1]


def company(folder: Path, n_stations: int, n_months: int, fmt: str) -> Path:
    """A synthetic company in ``folder`` and a parameter file for it; returns the file."""
    paths = write_sample(folder, n_stations=n_stations, n_months=n_months)
    if fmt == "parquet":
        import pandas as pd

        for role in ("stations", "indicators"):
            frame = pd.read_csv(paths[role], dtype={"station_id": str})
            paths[role] = paths[role].with_suffix(".parquet")
            frame.to_parquet(paths[role], index=False)
    params = folder / "params.yaml"
    params.write_text(
        yaml.safe_dump(
            {
                "extends": str(ROOT / "params" / "default.yaml"),
                "data": {
                    "stations": paths["stations"].name,
                    "indicators": paths["indicators"].name,
                },
            }
        )
    )
    return params


#: Aims for the large company (30,000 stations × 36 months, Parquet) in a fresh process.
PEAK_AIM_MB = 1000
LOAD_AIM_S = 1.0


def _peak_kb() -> int:
    """This process's peak resident memory (VmHWM), in kB."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))


def fresh_process_run(params_file: Path) -> None:
    """Load, score and table once; print the load time and the peak memory as JSON."""
    params = load_params(params_file)
    start = time.perf_counter()
    data = load_data(params)
    load_s = time.perf_counter() - start
    score(data, params).table()
    peak_kb = _peak_kb()
    # the floor, after the peak is taken: the indicators read by pandas through Arrow, no more
    import pandas as pd

    start = time.perf_counter()
    pd.read_parquet(params.data.indicators)
    read_s = time.perf_counter() - start
    print(
        json.dumps(
            {
                "load_s": load_s,
                "read_s": read_s,
                "peak_kb": peak_kb,
                "cube_bytes": data.values.nbytes,
            }
        )
    )


def large_company_in_fresh_process(repeat: int) -> None:
    """The 30,000 × 36 company from Parquet, in fresh processes: median load time, largest peak."""
    if not os.path.exists("/proc/self/status"):
        print("peak memory: needs Linux's /proc; skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        params = company(Path(tmp), 30_000, 36, "parquet")
        runs = [
            json.loads(
                subprocess.run(
                    [sys.executable, __file__, "--fresh-process", str(params)],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            for _ in range(repeat)
        ]
    load_s = sorted(run["load_s"] for run in runs)[len(runs) // 2]
    read_s = sorted(run["read_s"] for run in runs)[len(runs) // 2]
    peak_mb = max(run["peak_kb"] for run in runs) / 1024
    cube_mb = runs[0]["cube_bytes"] / 2**20
    print(
        f"30,000 × 36 from Parquet, fresh process ({repeat} runs; load average "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores):"
    )
    print(
        f"  peak memory (VmHWM) {peak_mb:,.0f} MiB = {peak_mb / cube_mb:.1f} × one float64 cube "
        f"({cube_mb:.0f} MiB); aim {PEAK_AIM_MB:,} MiB ({peak_mb / PEAK_AIM_MB:.2f} of it)"
    )
    print(
        f"  load (median) {load_s:.2f} s; aim {LOAD_AIM_S:.0f} s ({load_s / LOAD_AIM_S:.2f} of it); "
        f"floor: a bare pd.read_parquet of the indicators {read_s:.2f} s "
        f"(load = {load_s / read_s:.2f} × the read)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fresh-process", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fresh_process is not None:
        fresh_process_run(args.fresh_process)
        return
    print(
        f"{'stations':>8} {'months':>6} {'cells':>11} {'format':>8} {'load s':>8} {'score s':>8} "
        f"{'table s':>8} {'total s':>8}"
    )
    for n_stations, fmt in ((60, "csv"), (30_000, "parquet"), (30_000, "csv")):
        with tempfile.TemporaryDirectory() as tmp:
            params = load_params(company(Path(tmp), n_stations, 36, fmt))
            t_load, data = timed(
                partial(load_data, params), args.repeat if n_stations < 1000 else 3
            )
            t_score, result = timed(partial(score, data, params), args.repeat)
            t_table, _ = timed(result.table, args.repeat)
            cells = data.values.size
            print(
                f"{n_stations:>8} {len(data.periods):>6} {cells:>11,} {fmt:>8} {t_load:>8.3f} {t_score:>8.3f} "
                f"{t_table:>8.3f} {t_load + t_score + t_table:>8.3f}"
            )
    large_company_in_fresh_process(3)


if __name__ == "__main__":
    main()
