"""The store of record's speed: one month of 30,000 stations × 10 indicators imported from a long
CSV and from a wide xlsx workbook, and 36 months × 30,000 stations read back for scoring.

Aims on a 2-core machine: the CSV import under 2 s, reading 36 months under 1 s. Prints the
median of a few runs, each import into a copy of the store holding the 35 months before (the
xlsx import once: openpyxl reads a cell at a time). Run with
`.venv/bin/python benchmarks/store.py [--stations N] [--repeat N]`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from fivecolor import load_params
from fivecolor.data.dataset import load_data
from fivecolor.data.importing import import_file
from fivecolor.data.sample.generate import make_sample
from fivecolor.data.store import ImportSource, load_history, open_store

from _timing import timed  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parents[1]
MONTHS = 36


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stations", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        stations, indicators = make_sample(n_stations=args.stations, n_months=MONTHS)
        stations.to_csv(folder / "stations.csv", index=False)
        periods = sorted(indicators["period"].unique())
        last = periods[-1]
        default = yaml.safe_load((ROOT / "params" / "default.yaml").read_text(encoding="utf-8"))
        params_path = folder / "params.yaml"
        params_path.write_text(
            yaml.safe_dump(
                {
                    "extends": str(ROOT / "params" / "default.yaml"),
                    "period": last,
                    "data": {"stations": "stations.csv", "indicators": "store", "projects": None},
                    "store": "store.duckdb",
                },
                allow_unicode=True,
            ),
            encoding="utf-8",
        )
        params = load_params(params_path)
        with open_store(params.store_location) as store:
            store.import_values(
                indicators[indicators["period"] != last],
                ImportSource("history", None, "0" * 64),
                stations=stations.set_index("station_id"),
            )
        month = indicators[indicators["period"] == last]
        month.to_csv(folder / "month.csv", index=False)
        labels = {key: spec["label"]["zh"] for key, spec in default["indicators"].items()}
        wide = month.pivot(index="station_id", columns="indicator", values="value")
        wide = wide[list(labels)].rename(columns=labels).rename_axis("供电所").reset_index()
        wide.insert(1, "月份", last)
        wide.to_excel(folder / "month.xlsx", index=False)
        print(
            f"{args.stations:,} stations × {len(labels)} indicators, {MONTHS} months "
            f"(set up in {time.perf_counter() - started:.0f} s)"
        )

        base = folder / "base.duckdb"
        shutil.copyfile(params.store_location, base)  # 35 months: each import starts from it

        def fresh_import(path: Path, repeat: int):
            times, result = [], None
            for _ in range(repeat):
                shutil.copyfile(base, params.store_location)
                start = time.perf_counter()
                result = import_file(path, params)
                times.append(time.perf_counter() - start)
            assert result is not None
            return statistics.median(times), result

        t_csv, result = fresh_import(folder / "month.csv", args.repeat)
        print(f"import one month from CSV   {t_csv:7.2f} s  ({result.values:,} values; aim < 2 s)")
        t_xlsx, result = fresh_import(folder / "month.xlsx", 1)
        print(f"import one month from xlsx  {t_xlsx:7.2f} s  ({result.values:,} values)")

        t_read, history = timed(lambda: load_history(params.store_location, last), args.repeat + 2)
        print(
            f"read {MONTHS} months back          {t_read:7.2f} s  "
            f"({len(history):,} values; aim < 1 s)"  # type: ignore[arg-type]
        )
        t_data, data = timed(lambda: load_data(params), args.repeat)
        print(
            f"load and validate the month  {t_data:7.2f} s  "
            f"(data.indicators: store; {len(data.periods)} months)"  # type: ignore[union-attr]
        )


if __name__ == "__main__":
    main()
