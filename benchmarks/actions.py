"""Plan speed: the plan to the next colour for every station below red, 60 and 3,000 stations.

Prints the median of a few runs of :func:`fivecolor.analysis.plan.plans` (and of the stage
forecast) and how many stations got a plan or a named binding bound. Run with
`.venv/bin/python benchmarks/actions.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import tempfile
from functools import partial
from pathlib import Path

from scoring import company

from fivecolor import load_data, load_params, score
from fivecolor.analysis.actions import department_help
from fivecolor.analysis.forecast import stage_forecast
from fivecolor.analysis.plan import plans

from _timing import timed  # benchmarks/ is on sys.path when a script runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'stations':>8} {'below red':>9} {'plans':>6} {'short':>6} {'plan s':>8} {'forecast s':>10}"
    )
    for n_stations in (60, 3_000):
        with tempfile.TemporaryDirectory() as tmp:
            params = load_params(company(Path(tmp), n_stations, 13, "csv"))
            result = score(load_data(params), params)
            t_plan, _ = timed(partial(plans, result), args.repeat)
            stations, _ = plans(result)
            help_rows = department_help(result)
            t_forecast, _ = timed(partial(stage_forecast, result, help_rows), args.repeat)
            found = int((stations["status"] == "plan").sum())
            print(
                f"{n_stations:>8} {len(stations):>9} {found:>6} {len(stations) - found:>6} "
                f"{t_plan:>8.2f} {t_forecast:>10.2f}"
            )


if __name__ == "__main__":
    main()
