"""Indicator weighting schemes.

Every scheme returns a vector of nonnegative weights summing to one, one per indicator, in the
order of the columns (or of the AHP matrix) it was given. The data-driven schemes (entropy,
CRITIC, PCA) read a stations x indicators matrix of normalised scores (0..100, higher is
better) where NaN marks a missing cell; missing cells are ignored column by column (or pair by
pair for correlations), never imputed.

``SCHEMES`` maps the names used in the parameters (``weights_scheme``) to functions with one
common signature ``(x, given, ahp_matrix) -> weights``; ``all_scheme_weights`` tabulates them.

References
----------
.. [1] Shannon, C. E. (1948). A mathematical theory of communication. *Bell System Technical
   Journal*, 27(3), 379-423.
.. [2] Zou, Z., Yun, Y. & Sun, J. (2006). Entropy method for determination of weight of
   evaluating indicators in fuzzy synthetic evaluation for water quality assessment.
   *Journal of Environmental Sciences*, 18(5), 1020-1023.
.. [3] Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining objective weights
   in multiple criteria problems: the CRITIC method. *Computers & Operations Research*,
   22(7), 763-770.
.. [4] OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
   Guide*. OECD Publishing, section 6.1; after Nicoletti, G., Scarpetta, S. & Boylaud, O.
   (2000). Summary indicators of product market regulation with an extension to employment
   protection legislation. OECD Economics Department Working Papers 226.
.. [5] Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor analysis.
   *Psychometrika*, 23(3), 187-200.
.. [6] Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill, New York.
.. [7] Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process.
   *European Journal of Operational Research*, 48(1), 9-26.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "RANDOM_INDEX",
    "SCHEMES",
    "AhpResult",
    "ahp_weights",
    "all_scheme_weights",
    "critic_weights",
    "entropy_weights",
    "equal_weights",
    "given_weights",
    "pca_weights",
    "random_index",
    "varimax",
]

#: Saaty's random consistency index RI(n) for n = 1..15: the mean consistency index of random
#: reciprocal matrices filled from the 1-9 scale, as tabulated in Saaty (1980) [6]; the values
#: for n = 1..10 are reprinted in Saaty (1990) [7]. (The dip at n = 12 is in the source table.)
RANDOM_INDEX: dict[int, float] = {
    1: 0.00,
    2: 0.00,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}

#: Relative tolerance on a_ij * a_ji = 1, so that judgements typed as 0.333 for 1/3 pass.
AHP_RECIPROCAL_RTOL = 0.01

# Eigenvalues this close to a threshold or to each other count as equal, so that the set of
# retained components does not depend on rounding (nor on the order of the columns).
_EIGEN_TOL = 1e-9


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _as_score_matrix(x: np.ndarray) -> np.ndarray:
    """Return ``x`` as a 2-D float array, checking that it holds only finite values or NaN."""
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"expected a stations x indicators matrix, got {arr.ndim} dimension(s)")
    if arr.shape[1] == 0:
        raise ValueError("expected at least one indicator column")
    if np.isinf(arr).any():
        row, col = np.argwhere(np.isinf(arr))[0]
        raise ValueError(f"infinite value at row {row}, column {col}")
    return arr


def _normalise(w: np.ndarray) -> np.ndarray:
    """Scale a nonnegative vector to unit sum; equal weights when it is all zero."""
    total = w.sum()
    if not total > 0:
        return equal_weights(w.size)
    return w / total


def _constant_columns(x: np.ndarray) -> np.ndarray:
    """Boolean mask of columns with fewer than two distinct observed values."""
    observed = ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        lo = np.where(observed, x, np.inf).min(axis=0)
        hi = np.where(observed, x, -np.inf).max(axis=0)
    # An all-missing column has lo = inf > hi = -inf: no information, counts as constant.
    return ~(hi > lo)


def _pairwise_corr(x: np.ndarray) -> np.ndarray:
    """Pearson correlations over pairwise-complete observations.

    Pairs with fewer than two joint observations, or with no spread on their joint rows, get a
    correlation of 0 (no evidence of association); the diagonal is 1.
    """
    observed = ~np.isnan(x)
    mask = observed.astype(float)
    # Centring first keeps the sums of products well conditioned.
    centred = np.where(observed, x - np.nanmean(x, axis=0), 0.0)
    n = mask.T @ mask
    sum_j = centred.T @ mask  # [j, k]: sum of column j over rows where j and k are observed
    sum_k = sum_j.T
    sq_j = (centred**2).T @ mask
    sq_k = sq_j.T
    cross = centred.T @ centred
    cov = n * cross - sum_j * sum_k
    var = (n * sq_j - sum_j**2) * (n * sq_k - sum_k**2)
    scale = np.abs(sq_j) + np.abs(sq_k)
    # Spread below rounding noise on the joint rows means no spread at all.
    usable = (n >= 2) & (var > (1e-12 * n * scale) ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(usable, cov / np.sqrt(np.where(usable, var, 1.0)), 0.0)
    r = np.clip(r, -1.0, 1.0)
    np.fill_diagonal(r, 1.0)
    return r


# --------------------------------------------------------------------------------------------
# given and equal weights
# --------------------------------------------------------------------------------------------


def equal_weights(n: int) -> np.ndarray:
    """Equal weights, the default of composite-indicator practice.

    Parameters
    ----------
    n
        Number of indicators, at least 1.

    Returns
    -------
    numpy.ndarray
        ``n`` weights of ``1 / n``.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 6 ("equal
    weighting").

    Examples
    --------
    >>> equal_weights(4)
    array([0.25, 0.25, 0.25, 0.25])
    """
    if int(n) != n or n < 1:
        raise ValueError(f"the number of indicators must be a positive integer, got {n!r}")
    return np.full(int(n), 1.0 / n)


def given_weights(w: Sequence[float] | np.ndarray) -> np.ndarray:
    """Weights stated by the analyst (the catalogue's ``weight`` values), scaled to sum 1.

    Parameters
    ----------
    w
        Nonnegative finite weights, any scale (points, percentages), not all zero.

    Returns
    -------
    numpy.ndarray
        ``w / sum(w)``.

    Raises
    ------
    ValueError
        On a negative or non-finite weight, or weights summing to zero.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 6.

    Examples
    --------
    >>> given_weights([15, 5])
    array([0.75, 0.25])
    """
    arr = np.asarray(w, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("given weights must be a non-empty list of numbers")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"given weight at position {int(np.argmax(bad))} is not finite")
    if (arr < 0).any():
        pos = int(np.argmax(arr < 0))
        raise ValueError(f"given weight at position {pos} is negative ({arr[pos]:g})")
    if not arr.sum() > 0:
        raise ValueError("given weights sum to zero")
    return arr / arr.sum()


# --------------------------------------------------------------------------------------------
# entropy weight method
# --------------------------------------------------------------------------------------------


def entropy_weights(x: np.ndarray) -> np.ndarray:
    """Entropy weight method (熵权法).

    Each indicator's weight grows with how unevenly its scores spread over the stations:
    Shannon's entropy [1]_ of the column's share distribution, in the formulation of Zou, Yun &
    Sun (2006) [2]_. The scores play the role of the standardised matrix (0..100, higher
    better), so for column ``j`` with ``m_j`` observed cells:

    .. math::

        p_{ij} = x_{ij} / \\sum_i x_{ij},\\quad
        e_j = -\\frac{1}{\\ln m_j} \\sum_i p_{ij} \\ln p_{ij},\\quad
        d_j = 1 - e_j,\\quad w_j = d_j / \\sum_k d_k,

    with :math:`0 \\ln 0 = 0`.

    Parameters
    ----------
    x
        Stations x indicators matrix of nonnegative normalised scores; NaN = missing, ignored
        in its column.

    Returns
    -------
    numpy.ndarray
        One weight per column, nonnegative, summing to 1. A constant column (including all-zero
        and columns with fewer than two observed cells) has zero divergence and weight 0; when
        every column is constant the weights are equal.

    Raises
    ------
    ValueError
        On a negative or infinite score.

    References
    ----------
    .. [1] Shannon, C. E. (1948). A mathematical theory of communication. *Bell System
       Technical Journal*, 27(3), 379-423.
    .. [2] Zou, Z., Yun, Y. & Sun, J. (2006). Entropy method for determination of weight of
       evaluating indicators in fuzzy synthetic evaluation for water quality assessment.
       *Journal of Environmental Sciences*, 18(5), 1020-1023.

    Examples
    --------
    >>> entropy_weights(np.array([[50.0, 10.0], [50.0, 90.0]])).round(3)
    array([0., 1.])
    """
    x = _as_score_matrix(x)
    if (x < 0).any():
        row, col = np.argwhere(x < 0)[0]
        raise ValueError(
            f"entropy weights need nonnegative scores; row {row}, column {col} is {x[row, col]:g}"
        )
    observed = ~np.isnan(x)
    m = observed.sum(axis=0)
    informative = ~_constant_columns(x)
    filled = np.where(observed, x, 0.0)
    totals = filled.sum(axis=0)
    p = filled / np.where(informative, totals, 1.0)
    import scipy.special  # imported where used, to keep scipy off the command line's start

    # xlogy gives 0 * ln 0 = 0, the convention of the method.
    plogp = scipy.special.xlogy(p, p).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = np.where(informative, -plogp / np.log(np.where(m > 1, m, 2)), 1.0)
    divergence = np.clip(1.0 - entropy, 0.0, None)
    return _normalise(np.where(informative, divergence, 0.0))


# --------------------------------------------------------------------------------------------
# CRITIC
# --------------------------------------------------------------------------------------------


def critic_weights(x: np.ndarray) -> np.ndarray:
    """CRITIC weights (CRiteria Importance Through Intercriteria Correlation).

    Diakoulaki, Mavrotas & Papayannakis (1995) [1]_: after min-max normalising each column,
    an indicator's information content is its contrast (standard deviation) times its conflict
    with the others,

    .. math:: C_j = \\sigma_j \\sum_k (1 - r_{jk}),\\qquad w_j = C_j / \\sum_k C_k,

    where :math:`r_{jk}` is Pearson's correlation. Standard deviations use ``ddof=1`` over each
    column's observed cells; correlations use pairwise-complete rows.

    Parameters
    ----------
    x
        Stations x indicators matrix of normalised scores (higher better); NaN = missing.

    Returns
    -------
    numpy.ndarray
        One weight per column, nonnegative, summing to 1. Constant columns carry no contrast
        and get weight 0; they are left out of the others' conflict sums (their correlation is
        undefined). All columns constant gives equal weights.

    References
    ----------
    .. [1] Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining objective
       weights in multiple criteria problems: the CRITIC method. *Computers & Operations
       Research*, 22(7), 763-770.

    Examples
    --------
    >>> x = np.array([[0.0, 0.0, 5.0], [1.0, 1.0, 0.0], [2.0, 2.0, 9.0]])
    >>> critic_weights(x).round(3)
    array([0.25 , 0.25 , 0.501])
    """
    x = _as_score_matrix(x)
    informative = ~_constant_columns(x)
    weights = np.zeros(x.shape[1])
    if not informative.any():
        return equal_weights(x.shape[1])
    sub = x[:, informative]
    lo, hi = np.nanmin(sub, axis=0), np.nanmax(sub, axis=0)
    scaled = (sub - lo) / (hi - lo)
    sigma = np.nanstd(scaled, axis=0, ddof=1)
    conflict = (1.0 - _pairwise_corr(scaled)).sum(axis=1)
    weights[informative] = sigma * conflict
    return _normalise(weights)


# --------------------------------------------------------------------------------------------
# PCA / factor analysis
# --------------------------------------------------------------------------------------------


def varimax(
    loadings: np.ndarray, *, normalize: bool = True, max_sweeps: int = 500, tol: float = 1e-12
) -> np.ndarray:
    """Varimax rotation of a loadings matrix (Kaiser 1958 [1]_).

    Finds the orthogonal rotation maximising the sum over factors of the variance of squared
    loadings, by Kaiser's sweeps of planar rotations: each pair of factors is turned by the
    angle that maximises the criterion for that pair (closed form), until no angle exceeds
    ``tol``. Every step raises the criterion, unlike the SVD fixed-point iteration, which can
    oscillate. With ``normalize`` (Kaiser normalisation, the default of the statistical
    packages) rows are scaled to unit communality while rotating.

    Parameters
    ----------
    loadings
        Indicators x factors loadings.
    normalize
        Apply Kaiser's row normalisation.
    max_sweeps, tol
        Stop after ``max_sweeps`` passes over all pairs, or when a pass turns no pair by more
        than ``tol`` radians.

    Returns
    -------
    numpy.ndarray
        Rotated loadings, same shape; each factor's sign is fixed so that its largest absolute
        loading is positive, and communalities (row sums of squares) are unchanged.

    References
    ----------
    .. [1] Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor
       analysis. *Psychometrika*, 23(3), 187-200.
    """
    lam = np.array(loadings, dtype=float)
    p, k = lam.shape
    if k < 2:
        return _fix_signs(lam)
    norms = np.sqrt((lam**2).sum(axis=1, keepdims=True)) if normalize else np.ones((p, 1))
    norms = np.where(norms > 0, norms, 1.0)
    a = lam / norms
    pairs = [(j, m) for j in range(k - 1) for m in range(j + 1, k)]
    for _ in range(max_sweeps):
        largest_turn = 0.0
        for j, m in pairs:
            x, y = a[:, j], a[:, m]
            u, v = x * x - y * y, 2 * x * y
            sum_u, sum_v = u.sum(), v.sum()
            numerator = 2 * (u * v).sum() - 2 * sum_u * sum_v / p
            denominator = (u * u - v * v).sum() - (sum_u**2 - sum_v**2) / p
            angle = np.arctan2(numerator, denominator) / 4
            c, s = np.cos(angle), np.sin(angle)
            a[:, j], a[:, m] = x * c + y * s, y * c - x * s
            largest_turn = max(largest_turn, abs(angle))
        if largest_turn < tol:
            break
    return _fix_signs(a * norms)


def _fix_signs(loadings: np.ndarray) -> np.ndarray:
    """Flip each factor so that its largest absolute loading is positive (determinism)."""
    idx = np.abs(loadings).argmax(axis=0)
    signs = np.sign(loadings[idx, np.arange(loadings.shape[1])])
    return loadings * np.where(signs == 0, 1.0, signs)


def pca_weights(x: np.ndarray) -> np.ndarray:
    """Weights from principal components / factor analysis, as in the OECD/JRC Handbook.

    Following the Handbook on Constructing Composite Indicators (2008), section 6.1 [1]_, after
    Nicoletti, Scarpetta & Boylaud (2000):

    1. standardise the indicators and take their correlation matrix;
    2. keep the components with eigenvalue above 1 (at least one; components tied with the
       last one kept are kept too, so the choice never depends on rounding);
    3. varimax-rotate the retained loadings when more than one is kept (:func:`varimax`);
    4. scale the squared loadings to unit sum per factor;
    5. give each indicator its largest scaled squared loading times that factor's share of the
       variance explained by the retained (rotated) factors, and normalise to sum 1.

    Parameters
    ----------
    x
        Stations x indicators matrix of normalised scores; NaN = missing (means and standard
        deviations over observed cells, correlations over pairwise-complete rows).

    Returns
    -------
    numpy.ndarray
        One weight per column, nonnegative, summing to 1. Constant columns get 0 and are left
        out of the analysis; all constant gives equal weights. The weights depend on squared
        loadings only, so the arbitrary signs of eigenvectors cannot change them, and they are
        invariant to a positive rescaling of any column.

    References
    ----------
    .. [1] OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and
       User Guide*. OECD Publishing, section 6.1, tables 6.3-6.5.
    .. [2] Nicoletti, G., Scarpetta, S. & Boylaud, O. (2000). Summary indicators of product
       market regulation with an extension to employment protection legislation. OECD
       Economics Department Working Papers 226.
    """
    x = _as_score_matrix(x)
    informative = ~_constant_columns(x)
    weights = np.zeros(x.shape[1])
    if informative.sum() <= 1:
        # Nothing to correlate: the lone varying indicator (if any) takes all the weight.
        return _normalise(informative.astype(float))
    corr = _pairwise_corr(x[:, informative])
    eigenvalues, eigenvectors = np.linalg.eigh(corr)
    order = np.argsort(-eigenvalues, kind="stable")
    eigenvalues, eigenvectors = eigenvalues[order], eigenvectors[:, order]
    keep = eigenvalues > 1 + _EIGEN_TOL
    keep[0] = True
    last_kept = eigenvalues[keep].min()
    keep |= eigenvalues >= last_kept - _EIGEN_TOL * max(1.0, last_kept)
    loadings = eigenvectors[:, keep] * np.sqrt(np.clip(eigenvalues[keep], 0.0, None))
    loadings = varimax(loadings)
    squared = loadings**2
    explained = squared.sum(axis=0)
    scaled = squared / np.where(explained > 0, explained, 1.0)
    share = explained / explained.sum()
    best = scaled.argmax(axis=1)
    weights[informative] = scaled[np.arange(scaled.shape[0]), best] * share[best]
    return _normalise(weights)


# --------------------------------------------------------------------------------------------
# AHP
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AhpResult:
    """Outcome of Saaty's eigenvector method on one pairwise-comparison matrix.

    Attributes
    ----------
    weights
        Principal right eigenvector scaled to sum 1 (read-only array).
    lambda_max
        Principal eigenvalue.
    ci
        Consistency index ``(lambda_max - n) / (n - 1)`` (0 for n = 1).
    cr
        Consistency ratio ``ci / RI(n)`` (0 for n <= 2); Saaty accepts up to 0.1.
    """

    weights: np.ndarray
    lambda_max: float
    ci: float
    cr: float


def random_index(n: int) -> float:
    """Saaty's random consistency index RI(n), n = 1..15 (see :data:`RANDOM_INDEX`).

    Raises
    ------
    ValueError
        For n outside 1..15, where no value is tabulated.
    """
    try:
        return RANDOM_INDEX[int(n)]
    except KeyError:
        raise ValueError(
            f"Saaty's random index is tabulated for 1 to 15 criteria, not {n}"
        ) from None


def _cell_name(i: int, j: int, labels: Sequence[str] | None) -> str:
    if labels is None:
        return f"a[{i}, {j}]"
    return f"a[{i}, {j}] ({labels[i]} vs {labels[j]})"


def _validate_ahp_matrix(
    matrix: np.ndarray | Sequence[Sequence[float]], labels: Sequence[str] | None, rtol: float
) -> np.ndarray:
    try:
        a = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("AHP matrix must be a square table of numbers") from None
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise ValueError(f"AHP matrix must be square, got shape {a.shape}")
    n = a.shape[0]
    if labels is not None and len(labels) != n:
        raise ValueError(f"AHP matrix is {n}x{n} but {len(labels)} labels were given")
    bad = ~np.isfinite(a) | (a <= 0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(
            f"AHP matrix entry {_cell_name(i, j, labels)} = {a[i, j]:g} must be a positive number"
        )
    diag_bad = ~np.isclose(np.diag(a), 1.0, rtol=0, atol=1e-9)
    if diag_bad.any():
        i = int(np.argmax(diag_bad))
        raise ValueError(
            f"AHP matrix diagonal entry {_cell_name(i, i, labels)} = {a[i, i]:g} must be 1"
        )
    # a_ij * a_ji = 1 up to rtol; the upper triangle names each pair once.
    product = a * a.T
    bad = np.triu(np.abs(product - 1.0) > rtol + 1e-12, k=1)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(
            f"AHP matrix is not reciprocal at {_cell_name(i, j, labels)}: {a[i, j]:g} and "
            f"a[{j}, {i}] = {a[j, i]:g} (expected about {1 / a[i, j]:.4g})"
        )
    return a


def ahp_weights(
    matrix: np.ndarray | Sequence[Sequence[float]],
    *,
    labels: Sequence[str] | None = None,
    rtol: float = AHP_RECIPROCAL_RTOL,
) -> AhpResult:
    """Priorities of a pairwise-comparison matrix by Saaty's principal eigenvector method.

    The weights are the principal right eigenvector of the matrix, scaled to sum 1 [1]_ [2]_;
    the consistency index is ``CI = (lambda_max - n) / (n - 1)`` and the consistency ratio
    ``CR = CI / RI(n)`` with Saaty's random index (:data:`RANDOM_INDEX`). For n <= 2 a
    reciprocal matrix is always consistent and ``CR = 0``.

    Parameters
    ----------
    matrix
        n x n matrix of judgements on Saaty's 1-9 scale: ``a[i, j]`` says how much more
        important indicator ``i`` is than ``j``; positive, diagonal 1, reciprocal
        (``a[j, i] = 1 / a[i, j]`` up to ``rtol``, so 0.333 stands for 1/3).
    labels
        Optional names of the rows, used in error messages.
    rtol
        Relative tolerance on ``a[i, j] * a[j, i] = 1``.

    Returns
    -------
    AhpResult
        Weights, lambda_max, CI and CR.

    Raises
    ------
    ValueError
        One-line message naming the offending cell when the matrix is not square, not
        positive, has a diagonal entry other than 1 or is not reciprocal; or n > 15 (no
        random index).

    References
    ----------
    .. [1] Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill, New York.
    .. [2] Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process.
       *European Journal of Operational Research*, 48(1), 9-26.

    Examples
    --------
    >>> result = ahp_weights([[1, 3], [1 / 3, 1]])
    >>> result.weights, result.cr
    (array([0.75, 0.25]), 0.0)
    """
    import scipy.linalg  # imported where used, to keep scipy off the command line's start

    a = _validate_ahp_matrix(matrix, labels, rtol)
    n = a.shape[0]
    ri = random_index(n)
    # with its default flags eig returns (eigenvalues, right eigenvectors); the values are complex
    eigenvalues, eigenvectors = cast(
        tuple[npt.NDArray[np.complexfloating], npt.NDArray[np.inexact]], scipy.linalg.eig(a)
    )
    # Perron-Frobenius: a positive matrix has a real, simple, largest eigenvalue with a
    # positive eigenvector; its sign from the solver is arbitrary, hence abs.
    principal = int(np.argmax(eigenvalues.real))
    lambda_max = float(eigenvalues[principal].real)
    vector = np.abs(eigenvectors[:, principal].real)
    weights = vector / vector.sum()
    weights.setflags(write=False)
    # lambda_max >= n in exact arithmetic; clip rounding noise below it.
    ci = max(lambda_max - n, 0.0) / (n - 1) if n > 1 else 0.0
    cr = ci / ri if n > 2 else 0.0
    return AhpResult(weights=weights, lambda_max=lambda_max, ci=float(ci), cr=float(cr))


# --------------------------------------------------------------------------------------------
# registry
# --------------------------------------------------------------------------------------------


def _given_scheme(x: np.ndarray, given: np.ndarray, ahp_matrix: np.ndarray | None) -> np.ndarray:
    x = _as_score_matrix(x)
    w = given_weights(given)
    if w.size != x.shape[1]:
        raise ValueError(f"{w.size} given weights for {x.shape[1]} indicators")
    return w


def _equal_scheme(x: np.ndarray, given: np.ndarray, ahp_matrix: np.ndarray | None) -> np.ndarray:
    return equal_weights(_as_score_matrix(x).shape[1])


def _entropy_scheme(x: np.ndarray, given: np.ndarray, ahp_matrix: np.ndarray | None) -> np.ndarray:
    return entropy_weights(x)


def _critic_scheme(x: np.ndarray, given: np.ndarray, ahp_matrix: np.ndarray | None) -> np.ndarray:
    return critic_weights(x)


def _pca_scheme(x: np.ndarray, given: np.ndarray, ahp_matrix: np.ndarray | None) -> np.ndarray:
    return pca_weights(x)


def _ahp_scheme(x: np.ndarray, given: np.ndarray, ahp_matrix: np.ndarray | None) -> np.ndarray:
    if ahp_matrix is None:
        raise ValueError("the ahp weighting scheme needs a pairwise-comparison matrix (ahp.matrix)")
    x = _as_score_matrix(x)
    result = ahp_weights(ahp_matrix)
    if result.weights.size != x.shape[1]:
        raise ValueError(
            f"AHP matrix is {result.weights.size}x{result.weights.size} for {x.shape[1]} indicators"
        )
    return np.array(result.weights)


#: Weighting schemes by the name used in the parameters, all with the signature
#: ``(x, given, ahp_matrix) -> weights`` (``x`` stations x indicators scores, ``given`` the
#: catalogue's weights in column order, ``ahp_matrix`` the comparison matrix in the same order
#: or None).
SCHEMES: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray | None], np.ndarray]] = {
    "given": _given_scheme,
    "equal": _equal_scheme,
    "entropy": _entropy_scheme,
    "critic": _critic_scheme,
    "pca": _pca_scheme,
    "ahp": _ahp_scheme,
}


def all_scheme_weights(
    x: np.ndarray, given: np.ndarray, ahp_matrix: np.ndarray | None = None
) -> pd.DataFrame:
    """Every scheme's weights side by side.

    Parameters
    ----------
    x
        Stations x indicators matrix of normalised scores; NaN = missing.
    given
        The catalogue's weights, in column order.
    ahp_matrix
        Pairwise-comparison matrix in column order, or None to leave AHP out.

    Returns
    -------
    pandas.DataFrame
        One row per scheme (index named ``scheme``, in :data:`SCHEMES` order), columns
        ``0 .. I-1`` for the indicator positions (relabel with
        ``df.rename(columns=dict(enumerate(codes)))``) and a last column
        ``consistency_ratio``: AHP's CR on its row, NaN elsewhere.

    Examples
    --------
    >>> x = np.array([[80.0, 70.0], [90.0, 95.0], [60.0, 75.0]])
    >>> all_scheme_weights(x, np.array([3.0, 1.0])).loc["given", [0, 1]].tolist()
    [0.75, 0.25]
    """
    x = _as_score_matrix(x)
    names = [name for name in SCHEMES if name != "ahp" or ahp_matrix is not None]
    table = pd.DataFrame(
        np.vstack([SCHEMES[name](x, given, ahp_matrix) for name in names]),
        index=pd.Index(names, name="scheme"),
        columns=range(x.shape[1]),
    )
    table["consistency_ratio"] = np.nan
    if ahp_matrix is not None:
        table.loc["ahp", "consistency_ratio"] = ahp_weights(ahp_matrix).cr
    return table
