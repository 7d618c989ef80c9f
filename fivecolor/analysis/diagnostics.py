"""The Handbook's statistical checks of the indicators of one month.

As in the OECD/JRC *Handbook on Constructing Composite Indicators* (2008, sections 1.4-1.5)
and COINr's ``get_corr``, ``get_cronbach``, ``get_PCA`` and outlier statistics: how the
indicators correlate with each other and with the composite (an indicator that runs against
the composite, or ignores it, is flagged), Cronbach's alpha of the set and with each indicator
dropped, the variance each principal component explains, and each indicator's skew and
kurtosis (flagged as COINr flags outliers: absolute skew above 2 and kurtosis above 3.5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.stats

from fivecolor.scoring.pipeline import ScoreResult

#: An indicator whose correlation with the composite is below this is flagged "weak".
WEAK_CORRELATION = 0.1
#: COINr's default outlier thresholds: |skew| above 2 and (excess) kurtosis above 3.5.
SKEW_LIMIT, KURTOSIS_LIMIT = 2.0, 3.5


@dataclass(frozen=True)
class Diagnostics:
    """The checks of one month.

    Attributes
    ----------
    correlations
        Pearson correlations between the indicators' normalised scores (square, by key).
    with_composite
        Index the indicators; ``r`` (Pearson with the composite) and ``flag``: ``negative``,
        ``weak`` (below :data:`WEAK_CORRELATION`) or empty.
    alpha
        Cronbach's alpha of all the indicators.
    alpha_dropped
        Cronbach's alpha with each indicator left out (a rise says it does not fit the set).
    pca
        Per principal component of the correlation matrix: ``eigenvalue``, ``explained`` and
        ``cumulative`` (shares of the variance).
    shape
        Index the indicators; ``skew``, ``kurtosis`` (excess) of the raw values and ``outliers``
        (True when both pass COINr's thresholds: winsorising may be worth a look).
    """

    correlations: pd.DataFrame
    with_composite: pd.DataFrame
    alpha: float
    alpha_dropped: pd.Series
    pca: pd.DataFrame
    shape: pd.DataFrame


def cronbach_alpha(items: np.ndarray) -> float:
    """Cronbach's alpha of items (observations, k): ``k / (k - 1) (1 - sum of item variances /
    variance of the total)`` (Cronbach 1951, Psychometrika 16(3)), rows with a gap left out."""
    items = items[~np.isnan(items).any(axis=1)]
    k = items.shape[1]
    if k < 2 or items.shape[0] < 2:
        return float("nan")
    total = items.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / total))


def diagnostics(result: ScoreResult, period: str | None = None) -> Diagnostics:
    """The Handbook's checks of ``period`` (default: the reported month) of a scoring run.

    The correlations, alpha and PCA use the normalised scores (what the composite adds up);
    skew and kurtosis the raw values after any winsorising (what the treatment acts on).
    """
    t = result.periods.index(period or result.params.period)
    keys = list(result.params.indicator_keys)
    scores = pd.DataFrame(result.normalised[t], columns=keys)
    correlations = scores.corr(method="pearson")
    composite = pd.Series(result.composite[t])
    r = scores.corrwith(composite)
    flag = np.where(r < 0, "negative", np.where(r < WEAK_CORRELATION, "weak", ""))
    with_composite = pd.DataFrame({"r": r, "flag": flag}, index=pd.Index(keys, name="indicator"))
    values = scores.to_numpy()
    dropped = pd.Series(
        [cronbach_alpha(np.delete(values, i, axis=1)) for i in range(len(keys))],  # k indicators
        index=pd.Index(keys, name="indicator"),
        name="alpha_dropped",
    )
    complete = scores.dropna()
    eigen = np.sort(np.linalg.eigvalsh(complete.corr().fillna(0).to_numpy()))[::-1]
    share = eigen / eigen.sum()
    pca = pd.DataFrame(
        {"eigenvalue": eigen, "explained": share, "cumulative": np.cumsum(share)},
        index=pd.Index(range(1, len(eigen) + 1), name="component"),
    )
    raw = result.filled[t]
    skew = scipy.stats.skew(raw, axis=0, nan_policy="omit")
    kurtosis = scipy.stats.kurtosis(raw, axis=0, nan_policy="omit")
    shape = pd.DataFrame(
        {
            "skew": np.asarray(skew, dtype=float),
            "kurtosis": np.asarray(kurtosis, dtype=float),
        },
        index=pd.Index(keys, name="indicator"),
    ).assign(outliers=lambda f: (f["skew"].abs() > SKEW_LIMIT) & (f["kurtosis"] > KURTOSIS_LIMIT))
    return Diagnostics(
        correlations=correlations,
        with_composite=with_composite,
        alpha=cronbach_alpha(values),
        alpha_dropped=dropped,
        pca=pca,
        shape=shape,
    )
