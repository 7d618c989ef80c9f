"""Scoring: missing data → normalise → weight → aggregate (one or two levels) → rank and band.

:func:`score` keeps every stage's output in one frozen :class:`ScoreResult`; values learned from
the data (data-driven weights, the months' medians used for imputation) are recorded in
``learned_`` for the manifest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from fivecolor.data.dataset import Dataset
from fivecolor.errors import InputError
from fivecolor.params import MissingPolicy, Params, WeightsScheme
from fivecolor.scoring import aggregate as agg
from fivecolor.scoring import bands as bandmod
from fivecolor.scoring import normalise as normmod
from fivecolor.scoring import weights as schemes
from fivecolor.scoring.bands import BANDS
from fivecolor.scoring.normalise import IndicatorArrays, normalise
from fivecolor.scoring.registry import UnknownMethodError, lookup
from fivecolor.scoring.treat import treat


@dataclass(frozen=True)
class Weights:
    """Weights as used: per indicator (within its group when there are groups) and per group."""

    indicator: np.ndarray  # (I,) sums to 1 overall, or to 1 within each group
    group: np.ndarray | None  # (G,) sums to 1, or None without groups
    membership: np.ndarray | None  # (I,) group index of each indicator

    @property
    def effective(self) -> np.ndarray:
        """Each indicator's share of the composite (for arithmetic aggregation, its exact weight)."""
        if self.group is None:
            return self.indicator
        return self.indicator * self.group[self.membership]


@dataclass(frozen=True)
class ScoreResult:
    """Every stage of a scoring run, arrays indexed ``[period, station, indicator]``."""

    params: Params
    data: Dataset
    filled: np.ndarray  # raw values after the missing-data policy and any winsorising
    missing: np.ndarray  # bool: the cell was missing in the data (imputed or reweighted)
    normalised: np.ndarray  # 0..100, NaN where left out
    weights: Weights
    group_scores: np.ndarray | None  # (P, S, G)
    composite: np.ndarray  # (P, S)
    rank: np.ndarray  # (P, S) 1 = best, NaN = no score
    band: np.ndarray  # (P, S) codes 0..4, -1 = no score
    learned_: dict = field(default_factory=dict)

    @property
    def periods(self) -> tuple[str, ...]:
        return self.data.periods

    @property
    def period_index(self) -> int:
        return self.data.periods.index(self.params.period)

    def previous_index(self, period: str | None = None) -> int | None:
        """Index of the calendar month before ``period`` (default: the reported one), if it has data."""
        period = period or self.params.period
        prev = (pd.Period(period, freq="M") - 1).strftime("%Y-%m")
        return self.data.periods.index(prev) if prev in self.data.periods else None

    def table(self, period: str | None = None) -> pd.DataFrame:
        """The scores file: one row per station, best rank first.

        Columns ``station_id, name, county, period, score, rank, band, prev_band,
        change, missing`` and ``score_<indicator>`` (normalised 0..100) for each indicator.
        """
        period = period or self.params.period
        t = self.data.periods.index(period)
        p = self.previous_index(period)
        stations = self.data.stations
        band_names = np.array((*BANDS, ""), dtype=object)  # code -1 → ""
        band = band_names[self.band[t]]
        prev = (
            band_names[self.band[p]] if p is not None else np.full(len(stations), "", dtype=object)
        )
        change = change_between(self.band[p] if p is not None else None, self.band[t])
        missing = [";".join(np.asarray(self.data.indicators)[row]) for row in self.missing[t]]
        frame = pd.DataFrame(
            {
                "station_id": stations.index.to_numpy(),
                "name": stations["name"].to_numpy(),
                "county": stations["county"].to_numpy(),
                "period": period,
                "score": np.round(self.composite[t], 4),
                "rank": pd.array(self.rank[t], dtype="Int64"),
                "band": band,
                "prev_band": prev,
                "change": change,
                "missing": missing,
            }
        )
        for i, key in enumerate(self.data.indicators):
            frame[f"score_{key}"] = np.round(self.normalised[t, :, i], 4)
        return frame.sort_values(["rank", "station_id"], na_position="last").reset_index(drop=True)


