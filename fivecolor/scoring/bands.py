"""Bands: composite scores to the five colours (code 0 = red = best ... 4 = yellow), and ranks.

:class:`BandRule` is the parameters' band rule (cut-offs or quantiles) as one object, so that the
choice between the two methods is made here and nowhere else in scoring and analysis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from fivecolor.params import Bands, Hysteresis
from fivecolor.scoring.registry import lookup

#: Band codes, best first. Position in this tuple is the band's code (0 = red = best).
BANDS: tuple[str, ...] = ("red", "orange", "blue", "green", "yellow")
#: The band codes by name.
RED, ORANGE, BLUE, GREEN, YELLOW = range(len(BANDS))
NO_BAND = -1


def ordinal_rank(scores: np.ndarray) -> np.ndarray:
    """Rank 1 = best along the last axis; ties go to the earlier position.

    Not for stations' ranks (see :func:`shared_rank`): it orders things that must each have
    their own place, such as the indicators a station loses most on. Missing scores get no
    rank (NaN).
    """
    key = np.where(np.isnan(scores), np.inf, -scores)
    order = np.argsort(key, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, scores.shape[-1] + 1), axis=-1)
    return np.where(np.isnan(scores), np.nan, ranks.astype(float))


def by_cutoffs(scores: np.ndarray, cutoffs) -> np.ndarray:
    """Red at or above the first cut-off, orange at or above the second, ... yellow below the last.

    ``cutoffs`` (..., 4) broadcasts against ``scores[..., None]``. The cut-offs above a score are
    counted one cut-off at a time, so no (..., 4) array of comparisons is built.
    """
    cutoffs = np.asarray(cutoffs, dtype=float)
    codes = np.zeros((), dtype=np.int64)
    for j in range(cutoffs.shape[-1]):  # four band boundaries
        codes = codes + (scores < cutoffs[..., j])
    return np.where(np.isnan(scores), NO_BAND, codes)


def quantile_counts(n: np.ndarray | int, quantiles) -> np.ndarray:
    """How many stations lie above each quantile boundary: ``round(n (1 - q))``, halves rounded up."""
    n = np.asarray(n, dtype=float)
    return np.floor(n[..., None] * (1.0 - np.asarray(quantiles, dtype=float)) + 0.5).astype(int)


def shared_rank(scores: np.ndarray) -> np.ndarray:
    """Rank 1 = best along the last axis; tied scores share the best rank among them.

    This is the "minimum" or competition rule (scores 90, 80, 80, 70 rank 1, 2, 2, 4), and it
    is the rule of every station rank: the published ranks, the Monte Carlo's and the
    quantile bands'. Two stations with equal composites thus get equal ranks and colours
    whatever their ids. Missing scores get no rank (NaN).

    ``scipy.stats.rankdata(-scores, method="min", nan_policy="omit")`` gives the same ranks
    (the tests compare them), but importing scipy.stats costs the command line more than
    scoring a month, and this one sort is faster on the Monte Carlo's (K, S) composites: in
    sorted order a tie group's rank is the position where the group starts, carried forward by
    a running maximum, then scattered back to the stations.
    """
    missing = np.isnan(scores)
    key = np.where(missing, np.inf, -scores)  # missing last
    order = np.argsort(key, axis=-1)
    ordered = np.take_along_axis(key, order, axis=-1)
    position = np.broadcast_to(np.arange(scores.shape[-1]), ordered.shape)
    starts = np.ones(ordered.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    first = np.maximum.accumulate(np.where(starts, position, 0), axis=-1)
    ranks = np.empty(scores.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, first + 1.0, axis=-1)
    return np.where(missing, np.nan, ranks)


def by_quantiles(scores: np.ndarray, quantiles, ties: str = "position") -> np.ndarray:
    """Relative bands along the last axis: the top ``1 - q_red`` share red, and so on.

    ``ties="shared"`` (what scoring uses, for the composite and for an indicator's scores)
    puts tied scores in the best band any of them reaches, so equal values always share a
    band and a band may hold more than its share; ``ties="position"`` breaks ties by position,
    so the counts are exact.
    """
    ranks = ordinal_rank(scores) if ties == "position" else shared_rank(scores)
    n = np.sum(~np.isnan(scores), axis=-1)
    bounds = quantile_counts(n, quantiles)[..., None, :]  # (..., 1, 4)
    codes = np.sum(np.nan_to_num(ranks, nan=0)[..., None] > bounds, axis=-1)
    return np.where(np.isnan(scores), NO_BAND, codes)


def _codes_by_cutoffs(scores: np.ndarray, thresholds: np.ndarray, ties: str) -> np.ndarray:
    # one row of cut-offs per row of stations; equal scores fall alike anyway, whatever ``ties``
    return by_cutoffs(scores, thresholds[..., None, :])


@dataclass(frozen=True)
class BandMethod:
    """One way of drawing the four band boundaries.

    Attributes
    ----------
    field
        The field of :class:`fivecolor.params.Bands` holding the four boundaries, best band first.
    absolute
        True when a boundary is a score (the same for every month), False when it is a share
        of the month's stations (and so a score only once the month is known).
    points_per_unit
        A shift of one point moves a boundary by ``1 / points_per_unit`` of its unit.
    shift_unit
        What a shift of one is, in words.
    codes
        ``(scores (..., S), thresholds (..., 4), ties) -> codes (..., S)``: one row of
        boundaries per row of stations.
    """

    field: str
    absolute: bool
    points_per_unit: float
    shift_unit: str
    codes: Callable[[np.ndarray, np.ndarray, str], np.ndarray]


#: Band methods by the name used in the parameters (``bands.method``; the type of
#: :attr:`fivecolor.params.Bands.method` lists the same names).
BAND_METHODS: dict[str, BandMethod] = {
    "cutoffs": BandMethod("cutoffs", True, 1.0, "points", _codes_by_cutoffs),
    "quantiles": BandMethod(
        "quantiles", False, 100.0, "percentage points of the quantiles", by_quantiles
    ),
}


@dataclass(frozen=True, eq=False)
class BandRule:
    """The parameters' band rule: its method and its four boundaries (cut-off scores or quantiles).

    Examples
    --------
    >>> rule = BandRule.of(Bands(cutoffs=(90, 85, 80, 75)))
    >>> rule.assign(np.array([91.0, 84.0, np.nan])).tolist()
    [0, 2, -1]
    >>> rule.thresholds(1.0).tolist()
    [91.0, 86.0, 81.0, 76.0]
    """

    method: str
    boundaries: np.ndarray  # (4,) best band first, in the method's unit
    _kind: BandMethod

    @classmethod
    def of(cls, bands: Bands) -> BandRule:
        """The rule of ``bands`` (:class:`fivecolor.params.Bands`); an unknown method is refused."""
        kind = lookup(BAND_METHODS, "band", bands.method)
        return cls(bands.method, np.asarray(getattr(bands, kind.field), dtype=float), kind)

    @property
    def is_absolute(self) -> bool:
        """True for cut-offs: a boundary is a score, not a share of the month's stations."""
        return self._kind.absolute

    @property
    def shift_unit(self) -> str:
        """What a shift of one moves a boundary by: ``points`` or percentage points of the quantiles."""
        return self._kind.shift_unit

    def thresholds(self, shift: np.ndarray | float = 0.0) -> np.ndarray:
        """The boundaries (..., 4) moved by ``shift`` points, which broadcasts against them.

        For quantiles a point is a percentage point (``shift / 100``).
        """
        return self.boundaries + np.asarray(shift, dtype=float) / self._kind.points_per_unit

    def codes(self, scores: np.ndarray, thresholds: np.ndarray, ties: str = "shared") -> np.ndarray:
        """Band codes of ``scores`` (..., S) under ``thresholds`` (..., 4), one row per row of stations."""
        return self._kind.codes(scores, np.asarray(thresholds, dtype=float), ties)

    def assign(
        self, scores: np.ndarray, ties: str = "shared", shift: np.ndarray | float | None = None
    ) -> np.ndarray:
        """Band codes for ``scores`` (..., stations).

        Parameters
        ----------
        scores
            Composite (or indicator) scores, stations on the last axis.
        ties
            ``"position"`` or ``"shared"``, see :func:`by_quantiles` (cut-offs treat equal
            scores alike anyway).
        shift
            Points (...,) added to every boundary, one per row of stations (see
            :meth:`thresholds`); None for the boundaries as given.
        """
        thresholds = (
            self.boundaries
            if shift is None
            else self.thresholds(np.asarray(shift, dtype=float)[..., None])
        )
        return self.codes(scores, thresholds, ties)


def assign(scores: np.ndarray, bands: Bands, ties: str = "shared") -> np.ndarray:
    """Band codes for ``scores`` (..., stations) by the parameters' method (``ties``: see
    :func:`by_quantiles`; cut-offs treat equal scores alike anyway)."""
    return BandRule.of(bands).assign(scores, ties)


@dataclass(frozen=True)
class Held:
    """Where each station stands under ``bands.hysteresis`` after a month: its colour, and the
    direction (-1 up, +1 down, 0 none) and length of its run of months beyond that colour."""

    band: np.ndarray
    direction: np.ndarray
    streak: np.ndarray


def hold_step(
    previous: Held | None,
    scores: np.ndarray,
    rule: BandRule,
    hysteresis: Hysteresis,
    shift: np.ndarray | float | None = None,
) -> Held:
    """One month of stable colours: the bands of ``scores`` (..., S) given last month's state.

    A station moves up only as far as its score minus ``margin`` reaches, down only as far as
    its score plus ``margin`` falls, and only once it has been beyond its colour in the same
    direction for ``months`` months running; otherwise it keeps last month's colour. Without
    a previous colour (the first month, or no score then) it takes this month's band.
    ``shift`` moves the boundaries as in :meth:`BandRule.assign`.
    """
    raw = rule.assign(scores, shift=shift)
    if previous is None:
        zeros = np.zeros(raw.shape, dtype=np.int64)
        return Held(raw, zeros, zeros)
    margin = hysteresis.margin
    up = rule.assign(scores - margin, shift=shift) if margin else raw
    down = rule.assign(scores + margin, shift=shift) if margin else raw
    prev = previous.band
    go_up = (up < prev) & (up != NO_BAND)
    go_down = (down > prev) & (prev != NO_BAND)
    direction = np.where(go_up, -1, np.where(go_down, 1, 0))
    streak = np.where(
        direction == 0, 0, np.where(direction == previous.direction, previous.streak + 1, 1)
    )
    move = streak >= hysteresis.months
    band = np.where(move & go_up, up, np.where(move & go_down, down, prev))
    band = np.where((prev == NO_BAND) | (raw == NO_BAND), raw, band)
    streak = np.where(move, 0, streak)
    return Held(band, np.where(move, 0, direction), streak)


def held_history(composite: np.ndarray, bands: Bands) -> list[Held]:
    """Month by month (composite (P, S), oldest first), each month's :class:`Held` state; plain
    bands when ``bands.hysteresis`` is off."""
    rule = BandRule.of(bands)
    if bands.hysteresis is None:
        return [hold_step(None, month, rule, Hysteresis()) for month in composite]
    states: list[Held] = []
    for month in composite:  # months in order: each month's colour depends on the one before
        states.append(hold_step(states[-1] if states else None, month, rule, bands.hysteresis))
    return states


def held_bands(composite: np.ndarray, bands: Bands) -> np.ndarray:
    """Band codes (P, S) of a history of composites under the parameters' band rule and, when
    ``bands.hysteresis`` is set, stable colours (:func:`hold_step`)."""
    if bands.hysteresis is None:
        return BandRule.of(bands).assign(composite)
    return np.stack([state.band for state in held_history(composite, bands)])
