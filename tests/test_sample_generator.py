"""The embedded Ningbo sample and its generator."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from fivecolor.data.sample import COUNTIES, DECIMALS, SAMPLE_DIR, make_sample, write_sample

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = yaml.safe_load((ROOT / "params" / "default.yaml").read_text(encoding="utf-8"))
INDICATORS = CATALOGUE["indicators"]
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
STATION_COLUMNS = ["station_id", "name", "name_en", "county", "town", "lat", "lon", "staff"]
INDICATOR_COLUMNS = ["period", "station_id", "indicator", "value"]
NINGBO_BBOX = ((28.85, 30.45), (120.90, 122.30))


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_sample()


@pytest.fixture(scope="module")
def shipped() -> tuple[pd.DataFrame, pd.DataFrame]:
    read = dict(encoding="utf-8", dtype={"period": str, "station_id": str})
    return (
        pd.read_csv(SAMPLE_DIR / "stations.csv", **read),
        pd.read_csv(SAMPLE_DIR / "indicators.csv", **read),
    )


def composite_by_hand(indicators: pd.DataFrame) -> pd.DataFrame:
    """Goalpost scores and weighted mean over the cells present, straight from the design:
    n = 100 (t(x) - t(worst)) / (t(best) - t(worst)) clipped to [0, 100]."""
    wide = indicators.pivot(index=["period", "station_id"], columns="indicator", values="value")
    normalised, weights = {}, {}
    for key, spec in INDICATORS.items():
        t = np.log if spec.get("transform") == "log" else np.asarray
        worst, best = spec["goalposts"]
        normalised[key] = np.clip(100 * (t(wide[key]) - t(worst)) / (t(best) - t(worst)), 0, 100)
        weights[key] = spec["weight"]
    n = pd.DataFrame(normalised)
    w = pd.Series(weights)
    composite = (n.fillna(0) * w).sum(axis=1) / (n.notna() * w).sum(axis=1)
    return composite.unstack("station_id")


def band_by_hand(composite: pd.Series) -> pd.Series:
    cutoffs = CATALOGUE["bands"]["cutoffs"]  # [90, 85, 80, 75], best first
    colours = np.array(["red", "orange", "blue", "green", "yellow"])
    return pd.Series(
        colours[(composite.to_numpy()[:, None] < np.array(cutoffs)).sum(axis=1)],
        index=composite.index,
    )


def test_generator_reproduces_the_shipped_files_byte_for_byte(tmp_path):
    paths = write_sample(tmp_path)
    for role in ("stations", "indicators"):
        assert paths[role] == tmp_path / f"{role}.csv"
        assert paths[role].read_bytes() == (SAMPLE_DIR / f"{role}.csv").read_bytes()


@pytest.mark.parametrize("name", ["stations.csv", "indicators.csv"])
def test_shipped_files_are_plain_utf8_with_newlines(name):
    raw = (SAMPLE_DIR / name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw
    assert raw.endswith(b"\n")
    raw.decode("utf-8")


def test_shipped_files_read_back_as_the_frames(sample, shipped):
    for made, read in zip(sample, shipped, strict=True):
        pd.testing.assert_frame_equal(made.reset_index(drop=True), read, check_dtype=False)


def test_value_text_has_the_fixed_decimals():
    lines = (SAMPLE_DIR / "indicators.csv").read_text(encoding="utf-8").splitlines()[1:]
    fields = pd.DataFrame([line.split(",") for line in lines], columns=INDICATOR_COLUMNS)
    decimals = fields["value"].str.partition(".")[2].str.len()
    assert (decimals == fields["indicator"].map(DECIMALS)).all()


def test_stations_table(sample):
    stations, _ = sample
    assert list(stations.columns) == STATION_COLUMNS
    assert len(stations) == 60
    assert stations["station_id"].is_unique
    assert stations["station_id"].str.fullmatch(ID_PATTERN[1:-1]).all()
    assert stations["station_id"].str.fullmatch(r"[a-z]+").all()  # pinyin of the town
    assert set(stations["county"]) == set(COUNTIES) and len(COUNTIES) == 10
    assert stations["name"].str.endswith("供电所").all()
    assert stations["name_en"].str.endswith(" station").all()
    assert stations["staff"].between(25, 140).all()
    assert (stations["staff"] > 100).any()
    assert stations["lat"].between(*NINGBO_BBOX[0]).all()
    assert stations["lon"].between(*NINGBO_BBOX[1]).all()
    # Real towns, one station each, so no two stations share coordinates.
    assert not stations.duplicated(["lat", "lon"]).any()
    assert stations["town"].is_unique


def test_meilin_is_in_ninghai_near_the_county_seat(sample):
    stations, _ = sample
    meilin = stations.set_index("station_id").loc["meilin"]
    assert meilin["name"] == "梅林供电所"
    assert meilin["name_en"] == "Meilin station"
    assert meilin["county"] == "宁海县"
    assert (meilin["lat"], meilin["lon"]) == pytest.approx((29.29, 121.43), abs=0.02)


def test_names_drop_only_the_administrative_suffix(sample):
    stations, _ = sample
    names = stations.set_index("station_id")["name"]
    assert names["changjie"] == "长街供电所"  # 长街镇: the 街 of the name stays
    assert names["zhaobaoshan"] == "招宝山供电所"  # 招宝山街道
    assert names["sanqishi"] == "三七市供电所"


def test_indicators_table_shape_and_order(sample):
    stations, indicators = sample
    assert list(indicators.columns) == INDICATOR_COLUMNS
    periods = pd.period_range("2018-06", "2020-05", freq="M").strftime("%Y-%m")
    assert sorted(indicators["period"].unique()) == list(periods)
    assert set(indicators["indicator"]) == set(INDICATORS)
    assert set(indicators["station_id"]) == set(stations["station_id"])
    assert not indicators.duplicated(["period", "station_id", "indicator"]).any()
    ordered = indicators.sort_values(["period", "station_id", "indicator"], ignore_index=True)
    pd.testing.assert_frame_equal(indicators, ordered)


@pytest.mark.parametrize("key", list(INDICATORS))
def test_values_lie_inside_the_valid_range(sample, key):
    values = sample[1].loc[lambda d: d["indicator"] == key, "value"]
    low, high = INDICATORS[key]["valid"]
    assert values.notna().all()
    assert values.between(low, high).all()
    assert (values.round(DECIMALS[key]) == values).all()


def test_units_are_plausible(sample):
    values = sample[1].groupby("indicator")["value"]
    assert values.min()["financial_performance"] >= 95
    assert (values.apply(lambda v: (v == v.round()).all()))["integrity_risk"]
    assert values.median()["getting_electricity"] == pytest.approx(3, abs=1)
    assert values.median()["line_loss"] == pytest.approx(4.5, abs=1.5)


def test_a_few_cells_are_missing_but_never_a_whole_station_or_indicator(sample):
    stations, indicators = sample
    expected = 24 * len(stations) * len(INDICATORS)
    assert 3 <= expected - len(indicators) <= 8
    assert (indicators["station_id"] == "meilin").sum() == 24 * len(INDICATORS)
    per_station_month = indicators.groupby(["period", "station_id"]).size()
    per_indicator_month = indicators.groupby(["period", "indicator"]).size()
    assert len(per_station_month) == 24 * len(stations)
    assert len(per_indicator_month) == 24 * len(INDICATORS)


def test_outages_peak_in_summer(sample):
    outages = sample[1].loc[lambda d: d["indicator"] == "fault_outage"]
    summer = outages["period"].str[5:].isin(["07", "08", "09"])
    assert outages.loc[summer, "value"].mean() > 1.2 * outages.loc[~summer, "value"].mean()


def test_the_story_of_the_source_article(sample):
    """Meilin moves from yellow to green in May 2020; all five colours are on the map."""
    composite = composite_by_hand(sample[1])
    april, may = band_by_hand(composite.loc["2020-04"]), band_by_hand(composite.loc["2020-05"])
    assert (april["meilin"], may["meilin"]) == ("yellow", "green")
    counts = may.value_counts()
    assert set(counts.index) == {"red", "orange", "blue", "green", "yellow"}
    assert counts.between(4, 22).all()
    # Bands are not fragile: no composite sits on a cut-off in the last two months.
    last = composite.loc[["2020-04", "2020-05"]].to_numpy().ravel()
    gap = np.abs(last[:, None] - np.array(CATALOGUE["bands"]["cutoffs"])).min()
    assert gap >= 0.05
    # Stations move: some change band from April to May, most do not.
    assert 2 <= (april != may).sum() <= 20
    # The company improves: the mean composite is higher than two years before.
    assert composite.loc["2020-05"].mean() > composite.loc["2018-06"].mean()


def test_large_synthetic_company_has_the_right_shape():
    stations, indicators = make_sample(n_stations=500, n_months=3)
    assert list(stations.columns) == STATION_COLUMNS
    assert list(stations["station_id"]) == [f"s{i:05d}" for i in range(1, 501)]
    assert stations["station_id"].str.fullmatch(ID_PATTERN[1:-1]).all()
    assert set(stations["county"]) <= set(COUNTIES)
    assert stations["lat"].between(*NINGBO_BBOX[0]).all()
    assert stations["lon"].between(*NINGBO_BBOX[1]).all()
    assert stations["staff"].between(25, 140).all()
    assert sorted(indicators["period"].unique()) == ["2020-03", "2020-04", "2020-05"]
    assert 3 * 500 * 10 - 8 <= len(indicators) <= 3 * 500 * 10 - 3
    for key, spec in INDICATORS.items():
        values = indicators.loc[indicators["indicator"] == key, "value"]
        assert values.between(*spec["valid"]).all()


def test_generator_is_deterministic_for_a_seed_and_varies_with_it():
    first = make_sample(n_stations=500, n_months=3, seed=7)
    again = make_sample(n_stations=500, n_months=3, seed=7)
    other = make_sample(n_stations=500, n_months=3, seed=8)
    for a, b in zip(first, again, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert not first[1]["value"].equals(other[1]["value"])
    assert not first[0][["lat", "lon"]].equals(other[0][["lat", "lon"]])


def test_stations_do_not_depend_on_the_number_of_months():
    short, _ = make_sample(n_stations=80, n_months=2)
    long, _ = make_sample(n_stations=80, n_months=30)
    pd.testing.assert_frame_equal(short, long)


def test_end_period_sets_the_months():
    _, indicators = make_sample(n_stations=5, n_months=14, end_period="2021-01")
    periods = sorted(indicators["period"].unique())
    assert (periods[0], periods[-1], len(periods)) == ("2019-12", "2021-01", 14)


def test_tiny_and_invalid_sizes():
    stations, indicators = make_sample(n_stations=1, n_months=1)
    assert len(stations) == 1 and len(indicators) == len(INDICATORS)  # nothing to drop
    with pytest.raises(ValueError):
        make_sample(n_stations=0)


def test_a_province_sized_company_has_distinct_points_on_its_own_county():
    """3,000 synthetic stations: each on its county's land, no two on one point (as rounded in
    the files), so every station gets its own service area."""
    import shapely

    from fivecolor.data.geography import county_boundaries, service_areas

    stations, _ = make_sample(n_stations=3000, n_months=1)
    assert not stations[["lat", "lon"]].duplicated().any()
    shapes = {
        f["properties"]["name"]: shapely.geometry.shape(f["geometry"])
        for f in county_boundaries()["features"]
    }
    areas = np.array([shapes[c] for c in stations["county"]], dtype=object)
    assert shapely.contains_xy(areas, stations["lon"], stations["lat"]).all()
    assert len(service_areas(stations)["features"]) == 3000


@pytest.mark.slow
def test_a_generated_company_builds_its_report(tmp_path, run_cli):
    """The README's larger-company route: ``sample --out`` then ``report --params`` on it."""
    company = tmp_path / "company"
    code, _, err = run_cli("sample", "--stations", "61", "--months", "2", "--out", company)
    assert code == 0, err
    code, _, err = run_cli(
        "report", "--params", company / "params.yaml", "--out", tmp_path / "reports"
    )
    assert code == 0, err
    (month,) = (p for p in (tmp_path / "reports").iterdir() if p.name[:4].isdigit())
    pages = sorted(p.stem for p in (month / "stations").glob("*.html"))
    assert pages == [f"s{i:05d}" for i in range(1, 62)]
    assert (month / "index.html").is_file() and (month / "widget.html").is_file()
