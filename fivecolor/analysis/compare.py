"""Two methods side by side: how the month's colours and ranks move from one scoring to another.

:func:`compare` takes two scoring runs of the same month and stations (for example the
published parameters and the same with a scheme file merged over them) and gives the colour
transition matrix, the stations whose colour changes and by how many bands, the count of each
colour, and the rank correlations (Spearman's ρ and Kendall's τ, :mod:`scipy.stats`).
:func:`concentrated_weights` flags a data-driven scheme that leans on one indicator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.stats

from fivecolor.params import WeightsScheme
from fivecolor.scoring.bands import BANDS
from fivecolor.scoring.pipeline import ScoreResult, score

#: Schemes whose weights are learned from the month's data (and so may lean on one indicator).
DATA_DRIVEN = (WeightsScheme.entropy, WeightsScheme.critic, WeightsScheme.pca)


@dataclass(frozen=True)
class Comparison:
    """Method A against method B on one month.

    Attributes
    ----------
    transition
        (5, 5) counts: rows A's colour, columns B's colour (best first, named by :data:`BANDS`).
    changes
        One row per station whose colour differs: ``station_id, name, band_a, band_b, steps``
        (B's band code minus A's: negative is better under B), ``score_a, score_b, rank_a,
        rank_b``; the largest moves first.
    counts
        Index the colours; columns ``a``, ``b`` and ``difference`` (b - a).
    spearman, kendall
        Rank correlations of the two rankings over the stations scored under both.
    """

    transition: pd.DataFrame
    changes: pd.DataFrame
    counts: pd.DataFrame
    spearman: float
    kendall: float

    @property
    def changed(self) -> int:
        """How many stations change colour."""
        return len(self.changes)


def compare(a: ScoreResult, b: ScoreResult) -> Comparison:
    """Compare the reported month under two scorings of the same data.

    Raises
    ------
    ValueError
        When the two runs are not of the same month and stations.
    """
    if a.params.period != b.params.period or not a.data.stations.index.equals(
        b.data.stations.index
    ):
        raise ValueError("compare needs two scorings of the same month and stations")
    ta, tb = a.period_index, b.period_index
    band_a, band_b = a.band[ta], b.band[tb]
    both = (band_a >= 0) & (band_b >= 0)
    n = len(BANDS)
    cells = np.bincount(band_a[both] * n + band_b[both], minlength=n * n).reshape(n, n)
    names = pd.Index(BANDS, name="band")
    transition = pd.DataFrame(cells, index=names.rename("a"), columns=names.rename("b"))
    counts = pd.DataFrame({"a": cells.sum(axis=1), "b": cells.sum(axis=0)}, index=names).assign(
        difference=lambda f: f["b"] - f["a"]
    )
    moved = both & (band_a != band_b)
    labels = np.asarray(BANDS, dtype=object)
    stations = a.data.stations
    changes = pd.DataFrame(
        {
            "station_id": stations.index.to_numpy()[moved],
            "name": stations["name"].to_numpy()[moved],
            "band_a": labels[band_a[moved]],
            "band_b": labels[band_b[moved]],
            "steps": band_b[moved] - band_a[moved],
            "score_a": a.composite[ta][moved],
            "score_b": b.composite[tb][moved],
            "rank_a": a.rank[ta][moved],
            "rank_b": b.rank[tb][moved],
        }
    )
    changes = (
        changes.assign(_size=changes["steps"].abs())
        .sort_values(["_size", "rank_a", "station_id"], ascending=[False, True, True])
        .drop(columns="_size")
        .reset_index(drop=True)
    )
    scored = ~np.isnan(a.composite[ta]) & ~np.isnan(b.composite[tb])
    x, y = a.composite[ta][scored], b.composite[tb][scored]
    # scipy builds its result classes at run time; pyright cannot see their fields
    rho = scipy.stats.spearmanr(x, y).statistic  # pyright: ignore[reportAttributeAccessIssue]
    tau = scipy.stats.kendalltau(x, y).statistic  # pyright: ignore[reportAttributeAccessIssue]
    return Comparison(transition, changes, counts, float(rho), float(tau))


def concentrated_weights(result: ScoreResult) -> pd.Series:
    """Indicators holding more than ``sensitivity.max_weight_share`` of the composite under a
    data-driven scheme (entropy, CRITIC, PCA): their effective shares, largest first; empty
    for given, equal and AHP weights, which the committee chose."""
    params = result.params
    if params.weights_scheme not in DATA_DRIVEN:
        return pd.Series(dtype=float, name="share")
    shares = pd.Series(result.weights.effective, index=list(params.indicator_keys), name="share")
    return shares[shares > params.sensitivity.max_weight_share].sort_values(ascending=False)


def heavy_scheme_weights(table: pd.DataFrame, share: float) -> pd.DataFrame:
    """The data-driven schemes' weights above ``share`` in a table of
    :func:`fivecolor.analysis.sensitivity.scheme_weights` (one row per scheme, one column per
    indicator): ``scheme, indicator, share``, largest first."""
    rows = table.loc[table.index.isin([s.value for s in DATA_DRIVEN])]
    weights = rows.drop(columns="consistency_ratio", errors="ignore")
    long = weights.stack().reset_index()
    long.columns = ["scheme", "indicator", "share"]
    return long[long["share"] > share].sort_values("share", ascending=False).reset_index(drop=True)


@dataclass(frozen=True)
class MethodComparison:
    """The month under one other method: its name, its scoring and its comparison with ``result``."""

    name: str
    result: ScoreResult
    comparison: Comparison


def compare_methods(result: ScoreResult) -> list[MethodComparison]:
    """The month under each other weighting scheme (the AHP one when the parameters have a
    matrix) and under the other aggregation, everything else as published, each compared
    with ``result`` (:func:`compare`)."""
    params = result.params
    changes: list[tuple[str, dict]] = [
        (scheme.value, {"weights_scheme": scheme})
        for scheme in WeightsScheme
        if scheme is not params.weights_scheme
        and (scheme is not WeightsScheme.ahp or params.ahp is not None)
    ]
    other = "geometric" if params.aggregation.value == "arithmetic" else "arithmetic"
    changes.append((other, {"aggregation": other}))
    out = []
    for name, change in changes:  # a handful of methods, each one scoring run
        again = score(result.data, params.replace(**change))
        out.append(MethodComparison(name, again, compare(result, again)))
    return out
