"""The weighting schemes side by side: their weights, and the month's ranking under each.

The AHP matrix is checked here (:func:`check_ahp`) before any scheme's weights are used;
:func:`scheme_rankings` and :func:`scheme_rank_correlations` compare the rankings the schemes
give, every other choice as published (OECD/JRC Handbook 2008, section 6).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fivecolor.analysis.sensitivity.engine import _published_rerun
from fivecolor.data.dataset import Dataset
from fivecolor.errors import InputError
from fivecolor.params import Params, WeightsScheme
from fivecolor.scoring import weights as weighting
from fivecolor.scoring.normalise import IndicatorArrays, normalise
from fivecolor.scoring.pipeline import ScoreResult, apply_missing_policy, resolve_weights
from fivecolor.scoring.treat import treat


def _source(params: Params) -> str:
    return params.sources[0] if params.sources else "parameters"


def _checked_ahp_matrix(params: Params) -> np.ndarray:
    """The AHP matrix in indicator order, refused (InputError on ``ahp.matrix``) when unusable."""
    if params.ahp is None:
        raise InputError(
            _source(params), "ahp", "the ahp scheme needs an ahp matrix (ahp.order, ahp.matrix)"
        )
    order = [params.ahp.order.index(k) for k in params.indicator_keys]
    matrix = np.asarray(params.ahp.matrix, dtype=float)[np.ix_(order, order)]
    try:
        result = weighting.ahp_weights(matrix, labels=params.indicator_keys)
    except ValueError as exc:
        raise InputError(_source(params), "ahp.matrix", str(exc)) from None
    if result.cr >= params.ahp.max_cr:
        raise InputError(
            _source(params),
            "ahp.matrix",
            f"consistency ratio {result.cr:.3f} is at or above ahp.max_cr "
            f"{params.ahp.max_cr:g}; revise the comparisons",
        )
    return matrix


def check_ahp(params: Params) -> None:
    """Refuse an unusable or too inconsistent AHP matrix (InputError on ``ahp.matrix``) when the
    AHP scheme is used: as ``weights_scheme`` or among ``sensitivity.weights.schemes``."""
    if WeightsScheme.ahp in (params.weights_scheme, *params.sensitivity.weights.schemes):
        _checked_ahp_matrix(params)


def normalised_month(params: Params, data: Dataset, method: str | None = None) -> np.ndarray:
    """The reported month's normalised scores (stations, indicators) under ``method`` (default: the
    parameters'), after the missing-data policy and any winsorising, without aggregating anything."""
    t = data.periods.index(params.period)
    filled, _ = apply_missing_policy(data.values, params.missing)
    method = method or params.normalisation.value
    return normalise(treat(filled[t], params), IndicatorArrays.from_params(params), method)


def scheme_weights(params: Params, month_scores: np.ndarray) -> pd.DataFrame:
    """Every weighting scheme's weights side by side (OECD/JRC Handbook 2008, section 6).

    Parameters
    ----------
    params
        The parameters: the catalogue's given weights and, when present, the AHP matrix.
    month_scores
        The reported month's normalised scores, (stations, indicators); see
        :func:`normalised_month`.

    Returns
    -------
    pandas.DataFrame
        One row per scheme (index ``scheme``: given, equal, entropy, critic, pca and ahp when
        the parameters have a matrix), one column per indicator key, and ``consistency_ratio``
        (AHP's CR on its row, empty elsewhere). The weights are the scheme's raw weights over
        all indicators, before any split into groups.

    Raises
    ------
    InputError
        On ``ahp.matrix`` when the matrix is not a valid reciprocal matrix or its consistency
        ratio is at or above ``ahp.max_cr``.
    """
    matrix = _checked_ahp_matrix(params) if params.ahp is not None else None
    given = np.array([s.weight for s in params.indicators.values()], dtype=float)
    table = weighting.all_scheme_weights(month_scores, given, matrix)
    return table.rename(columns=dict(enumerate(params.indicator_keys)))


def _scheme_effective(
    params: Params, scheme: WeightsScheme | str, month_scores: np.ndarray
) -> np.ndarray:
    """Each indicator's share of the composite under ``scheme`` (groups applied), shape (I,)."""
    scheme = WeightsScheme(scheme)
    if scheme is WeightsScheme.ahp:
        _checked_ahp_matrix(params)
    if scheme is not params.weights_scheme:
        params = params.replace(weights_scheme=scheme)
    weights, _ = resolve_weights(params, month_scores)
    return weights.effective


def _scheme_names(params: Params) -> list[str]:
    return [s.value for s in WeightsScheme if s is not WeightsScheme.ahp or params.ahp is not None]


def scheme_rankings(result: ScoreResult) -> pd.DataFrame:
    """The month's ranks under every weighting scheme, other choices as published.

    Returns
    -------
    pandas.DataFrame
        Index ``station_id``; one column of ranks per scheme (given, equal, entropy, critic,
        pca, and ahp when the parameters have a matrix). OECD/JRC Handbook (2008, section 6).

    Raises
    ------
    InputError
        On ``ahp.matrix`` when the AHP matrix is unusable or too inconsistent.
    """
    t = result.period_index
    names = _scheme_names(result.params)
    weights = np.stack([_scheme_effective(result.params, s, result.normalised[t]) for s in names])
    ranks, _ = _published_rerun(result, weights)
    return pd.DataFrame(
        ranks.T,
        columns=pd.Index(names, name="scheme"),
        index=pd.Index(result.data.stations.index, name="station_id"),
    )


def scheme_rank_correlations(result: ScoreResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Spearman's rho and Kendall's tau between the schemes' rankings (scipy.stats), over the
    stations with a score (OECD/JRC Handbook 2008; Saisana, Saltelli & Tarantola 2005).

    Returns
    -------
    spearman, kendall
        Square DataFrames indexed and columned by scheme.
    """
    import scipy.stats  # imported where used: `fivecolor sensitivity` does without it

    ranks = scheme_rankings(result).dropna()
    names = list(ranks.columns)
    c = len(names)
    rho = np.ones((c, c))
    tau = np.ones((c, c))
    for i in range(c):  # a handful of schemes: pairs, not stations
        for j in range(i + 1, c):
            x, y = ranks.iloc[:, i].to_numpy(), ranks.iloc[:, j].to_numpy()
            # scipy builds its result classes at run time; pyright cannot see their fields
            rho[i, j] = rho[j, i] = scipy.stats.spearmanr(x, y).statistic  # pyright: ignore[reportAttributeAccessIssue]
            tau[i, j] = tau[j, i] = scipy.stats.kendalltau(x, y).statistic  # pyright: ignore[reportAttributeAccessIssue]
    index = pd.Index(names, name="scheme")
    return (
        pd.DataFrame(rho, index=index, columns=index.copy()),
        pd.DataFrame(tau, index=index, columns=index.copy()),
    )
