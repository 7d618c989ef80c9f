"""Partners (支部联建): red stations paired with yellow ones and orange with green.

Pairs last from month to month (:func:`pair_history`); the stations left to pair are placed by a
minimum-cost assignment (:func:`scipy.optimize.linear_sum_assignment`, mentors replicated up
to ``actions.pairing_capacity``) that prefers partners strong where the other is weak
(:func:`pairing_costs`) and close by (:func:`haversine_km`). Ties are broken by ``station_id``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from fivecolor.analysis.month import indicator_labels
from fivecolor.scoring.bands import BANDS, GREEN, ORANGE, RED, YELLOW
from fivecolor.scoring.pipeline import ScoreResult

__all__ = [
    "all_pairs",
    "assign_with_capacity",
    "haversine_km",
    "pair_history",
    "pairing",
    "pairing_costs",
    "unpaired",
]

#: Mentor band → partner band: red helps yellow, orange helps green.
PAIRS: dict[int, int] = {RED: YELLOW, ORANGE: GREEN}
#: Earth's mean radius (IUGG), for haversine distances.
EARTH_RADIUS_KM = 6371.0088
#: Complementarity points that ``actions.distance_km_scale`` kilometres weigh as much as.
DISTANCE_POINTS = 10.0
#: Indicators named as a pair's targets, at most.
PAIR_TARGETS = 3
PAIRING_COLUMNS = (
    "status",
    "mentor_id",
    "mentor_name",
    "partner_id",
    "partner_name",
    "mentor_band",
    "partner_band",
    "distance_km",
    "complementarity",
    "cost",
    "targets",
    "targets_label",
    "mentor_load",
    "since",
    "months",
)


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km between points in degrees (broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _complement(mentor: np.ndarray, partner: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per (mentor, partner, indicator): how far the mentor is ahead where the partner loses points.

    Each partner's indicators are weighted by their share of the partner's lost points
    (``w (100 - score)``, normalised to sum 1), so the mentor's lead counts most on the
    partner's weakest indicators. Missing scores count as no lead. Shape ``(M, P, I)``.
    """
    lost = weights * np.nan_to_num(100.0 - partner)  # (P, I)
    total = lost.sum(axis=1, keepdims=True)
    focus = np.divide(lost, total, out=np.zeros_like(lost), where=total > 0)
    lead = np.nan_to_num(np.clip(mentor[:, None, :] - partner[None, :, :], 0.0, None))  # (M, P, I)
    return focus[None, :, :] * lead


