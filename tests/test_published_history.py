"""Last month is what was published: a new method does not silently recolour the past."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fivecolor.analysis.published import method_change, with_publications
from fivecolor.data.dataset import load_data
from fivecolor.params import load_params
from fivecolor.resources import default_params_file
from fivecolor.scoring.pipeline import score

SAMPLE = default_params_file().parent / "2020-05.yaml"


def _scored(period=None, **changes):
    params = load_params(SAMPLE, period=period)
    if changes:
        params = params.model_copy(update=changes)
    return score(load_data(params), params)


def _publication(result) -> pd.DataFrame:
    """What publishing ``result``'s reported month records: each station's score, rank, colour."""
    table = result.table()
    return table[["period", "station_id", "score", "rank", "band"]]


def _heavier_line_loss():
    params = load_params(SAMPLE)
    indicators = dict(params.indicators)
    indicators["line_loss"] = indicators["line_loss"].model_copy(update={"weight": 20})
    return params.model_copy(update={"indicators": indicators})


def test_last_month_keeps_its_published_colours_under_a_new_weight():
    april = _scored(period="2020-04")
    params = _heavier_line_loss()
    may = score(load_data(params), params)
    previous = may.previous_index()
    months = with_publications(may, _publication(april))
    assert months.periods == ("2020-04",)
    published = april.table().set_index("station_id")["band"]
    shown = months.result.table().set_index("station_id")["prev_band"]
    assert shown.to_dict() == published.reindex(shown.index).to_dict()
    # the re-scored April differs for some stations, and the result says so
    assert (months.rescored.band[previous] != months.result.band[previous]).any()
    change = method_change(months)
    assert change is not None and change.period == "2020-04"
    assert change.published == {
        band: int((published == band).sum())
        for band in ("red", "orange", "blue", "green", "yellow")
    }
    assert change.recoloured == int(
        (months.rescored.band[previous] != months.result.band[previous]).sum()
    )
    # this month is this month's: never replaced
    assert np.array_equal(months.result.band[may.period_index], may.band[may.period_index])


def test_the_same_method_changes_nothing_and_says_nothing():
    april = _scored(period="2020-04")
    may = _scored()
    months = with_publications(may, _publication(april))
    assert np.array_equal(months.result.band, may.band, equal_nan=True)
    assert method_change(months) is None


def test_no_publication_leaves_the_month_as_scored():
    may = _scored()
    empty = pd.DataFrame(columns=["period", "station_id", "score", "rank", "band"])
    months = with_publications(may, empty)
    assert months.result is may and method_change(months) is None


def test_a_station_missing_from_the_publication_has_no_published_colour():
    april = _scored(period="2020-04")
    may = _scored()
    publication = _publication(april)
    dropped = publication["station_id"].iloc[0]
    months = with_publications(may, publication.iloc[1:])
    row = months.result.table().set_index("station_id").loc[dropped]
    assert row["prev_band"] == "" and row["change"] == "new"
