"""Monte Carlo speed: 10,000 samples for 60 and for 3,000 stations, vectorised against naive.

The naive way re-runs ``fivecolor.scoring.pipeline.score`` once per sample on parameters changed to the
sample's inputs (``fivecolor.analysis.sensitivity.rescore_sample``, via ``params.replace``); it is timed
on a subset of the samples and extrapolated to all of them. The same subset checks that both
ways give the same ranks and colours. Two uncertainty settings: the sample's (weights,
cut-offs, left-out indicator) and a full audit (also four normalisations and two aggregations).

For the sample month (60 stations) the colour-level Sobol indices follow (``colour_sobol``:
the number of colour changes, each station's colour changed or not, each station's rank, at
N and 2N), with their time and each output's most influential input.

Run with `make bench` or `.venv/bin/python benchmarks/sensitivity.py [--samples N] [--repeat N]`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np
import yaml

from fivecolor import load_data, load_params, score
from fivecolor.analysis import sensitivity as sa
from fivecolor.data.sample import write_sample

from _timing import timed  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parents[1]
AUDIT = {
    "normalisation": ["goalposts", "minmax", "zscore", "rank"],
    "aggregation": ["arithmetic", "geometric"],
}


def company(folder: Path, n_stations: int) -> Path:
    """A synthetic company of two months in ``folder`` and a parameter file for it."""
    paths = write_sample(folder, n_stations=n_stations, n_months=2)
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


def naive(mc: sa.UncertaintyResult, subset: int) -> tuple[float, int]:
    """Seconds per sample of re-scoring, and how many of the subset's samples disagree."""
    t = mc.result.period_index
    picks = np.linspace(0, mc.samples - 1, subset).astype(int)
    start = time.perf_counter()
    again = [sa.rescore_sample(mc, int(k)) for k in picks]  # the naive way: one score() per sample
    per_sample = (time.perf_counter() - start) / subset
    mismatches = sum(
        not (
            np.array_equal(r.rank[t], mc.ranks[k], equal_nan=True)
            and np.array_equal(r.band[t], mc.bands[k])
        )
        for r, k in zip(again, picks, strict=True)
    )
    return per_sample, mismatches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'stations':>8} {'setting':>8} {'samples':>7} {'MC s':>7} {'table s':>7} {'naive s/sample':>14} "
        f"{'naive s (extrap.)':>17} {'ratio':>7} {'agree':>7} {'stable':>6} {'changes':>7}"
    )
    sample_result = None
    with tempfile.TemporaryDirectory() as tmp:
        cases = [(60, ROOT / "params" / "2020-05.yaml", 40), (3000, company(Path(tmp), 3000), 8)]
        for n_stations, path, subset in cases:
            base = load_params(path)
            for setting in ("sample", "audit"):
                params = (
                    base
                    if setting == "sample"
                    else base.replace(sensitivity={**base.sensitivity.model_dump(), **AUDIT})
                )
                result = score(load_data(params), params)
                t_mc, mc = timed(partial(sa.monte_carlo, result, samples=args.samples), args.repeat)
                t_table, _ = timed(partial(sa.station_uncertainty, mc), args.repeat)
                per_sample, mismatches = naive(mc, subset)
                t_naive = per_sample * args.samples
                print(
                    f"{n_stations:>8} {setting:>8} {args.samples:>7} {t_mc:>7.3f} {t_table:>7.3f} "
                    f"{per_sample:>14.4f} {t_naive:>17.1f} {t_naive / t_mc:>6.0f}x "
                    f"{subset - mismatches:>3}/{subset:<3} {sa.stable_share(mc):>6.2f} "
                    f"{mean_changes(mc):>7.1f}"
                )
                if n_stations == 60 and setting == "sample":
                    sample_result = result
    colour_indices(sample_result, args.repeat)


def mean_changes(mc: sa.UncertaintyResult) -> float:
    """Stations whose colour differs from the published one, on average over the samples."""
    scored = mc.published_band >= 0
    return float((mc.bands[:, scored] != mc.published_band[scored]).sum(axis=1).mean())


def colour_indices(result, repeat: int) -> None:
    """Time the colour-level Sobol indices of the month and print each output's top input."""
    n = result.params.sensitivity.sobol_samples
    t_sobol, table = timed(partial(sa.colour_sobol, result), repeat)
    print(f"\ncolour-level Sobol indices, 60 stations, N = {n} and 2N: {t_sobol:.2f} s")
    print(f"{'output':>15} {'top input (ST)':>28} {'ST at N':>8} {'ST at 2N':>8} {'S1 at 2N':>8}")
    for output, rows in table.groupby("output", sort=False):
        at_2n = rows[rows["n"] == 2 * n].set_index("input")
        at_n = rows[rows["n"] == n].set_index("input")
        top = at_2n["ST"].idxmax()
        print(
            f"{output:>15} {top:>28} {at_n.loc[top, 'ST']:>8.3f} {at_2n.loc[top, 'ST']:>8.3f} "
            f"{at_2n.loc[top, 'S1']:>8.3f}"
        )


if __name__ == "__main__":
    main()
