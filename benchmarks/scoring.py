"""Scoring speed: 60 and 30,000 stations × 10 indicators × 36 months, with and without loading.

Prints the median of a few runs for each stage. Run with `make bench` or
`.venv/bin/python benchmarks/scoring.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import tempfile
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