def pairing_costs(
    mentor_scores: np.ndarray,
    partner_scores: np.ndarray,
    weights: np.ndarray,
    distance_km: np.ndarray,
    distance_km_scale: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Cost of each (mentor, partner) pair: ``-complementarity + 10 distance / distance_km_scale``.

    Complementarity (normalised points) is the mentor's lead on the partner's weak indicators,
    see :func:`_complement`; ``distance_km_scale`` kilometres weigh as much as
    :data:`DISTANCE_POINTS` points of it. Returns ``(cost, per-indicator contributions)`` of
    shapes ``(M, P)`` and ``(M, P, I)``.
    """
    contributions = _complement(mentor_scores, partner_scores, weights)
    complementarity = contributions.sum(axis=-1)
    return -complementarity + DISTANCE_POINTS * distance_km / distance_km_scale, contributions


def assign_with_capacity(
    cost: np.ndarray, capacity: int, used: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Pair partners (columns) to mentors (rows), each mentor taking at most ``capacity``.

    Mentors are replicated ``capacity`` times; copy ``k`` carries an extra ``k * B`` with ``B``
    larger than any possible difference in total cost, so the assignment first pairs as many
    partners as the slots allow, then loads mentors as evenly as it can (a mentor takes a second
    partner only when partners outnumber mentors), then minimises the total cost.
    ``used`` (per mentor) counts partners a mentor already has (pairs kept from last month):
    its first ``used`` copies are gone, so it takes at most ``capacity - used`` more.
    Returns (mentor index, partner index) of the pairs, sorted by partner.
    """
    n_mentors, n_partners = cost.shape
    used = np.zeros(n_mentors, dtype=int) if used is None else np.asarray(used, dtype=int)
    free = np.clip(capacity - used, 0, None)
    if n_mentors == 0 or n_partners == 0 or free.sum() == 0:
        return np.empty(0, dtype=int), np.empty(0, dtype=int)
    pairs = min(n_partners, int(free.sum()))
    big = (np.ptp(cost) + 1.0) * pairs
    copies = np.arange(capacity)
    slots = cost[:, None, :] + big * copies[None, :, None]  # (M, capacity, P)
    open_slot = (copies[None, :] >= used[:, None]).reshape(-1)
    slots = slots.reshape(n_mentors * capacity, n_partners)[open_slot]
    rows, cols = linear_sum_assignment(slots)
    mentor = np.flatnonzero(open_slot)[rows] // capacity
    order = np.argsort(cols, kind="stable")
    return mentor[order], cols[order]


def _month_costs(
    result: ScoreResult, t: int, mentors: np.ndarray, partners: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distances, costs and per-indicator contributions of every (mentor, partner) in month ``t``."""
    stations = result.data.stations
    lat, lon = stations["lat"].to_numpy(dtype=float), stations["lon"].to_numpy(dtype=float)
    distance = haversine_km(
        lat[mentors, None], lon[mentors, None], lat[None, partners], lon[None, partners]
    )
    month = result.normalised[t]
    cost, contributions = pairing_costs(
        month[mentors],
        month[partners],
        result.weights.effective,
        distance,
        result.params.actions.distance_km_scale,
    )
    return distance, cost, contributions


def _month_pairs(
    result: ScoreResult, t: int, mentor_band: int, kept: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Month ``t``'s pairs of one type as station indices (mentor, partner): last month's pairs
    ``kept`` that still qualify and still serve (the mentor ahead somewhere the partner loses
    points), then a minimum-cost assignment of the partners left to the mentors' free places."""
    band = result.band[t]
    mentors = np.flatnonzero(band == mentor_band)
    partners = np.flatnonzero(band == PAIRS[mentor_band])
    km, kp = kept
    _, _, contributions = _month_costs(result, t, km, kp)
    # (k, k, I) for k kept pairs is small: a mentor keeps at most ``pairing_capacity`` partners
    serves = contributions[np.arange(len(km)), np.arange(len(kp))].sum(axis=-1) > 0
    stay = (band[km] == mentor_band) & (band[kp] == PAIRS[mentor_band]) & serves
    km, kp = km[stay], kp[stay]
    open_partners = np.setdiff1d(partners, kp)
    used = np.sum(km[None, :] == mentors[:, None], axis=1)
    _, cost, _ = _month_costs(result, t, mentors, open_partners)
    m, p = assign_with_capacity(cost, result.params.actions.pairing_capacity, used)
    return np.concatenate([km, mentors[m]]), np.concatenate([kp, open_partners[p]])


def pair_history(result: ScoreResult) -> dict[tuple[int, int], int]:
    """The pairs of the reported month, as (mentor, partner) station indices, with the month
    index each began in.

    Pairs are chained month by month from the first month with data: each month keeps the
    previous month's pairs while both stations keep their qualifying colours and the pair still
    serves, and assigns only the partners left (new in their colour, or whose mentor left) to the
    mentors' free places (:func:`assign_with_capacity` with ``used``): surviving pairs are fixed,
    the rest is optimal. A pure function of the scored history. With ``actions.keep_pairs``
    false, every month is assigned afresh.
    """
    keep = result.params.actions.keep_pairs
    start = 0 if keep else result.period_index
    since: dict[tuple[int, int], int] = {}
    for t in range(start, result.period_index + 1):  # a chain: each month needs the one before
        now: dict[tuple[int, int], int] = {}
        for mentor_band in PAIRS:
            kept = [k for k in since if result.band[t - 1, k[0]] == mentor_band] if t else []
            arrays = (
                np.array([k[0] for k in kept], dtype=int),
                np.array([k[1] for k in kept], dtype=int),
            )
            m, p = _month_pairs(result, t, mentor_band, arrays)
            now.update(
                {
                    (int(a), int(b)): since.get((int(a), int(b)), t)
                    for a, b in zip(m, p, strict=True)
                }
            )
        since = now
    return since


def _pairs_for(
    result: ScoreResult, mentor_band: int, history: dict[tuple[int, int], int]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    t = result.period_index
    params = result.params
    band = result.band[t]
    mentors, partners = (
        np.flatnonzero(band == mentor_band),
        np.flatnonzero(band == PAIRS[mentor_band]),
    )
    mine = sorted(k for k in history if band[k[0]] == mentor_band)
    m = np.searchsorted(mentors, np.array([k[0] for k in mine], dtype=int))
    p = np.searchsorted(partners, np.array([k[1] for k in mine], dtype=int))
    began = np.array([history[k] for k in mine], dtype=int)
    distance, cost, contributions = _month_costs(result, t, mentors, partners)
    load = np.bincount(m, minlength=len(mentors))
    keys = np.asarray(result.data.indicators, dtype=object)
    labels = indicator_labels(result)
    contrib = contributions[m, p]  # (pairs, I)
    order = np.argsort(-contrib, axis=1, kind="stable")[:, :PAIR_TARGETS]
    chosen = np.take_along_axis(contrib, order, axis=1) > 0
    sep = "、" if params.language == "zh" else "; "
    ids, names = (
        result.data.station_ids.to_numpy(),
        result.data.stations["name"].to_numpy(dtype=object),
    )
    periods = np.asarray(result.periods, dtype=object)
    pairs = pd.DataFrame(
        {
            "status": "paired",
            "mentor_id": ids[mentors[m]],
            "mentor_name": names[mentors[m]],
            "partner_id": ids[partners[p]],
            "partner_name": names[partners[p]],
            "mentor_band": BANDS[mentor_band],
            "partner_band": BANDS[PAIRS[mentor_band]],
            "distance_km": np.round(distance[m, p], 2),
            "complementarity": np.round(contrib.sum(axis=1), 4),
            "cost": np.round(cost[m, p], 4),
            "targets": [";".join(keys[o[c]]) for o, c in zip(order, chosen, strict=True)],
            "targets_label": [sep.join(labels[o[c]]) for o, c in zip(order, chosen, strict=True)],
            "mentor_load": load[m],
            "since": periods[began],
            "months": t - began + 1,
        },
        columns=list(PAIRING_COLUMNS),
    )
    left = np.setdiff1d(np.arange(len(partners)), p)
    reason = "capacity exhausted" if len(mentors) else f"no {BANDS[mentor_band]} station this month"
    alone = pd.DataFrame(
        {
            "status": f"unpaired: {reason}",
            "partner_id": ids[partners[left]],
            "partner_name": names[partners[left]],
            "mentor_band": BANDS[mentor_band],
            "partner_band": BANDS[PAIRS[mentor_band]],
        },
        columns=list(PAIRING_COLUMNS),
    )
    return pairs, alone


def all_pairs(result: ScoreResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    history = pair_history(result)
    parts = [_pairs_for(result, band, history) for band in PAIRS]
    pairs = pd.concat([p for p, _ in parts], ignore_index=True)
    alone = pd.concat([a for _, a in parts], ignore_index=True)
    pairs = pairs.sort_values(
        ["mentor_band", "mentor_id", "partner_id"], key=_band_order, kind="stable"
    )
    alone = alone.sort_values(["mentor_band", "partner_id"], key=_band_order, kind="stable")
    return pairs.reset_index(drop=True), alone.reset_index(drop=True)


def _band_order(column: pd.Series) -> pd.Series:
    return (
        column.map({b: i for i, b in enumerate(BANDS)})
        if str(column.name).endswith("_band")
        else column
    )


def pairing(result: ScoreResult) -> pd.DataFrame:
    """Red stations paired with yellow ones and orange with green (支部联建), one row per pair.

    Each band pair is a minimum-cost assignment (:func:`assign_with_capacity`, Hungarian
    algorithm) over costs from :func:`pairing_costs`: a mentor ahead on the partner's weak
    indicators and close by is preferred; one mentor takes at most ``actions.pairing_capacity``
    partners. Pairs last: last month's pairs are kept while both stations keep their colours
    and the pair still serves, and only the stations left are assigned (:func:`pair_history`);
    ``since`` is the month the pair began and ``months`` its age. ``targets`` names (up to
    three) indicators the pair works on: where the partner loses the most and the mentor is
    ahead. Columns :data:`PAIRING_COLUMNS`; partners that could not be paired are in
    :func:`unpaired`.
    """
    return all_pairs(result)[0]


def unpaired(result: ScoreResult) -> pd.DataFrame:
    """Yellow and green stations left without a mentor (all mentors at capacity, or none this month)."""
    return all_pairs(result)[1]