def change_between(previous: np.ndarray | None, current: np.ndarray) -> np.ndarray:
    """``up`` / ``down`` / ``same`` between two months' band codes; ``new`` without a previous band."""
    if previous is None:
        previous = np.full(current.shape, bandmod.NO_BAND)
    out = np.where(current < previous, "up", np.where(current > previous, "down", "same")).astype(
        object
    )
    out[previous == bandmod.NO_BAND] = "new"
    out[current == bandmod.NO_BAND] = ""
    return out


def _keep_holes(values: np.ndarray, holes: np.ndarray) -> np.ndarray:
    """Leave the holes missing: the aggregation reweights them."""
    return values


def _impute_month_median(values: np.ndarray, holes: np.ndarray) -> np.ndarray:
    """Fill a hole with that month's median of the indicator."""
    if not holes.any():
        return values
    import warnings

    with warnings.catch_warnings(action="ignore", category=RuntimeWarning):
        medians = np.nanmedian(values, axis=1, keepdims=True)
    return np.where(holes, medians, values)


#: Missing-data policies by the name used in the parameters (``missing``; the enum
#: :class:`fivecolor.params.MissingPolicy` lists the same names): ``(values, holes) -> values``.
MISSING_POLICIES = {
    "fail": _keep_holes,
    "impute_median": _impute_month_median,
    "reweight": _keep_holes,
}


def apply_missing_policy(
    values: np.ndarray, policy: MissingPolicy
) -> tuple[np.ndarray, np.ndarray]:
    """Fill or keep the holes of a ``(P, S, I)`` cube: returns (values, mask of holes).

    ``impute_median`` fills a hole with that month's median of the indicator; ``reweight`` and
    ``fail`` leave it NaN (validation has already refused holes in the reported month under
    ``fail``; earlier months are reweighted).
    """
    holes = np.isnan(values)
    return lookup(MISSING_POLICIES, "missing-data", policy)(values, holes), holes


def _source(params: Params) -> str:
    return params.sources[0] if params.sources else "parameters"


def check_methods(
    params: Params, choices: Mapping[str, tuple[Mapping, str, Iterable]] | None = None
) -> None:
    """Refuse, as one :class:`InputError` line naming the key, a method the parameters name but
    no registry implements (the parameters' enums and the registries are meant to list the same
    names; ``tests/test_registries.py`` holds them equal).

    ``choices`` maps a parameter key to ``(registry, family, names)``; by default, the methods
    :func:`score` uses.
    """
    if choices is None:
        groups = params.groups or {}
        choices = {
            "missing": (MISSING_POLICIES, "missing-data", (params.missing,)),
            "normalisation": (normmod.METHODS, "normalisation", (params.normalisation,)),
            "weights_scheme": (schemes.SCHEMES, "weighting", (params.weights_scheme,)),
            "aggregation": (agg.METHODS, "aggregation", (params.aggregation,)),
            **{
                f"groups.{name}.aggregation": (agg.METHODS, "aggregation", (g.aggregation,))
                for name, g in groups.items()
                if g.aggregation is not None
            },
            "bands.method": (bandmod.BAND_METHODS, "band", (params.bands.method,)),
        }
    for key, (registry, family, names) in choices.items():
        for name in names:
            try:
                lookup(registry, family, name)
            except UnknownMethodError as exc:
                raise InputError(_source(params), key, str(exc)) from None


