"""Tied composites: the published ranks, the quantile bands and the Monte Carlo treat them alike
(the competition rule: equal composites share the best rank), whatever the stations' ids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.stats

from fivecolor import load_data, load_params, score
from fivecolor.analysis import sensitivity as sa
from fivecolor.scoring import bands as bandmod


def _twins(project):
    """The project with NB08's values (every month) copied from NB01: ids at both ends."""
    rows = project.indicators.copy()
    first = rows[rows["station_id"] == "NB01"].set_index(["period", "indicator"])["value"]
    last = rows["station_id"] == "NB08"
    rows.loc[last, "value"] = [
        first[(p, i)]
        for p, i in zip(rows.loc[last, "period"], rows.loc[last, "indicator"], strict=True)
    ]
    params = load_params(project.with_indicators(rows))
    return score(load_data(params), params)


def test_identical_stations_get_one_rank_and_identical_intervals(project):
    result = _twins(project)
    ids = list(result.data.stations.index)
    a, z = ids.index("NB01"), ids.index("NB08")
    t = result.period_index
    assert result.composite[t, a] == result.composite[t, z]
    assert result.rank[t, a] == result.rank[t, z]  # not one rank apart by id
    mc = sa.monte_carlo(result, samples=3000)
    np.testing.assert_array_equal(mc.ranks[:, a], mc.ranks[:, z])
    table = sa.station_uncertainty(mc).set_index("station_id")
    pd.testing.assert_series_equal(table.loc["NB01"], table.loc["NB08"], check_names=False)


def test_shared_ranks_are_scipy_min_ranks_with_ties_and_gaps():
    rng = np.random.default_rng(0)
    x = np.round(rng.random((300, 50)) * 100, 9)
    x[:, 10] = x[:, 3]
    x[:, 40] = x[:, 3]
    x[:, 20] = np.nan  # no score, no rank
    x[5, :] = 42.0
    x[6, :7] = 0.0
    want = np.where(
        np.isnan(x), np.nan, scipy.stats.rankdata(-x, method="min", axis=1, nan_policy="omit")
    )
    np.testing.assert_array_equal(bandmod.shared_rank(x), want)
    np.testing.assert_array_equal(bandmod.shared_rank(x[:, ::-1]), want[:, ::-1])
    assert bandmod.shared_rank(np.array([90.0, 80.0, 80.0, 70.0])).tolist() == [1, 2, 2, 4]


def test_quantile_bands_put_tied_composites_in_one_band():
    from fivecolor.params import Bands

    scores = np.array([95.0, 90.0, 80.0, 80.0, 80.0, 70.0, 60.0, 50.0, 40.0, 30.0])
    codes = bandmod.assign(scores, Bands(method="quantiles", quantiles=(0.9, 0.7, 0.3, 0.1)))
    # the three 80s straddle the orange/blue boundary (3 stations above 0.7): all orange
    assert codes[2:5].tolist() == [1, 1, 1]
    reversed_codes = bandmod.assign(scores[::-1], Bands(method="quantiles"))[::-1]
    np.testing.assert_array_equal(codes, reversed_codes)  # position plays no part
