"""The embedded Ningbo sample under the shipped parameters tells the article's story."""

from pathlib import Path

import pytest

from fivecolor import load_data, load_params, score
from fivecolor.analysis.month import colour_counts

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def result():
    params = load_params(ROOT / "params" / "2020-05.yaml")
    return score(load_data(params), params)


def test_sample_has_sixty_stations_in_ten_counties(result):
    stations = result.data.stations
    assert len(stations) == 60 and stations["county"].nunique() == 10
    assert (
        stations.loc["meilin", "name"] == "梅林供电所"
        and stations.loc["meilin", "county"] == "宁海县"
    )


def test_may_2020_shows_all_five_colours_in_a_believable_spread(result):
    counts = colour_counts(result).loc["2020-05"]
    assert (counts > 0).all()
    assert counts.max() <= 30  # no colour swallows half the company


def test_meilin_moves_from_yellow_to_green_as_in_the_article(result):
    table = result.table().set_index("station_id")
    assert table.loc["meilin", "band"] == "green"
    assert table.loc["meilin", "prev_band"] == "yellow"
    assert table.loc["meilin", "change"] == "up"


def test_the_sample_month_validates_without_errors(result):
    assert (result.data.findings["severity"] != "error").all()
    assert result.data.periods[0] == "2018-06" and result.data.periods[-1] == "2020-05"