def resolve_weights(params: Params, normalised_month: np.ndarray) -> tuple[Weights, dict]:
    """Indicator and group weights under ``weights_scheme``; data-driven schemes use the reported month."""
    given = np.array([s.weight for s in params.indicators.values()], dtype=float)
    learned: dict = {}
    scheme = params.weights_scheme
    if scheme is WeightsScheme.given:
        raw = given
    elif scheme is WeightsScheme.equal:
        raw = np.ones_like(given)
    else:
        matrix = None
        if scheme is WeightsScheme.ahp:
            ahp = params.ahp
            assert ahp is not None  # validation requires the matrix with the ahp scheme
            order = [ahp.order.index(k) for k in params.indicator_keys]
            matrix = np.asarray(ahp.matrix, dtype=float)[np.ix_(order, order)]
            try:
                result = schemes.ahp_weights(matrix, labels=params.indicator_keys)
            except ValueError as exc:  # not reciprocal, a diagonal other than 1, ...
                raise InputError(_source(params), "ahp.matrix", str(exc)) from None
            learned["ahp_consistency_ratio"] = float(result.cr)
            if result.cr >= ahp.max_cr:
                raise InputError(
                    _source(params),
                    "ahp.matrix",
                    f"consistency ratio {result.cr:.3f} is at or above ahp.max_cr "
                    f"{ahp.max_cr:g}; revise the comparisons",
                )
        raw = lookup(schemes.SCHEMES, "weighting", scheme)(normalised_month, given, matrix)
        learned["weights"] = dict(
            zip(params.indicator_keys, np.round(raw, 6).tolist(), strict=True)
        )
    if params.groups is None:
        return Weights(indicator=raw / raw.sum(), group=None, membership=None), learned
    names = list(params.groups)
    # with groups, validation gave every indicator one of them
    membership = np.array([names.index(cast(str, s.group)) for s in params.indicators.values()])
    within = raw / np.bincount(membership, weights=raw, minlength=len(names))[membership]
    group = np.array([params.groups[n].weight for n in names], dtype=float)
    return Weights(
        indicator=np.nan_to_num(within), group=group / group.sum(), membership=membership
    ), learned


def composite_scores(
    normalised: np.ndarray, weights: Weights, params: Params
) -> tuple[np.ndarray, np.ndarray | None]:
    """Aggregate (..., S, I) normalised scores to (..., S), through the groups when there are any."""
    top = params.aggregation.value
    if weights.group is None:
        return agg.aggregate(normalised, weights.indicator, top), None
    assert params.groups is not None  # group weights come only from the groups
    group_scores = np.stack(
        [
            agg.aggregate(
                normalised[..., weights.membership == g],
                weights.indicator[weights.membership == g],
                (spec.aggregation or params.aggregation).value,
            )
            for g, spec in enumerate(params.groups.values())
        ],
        axis=-1,
    )
    return agg.aggregate(group_scores, weights.group, top), group_scores


def score(data: Dataset, params: Params) -> ScoreResult:
    """Score every month of ``data`` under ``params``.

    Examples
    --------
    >>> from fivecolor import load_params, load_data, score  # doctest: +SKIP
    >>> p = load_params("params/2020-05.yaml")  # doctest: +SKIP
    >>> score(load_data(p), p).table().head()  # doctest: +SKIP
    """
    check_methods(params)
    ind = IndicatorArrays.from_params(params)
    filled, holes = apply_missing_policy(data.values, params.missing)
    filled = treat(filled, params)  # winsorising, when the parameters ask for it
    normalised = normalise(filled, ind, params.normalisation.value)
    t = data.periods.index(params.period)
    weights, learned = resolve_weights(params, normalised[t])
    composite, group_scores = composite_scores(normalised, weights, params)
    composite = np.round(composite, 9)  # float noise must not decide a band at a cut-off
    return ScoreResult(
        params=params,
        data=data,
        filled=filled,
        missing=holes,
        normalised=normalised,
        weights=weights,
        group_scores=group_scores,
        composite=composite,
        rank=bandmod.shared_rank(composite),  # tied composites share the best rank
        band=bandmod.held_bands(composite, params.bands),  # stable colours when asked for
        learned_=learned,
    )
