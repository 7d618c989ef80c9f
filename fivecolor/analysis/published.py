"""Last month is what was published: earlier months' colours as the committee saw them.

A month is scored with this month's parameters over the whole history, so a new weight or
cut-off would quietly recolour the past. :func:`with_publications` puts back each earlier
month's published score, rank and colour (one table of ``period, station_id, score, rank,
band``, as the store of record keeps them); movers, colour changes, the history charts and
the counts' change then compare with what was published. The months as this month's method
scores them stay in :attr:`PublishedMonths.rescored`, for :func:`method_change`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fivecolor.data.store import open_for_reading, store_of_record
from fivecolor.scoring.bands import BANDS, NO_BAND
from fivecolor.scoring.pipeline import ScoreResult

__all__ = [
    "MethodChange",
    "PublishedMonths",
    "method_change",
    "published_months",
    "with_publications",
]

PUBLISHED_COLUMNS = ("period", "station_id", "score", "rank", "band")


@dataclass(frozen=True)
class PublishedMonths:
    """A month scored with earlier months as published.

    Attributes
    ----------
    result
        The month, its earlier published periods holding the published scores, ranks and
        colours (stations not in a publication have no score there).
    rescored
        The same month with every period as this month's method scores it.
    periods
        The earlier periods whose publication replaced the re-scored values.
    """

    result: ScoreResult
    rescored: ScoreResult
    periods: tuple[str, ...]


def with_publications(result: ScoreResult, published: pd.DataFrame) -> PublishedMonths:
    """Replace the earlier periods of ``result`` that were published by what was published.

    ``published`` has columns ``period, station_id, score, rank, band`` (band by name, or empty
    for no score). Periods from the reported one on are never replaced, nor periods with no
    publication.
    """
    periods = np.asarray(result.data.periods)
    reported = result.period_index
    frame = published.loc[published["period"].isin(periods[:reported])]
    if frame.empty:
        return PublishedMonths(result, result, ())
    done = tuple(sorted(frame["period"].unique()))
    rows = pd.Index(periods).get_indexer(pd.Index(frame["period"]))
    columns = pd.Index(result.data.stations.index.astype(str)).get_indexer(
        pd.Index(frame["station_id"].astype(str))
    )
    kept = columns >= 0  # stations no longer in the data are left out
    rows, columns, frame = rows[kept], columns[kept], frame.loc[kept]
    codes = {band: code for code, band in enumerate(BANDS)}
    band_codes = frame["band"].map(codes).fillna(NO_BAND).to_numpy(dtype=int)

    replaced = np.isin(periods, done)
    composite = result.composite.copy()
    rank = result.rank.copy()
    band = result.band.copy()
    composite[replaced], rank[replaced], band[replaced] = np.nan, np.nan, NO_BAND
    composite[rows, columns] = frame["score"].to_numpy(dtype=float)
    rank[rows, columns] = frame["rank"].to_numpy(dtype=float)
    band[rows, columns] = band_codes
    as_published = dataclasses.replace(result, composite=composite, rank=rank, band=band)
    return PublishedMonths(as_published, result, done)


def published_months(result: ScoreResult) -> PublishedMonths:
    """:func:`with_publications` over the store of record's official publications, for a month
    scored from the store; any other month as it was scored (no record of what was published)."""
    location = store_of_record(result.params)
    if location is None:
        return PublishedMonths(result, result, ())
    with open_for_reading(location) as store:
        published = store.published_history(result.params.period)
    return with_publications(result, published)


@dataclass(frozen=True)
class MethodChange:
    """How this month's method would colour last month, beside what was published."""

    period: str
    published: dict[str, int]  # band -> stations, as published
    rescored: dict[str, int]  # band -> stations, under this month's method
    recoloured: int  # stations whose colour would differ


def method_change(months: PublishedMonths) -> MethodChange | None:
    """Last month's published colours against this month's method; ``None`` when they agree
    (or last month was not published)."""
    previous = months.result.previous_index()
    if previous is None or months.result.periods[previous] not in months.periods:
        return None
    published = months.result.band[previous]
    rescored = months.rescored.band[previous]
    shown = (published != NO_BAND) & (rescored != NO_BAND)
    recoloured = int(np.sum(shown & (published != rescored)))
    if recoloured == 0:
        return None

    def counts(codes: np.ndarray) -> dict[str, int]:
        return {band: int(np.sum(codes == code)) for code, band in enumerate(BANDS)}

    return MethodChange(
        months.result.periods[previous], counts(published), counts(rescored), recoloured
    )
