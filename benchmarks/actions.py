"""Plan speed: the plan to the next colour for every station below red, 60 and 3,000 stations.

Prints the median of a few runs of :func:`fivecolor.analysis.plan.plans` for each effort model
(``actions.plan.effort``), how many stations got a plan or a named binding bound and the median
number of indicators a plan names (and the time of the stage forecast). Run with
`.venv/bin/python benchmarks/actions.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import dataclasses
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
        f"{'stations':>8} {'effort':>9} {'below red':>9} {'plans':>6} {'short':>6} "
        f"{'indicators':>10} {'plan s':>8} {'forecast s':>10}"
    )
    for n_stations in (60, 3_000):
        with tempfile.TemporaryDirectory() as tmp:
            params = load_params(company(Path(tmp), n_stations, 13, "csv"))
            scored = score(load_data(params), params)
            help_rows = department_help(scored)
            t_forecast, _ = timed(partial(stage_forecast, scored, help_rows), args.repeat)
            for effort in ("linear", "quadratic"):
                settings = scored.params.actions.model_dump(mode="python")
                settings["plan"]["effort"] = effort
                result = dataclasses.replace(scored, params=scored.params.replace(actions=settings))
                t_plan, _ = timed(partial(plans, result), args.repeat)
                stations, _ = plans(result)
                found = stations["status"] == "plan"
                indicators = stations.loc[found, "indicators"].median()
                print(
                    f"{n_stations:>8} {effort:>9} {len(stations):>9} {int(found.sum()):>6} "
                    f"{int((~found).sum()):>6} {indicators:>10.0f} {t_plan:>8.2f} "
                    f"{t_forecast:>10.2f}"
                )


if __name__ == "__main__":
    main()
