"""Reading a scored month: colour counts, movers and each station's weak indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fivecolor.scoring import bands as bandmod
from fivecolor.scoring.bands import BANDS
from fivecolor.scoring.per_result import once_per_result
from fivecolor.scoring.pipeline import ScoreResult, composite_scores

#: Indicators listed per station as those costing it the most points.
WEAK_TOP = 3


def colour_counts(result: ScoreResult) -> pd.DataFrame:
    """Stations per colour in every month (rows: periods; columns: the five bands, best first)."""
    codes = result.band
    counts = np.stack([(codes == b).sum(axis=1) for b in range(len(BANDS))], axis=1)
    return pd.DataFrame(counts, index=pd.Index(result.periods, name="period"), columns=list(BANDS))


def colour_summary(result: ScoreResult) -> pd.DataFrame:
    """The reported month's count per colour, last month's, and the difference."""
    counts = colour_counts(result)
    now = counts.loc[result.params.period]
    p = result.previous_index()
    before = counts.iloc[p] if p is not None else pd.Series(0, index=counts.columns)
    return pd.DataFrame(
        {
            "band": list(BANDS),
            "count": now.to_numpy(),
            "previous": before.to_numpy(),
            "change": (now - before).to_numpy(),
        }
    )


def movers(result: ScoreResult) -> pd.DataFrame:
    """Stations whose colour changed since last month, biggest moves first."""
    table = result.table()
    moved = table[table["change"].isin(["up", "down"])].copy()
    code = {b: i for i, b in enumerate(BANDS)}
    # astype(int): an empty month would otherwise keep the text dtype of the band columns
    moved["steps"] = moved["prev_band"].map(code).astype(int) - moved["band"].map(code).astype(int)
    return moved.sort_values(["steps", "rank"], ascending=[False, True]).reset_index(drop=True)


def points_lost(result: ScoreResult, t: int | None = None) -> np.ndarray:
    """Composite points each indicator costs each station: the gain if it alone scored 100.

    Returns ``(S, I)``. Exact for any aggregation and grouping, by re-aggregating with one
    indicator at a time raised to the best achievable score.
    """
    t = result.period_index if t is None else t
    month = result.normalised[t]  # (S, I)
    n_ind = month.shape[1]
    lifted = np.broadcast_to(month, (n_ind, *month.shape)).copy()  # (I, S, I)
    diag = np.arange(n_ind)
    lifted[diag, :, diag] = np.where(np.isnan(month.T), np.nan, 100.0)
    raised, _ = composite_scores(lifted, result.weights, result.params)  # (I, S)
    base, _ = composite_scores(month, result.weights, result.params)
    return (raised - base).T


@once_per_result
def weak_indicators(result: ScoreResult, top: int = WEAK_TOP) -> pd.DataFrame:
    """Each station's weak indicators in the reported month.

    Two reasons make an indicator weak for a station: it is among the ``top`` indicators that
    cost the station the most composite points against the best achievable (``points_lost``),
    or the station sits in the company's bottom band on it (the band method applied to that
    indicator's normalised scores). One row per (station, weak indicator), columns
    ``station_id, indicator, normalised, points_lost, loss_rank, indicator_band, bottom_band``.
    """
    t = result.period_index
    lost = points_lost(result, t)
    month = result.normalised[t]
    loss_rank = bandmod.ordinal_rank(np.nan_to_num(lost, nan=-np.inf))  # rank 1 = costs the most
    indicator_band = bandmod.assign(
        month.T, result.params.bands, ties="shared"
    ).T  # bands per indicator column
    bottom = indicator_band == len(BANDS) - 1
    weak = (loss_rank <= top) & (lost > 1e-9) | bottom
    s, i = np.nonzero(weak)
    band_names = np.array((*BANDS, ""), dtype=object)
    frame = pd.DataFrame(
        {
            "station_id": result.data.station_ids.to_numpy()[s],
            "indicator": np.asarray(result.data.indicators, dtype=object)[i],
            "normalised": np.round(month[s, i], 4),
            "points_lost": np.round(lost[s, i], 4),
            "loss_rank": loss_rank[s, i].astype(int),
            "indicator_band": band_names[indicator_band[s, i]],
            "bottom_band": bottom[s, i],
        }
    )
    return frame.sort_values(["station_id", "loss_rank"]).reset_index(drop=True)


def indicator_labels(result: ScoreResult) -> np.ndarray:
    """Each indicator's label in the report's language, in the catalogue's order."""
    params = result.params
    return np.array([params.label(s.label) for s in params.indicators.values()], dtype=object)
