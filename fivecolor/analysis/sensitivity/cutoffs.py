"""Cut-offs: how close each station is to the next colour, and how many colours move with a cut-off.

For quantile bands the same questions are asked of the quantiles, in percentage points.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from fivecolor.scoring.bands import BANDS, BandRule
from fivecolor.scoring.per_result import once_per_result
from fivecolor.scoring.pipeline import ScoreResult


@once_per_result
def cutoff_distances(result: ScoreResult) -> pd.DataFrame:
    """Each station's distance, in score points, to the next band up and down.

    For cut-off bands, ``distance_up`` is the next cut-off above minus the score (points to
    gain to move up) and ``distance_down`` the score minus the station's own cut-off (points it
    may lose before dropping). For quantile bands the boundaries are the scores of the
    neighbouring bands' nearest stations: the lowest score in the band above, the highest in
    the band below. Red has no distance up, yellow none down. A sensitivity measure of the
    OECD/JRC Handbook (2008) kind; see also Saisana, Saltelli & Tarantola (2005, JRSS A 168(2)).

    Returns
    -------
    pandas.DataFrame
        ``station_id, score, rank, band, next_up, distance_up, next_down, distance_down``,
        best rank first.
    """
    t = result.period_index
    composite, band = result.composite[t], result.band[t]
    scored = band >= 0
    b = np.maximum(band, 0)
    rule = BandRule.of(result.params.bands)
    if rule.is_absolute:
        cut = rule.boundaries
        upper = np.concatenate([[np.nan], cut])  # upper[b]: cut-off of band b - 1 (to reach)
        lower = np.concatenate([cut, [np.nan]])  # lower[b]: band b's own cut-off
        up, down = upper[b], lower[b]
    else:
        low = np.full(5, np.inf)
        high = np.full(5, -np.inf)
        np.minimum.at(low, b[scored], composite[scored])
        np.maximum.at(high, b[scored], composite[scored])
        low[~np.isfinite(low)] = np.nan
        high[~np.isfinite(high)] = np.nan
        up = np.concatenate([[np.nan], low[:-1]])[b]  # lowest score of the band above
        down = np.concatenate([high[1:], [np.nan]])[b]  # highest score of the band below
    names = np.array(("", *BANDS, ""), dtype=object)
    frame = pd.DataFrame(
        {
            "station_id": result.data.stations.index.to_numpy(),
            "score": composite,
            "rank": pd.array(result.rank[t], dtype="Int64"),
            "band": names[band + 1],
            "next_up": np.where(scored, names[b], ""),
            "distance_up": np.where(scored, np.round(up - composite, 6), np.nan),
            "next_down": np.where(scored, names[b + 2], ""),
            "distance_down": np.where(scored, np.round(composite - down, 6), np.nan),
        }
    )
    return frame.sort_values(["rank", "station_id"], na_position="last").reset_index(drop=True)


def cutoff_shift_counts(
    result: ScoreResult, shifts: Iterable[float] = range(-5, 6)
) -> pd.DataFrame:
    """How many stations change colour as each cut-off moves, alone and all together.

    Parameters
    ----------
    result
        The published scoring run.
    shifts
        Moves in points (for quantile bands: percentage points of the quantiles).

    Returns
    -------
    pandas.DataFrame
        Index ``shift``; columns ``red, orange, blue, green`` (that band's cut-off or quantile
        moved alone) and ``all`` (every one moved by the same amount): the number of stations
        whose colour differs from the published one. OECD/JRC Handbook (2008); Saisana,
        Saltelli & Tarantola (2005, JRSS A 168(2)).
    """
    t = result.period_index
    composite, published = result.composite[t], result.band[t]
    h = np.asarray(list(shifts), dtype=float)
    # moves (5, H, 4): cut-off j alone by h (rows 0-3), then all four by h (row 4)
    moves = np.concatenate([np.eye(4), np.ones((1, 4))])[:, None, :] * h[None, :, None]
    rule = BandRule.of(result.params.bands)
    new = rule.codes(
        np.broadcast_to(composite, (*moves.shape[:2], composite.size)), rule.thresholds(moves)
    )
    changed = (new != published).sum(axis=-1)  # (5, H)
    frame = pd.DataFrame(changed.T, index=pd.Index(h, name="shift"), columns=[*BANDS[:4], "all"])
    frame.attrs["unit"] = rule.shift_unit
    return frame
