"""Generate the embedded Ningbo sample: 60 supply stations, ten indicators, 24 months.

The station names, counties, towns and coordinates are real (towns of Ningbo's ten
county-level divisions, coordinates from GeoNames, © GeoNames, CC-BY 4.0); every indicator
value is synthetic. The values follow a small statistical model:

- a latent station quality, persistent over time and shared (with an indicator-specific
  loading) by all ten indicators, so good stations tend to be good at most things;
- an indicator-specific persistent station effect, so each station has its own weak spots;
- a slowly wandering station condition (an AR(1) process over months), which moves a handful
  of stations across a band boundary each month;
- a gentle company-wide improvement over time;
- summer peaks (July to September: typhoons and peak load) in outages and line loss;
- independent month noise, and indicator-specific distributions in the indicators' own units
  (Poisson counts for integrity findings and outages, log-normal connection days, ...);
- the reporting windows of real indicators: fault outages as a trailing three-month mean,
  integrity findings over the trailing twelve months, party building assessed quarterly.

One station tells the source article's story: 梅林供电所 (``meilin``), lagging (yellow) for
two years, improves in the final month and turns green. A few cells (3 to 8) are left out to
exercise the handling of missing data.

The model's constants were tuned once, for the default arguments, so that the final month
shows all five colours in a believable spread and no composite lies within 0.05 of a band
cut-off in the last two months; other seeds and sizes keep the model, not those guarantees.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from scipy.signal import lfilter
from scipy.stats import poisson as poisson_dist
from shapely.geometry import shape

from fivecolor.data.geography import county_boundaries
from fivecolor.errors import InputError
from fivecolor.params.limits import regular_file

__all__ = [
    "COUNTIES",
    "DECIMALS",
    "STORY_STATION",
    "make_sample",
    "write_sample",
    "write_sample_sqlite",
]

#: Ningbo's ten county-level divisions, in the order the stations table lists them.
COUNTIES: tuple[str, ...] = (
    "海曙区",
    "江北区",
    "北仑区",
    "镇海区",
    "鄞州区",
    "奉化区",
    "余姚市",
    "慈溪市",
    "宁海县",
    "象山县",
)

#: Decimals written for each indicator (values are rounded to these in the frames too).
DECIMALS: dict[str, int] = {
    "safety_production": 1,
    "fault_outage": 2,
    "frequent_outage": 2,
    "line_loss": 2,
    "customer_satisfaction": 2,
    "getting_electricity": 2,
    "party_building": 1,
    "integrity_risk": 0,
    "financial_performance": 2,
    "team_performance": 1,
}

# The 60 stations: (station_id, English town name, county, town, lat, lon). Towns and
# coordinates from GeoNames (© GeoNames, CC-BY 4.0); 梅林 is not in GeoNames and sits near
# the 宁海 county seat. Of the 63 GeoNames towns, 黄家埠 (余姚), 附海 (慈溪), 桑洲 (宁海) and
# 贤庠 (象山, whose pinyin would clash with 咸祥 in 鄞州) are left out to make 60.
_TOWNS: tuple[tuple[str, str, str, str, float, float], ...] = (
    ("hengjie", "Hengjie", "海曙区", "横街镇", 29.8592, 121.3969),
    ("dongqiao", "Dongqiao", "海曙区", "洞桥镇", 29.7807, 121.4030),
    ("yinjiang", "Yinjiang", "海曙区", "鄞江镇", 29.7742, 121.3552),
    ("jishigang", "Jishigang", "海曙区", "集士港镇", 29.8703, 121.4311),
    ("gaoqiao", "Gaoqiao", "海曙区", "高桥镇", 29.9081, 121.4542),
    ("zhuangqiao", "Zhuangqiao", "江北区", "庄桥街道", 29.9300, 121.5483),
    ("cicheng", "Cicheng", "江北区", "慈城镇", 29.9823, 121.4402),
    ("yongjiang", "Yongjiang", "江北区", "甬江街道", 29.9039, 121.5786),
    ("daqi", "Daqi", "北仑区", "大碶街道", 29.8921, 121.7960),
    ("xiaogang", "Xiaogang", "北仑区", "小港街道", 29.9503, 121.7429),
    ("xinqi", "Xinqi", "北仑区", "新碶街道", 29.9192, 121.8378),
    ("chaiqiao", "Chaiqiao", "北仑区", "柴桥街道", 29.8692, 121.9144),
    ("xiapu", "Xiapu", "北仑区", "霞浦街道", 29.8890, 121.8803),
    ("jiulonghu", "Jiulonghu", "镇海区", "九龙湖镇", 30.0428, 121.5604),
    ("zhaobaoshan", "Zhaobaoshan", "镇海区", "招宝山街道", 29.9695, 121.6875),
    ("xiepu", "Xiepu", "镇海区", "澥浦镇", 30.0246, 121.5938),
    ("luotuo", "Luotuo", "镇海区", "骆驼街道", 29.9845, 121.5902),
    ("dongwu", "Dongwu", "鄞州区", "东吴镇", 29.8089, 121.7225),
    ("dongqianhu", "Dongqianhu", "鄞州区", "东钱湖镇", 29.7915, 121.6322),
    ("yunlong", "Yunlong", "鄞州区", "云龙镇", 29.7744, 121.5918),
    ("wuxiang", "Wuxiang", "鄞州区", "五乡镇", 29.8460, 121.6873),
    ("xianxiang", "Xianxiang", "鄞州区", "咸祥镇", 29.6903, 121.7788),
    ("tangxi", "Tangxi", "鄞州区", "塘溪镇", 29.6699, 121.7134),
    ("qiuai", "Qiu'ai", "鄞州区", "邱隘镇", 29.8520, 121.6316),
    ("dayan", "Dayan", "奉化区", "大堰镇", 29.5077, 121.2995),
    ("songao", "Song'ao", "奉化区", "松岙镇", 29.6119, 121.6859),
    ("jiangkou", "Jiangkou", "奉化区", "江口街道", 29.7329, 121.4037),
    ("xikou", "Xikou", "奉化区", "溪口镇", 29.6852, 121.2744),
    ("qiucun", "Qiucun", "奉化区", "裘村镇", 29.6044, 121.6214),
    ("xiwu", "Xiwu", "奉化区", "西坞街道", 29.6832, 121.4835),
    ("jinping", "Jinping", "奉化区", "锦屏街道", 29.6629, 121.4023),
    ("zhangting", "Zhangting", "余姚市", "丈亭镇", 30.0153, 121.2842),
    ("sanqishi", "Sanqishi", "余姚市", "三七市镇", 30.0336, 121.3386),
    ("linshan", "Linshan", "余姚市", "临山镇", 30.1539, 120.9918),
    ("xiaocaoe", "Xiaocao'e", "余姚市", "小曹娥镇", 30.2196, 121.0679),
    ("hemudu", "Hemudu", "余姚市", "河姆渡镇", 29.9871, 121.3114),
    ("simen", "Simen", "余姚市", "泗门镇", 30.1617, 121.0389),
    ("moushan", "Moushan", "余姚市", "牟山镇", 30.0751, 120.9903),
    ("mazhu", "Mazhu", "余姚市", "马渚镇", 30.0780, 121.0470),
    ("kuangyan", "Kuangyan", "慈溪市", "匡堰镇", 30.1513, 121.2959),
    ("zhangqi", "Zhangqi", "慈溪市", "掌起镇", 30.1158, 121.4509),
    ("xinpu", "Xinpu", "慈溪市", "新浦镇", 30.2437, 121.3642),
    ("qiaotou", "Qiaotou", "慈溪市", "桥头镇", 30.1610, 121.3569),
    ("henghe", "Henghe", "慈溪市", "横河镇", 30.1293, 121.2371),
    ("shengshan", "Shengshan", "慈溪市", "胜山镇", 30.2329, 121.3225),
    ("guanhaiwei", "Guanhaiwei", "慈溪市", "观海卫镇", 30.1703, 121.4018),
    ("xiaolin", "Xiaolin", "慈溪市", "逍林镇", 30.1727, 121.3059),
    ("meilin", "Meilin", "宁海县", "梅林街道", 29.2900, 121.4300),
    ("yishi", "Yishi", "宁海县", "一市镇", 29.1994, 121.4747),
    ("qiantong", "Qiantong", "宁海县", "前童镇", 29.2246, 121.3525),
    ("liyang", "Liyang", "宁海县", "力洋镇", 29.3067, 121.6150),
    ("chalu", "Chalu", "宁海县", "岔路镇", 29.2033, 121.3153),
    ("changjie", "Changjie", "宁海县", "长街镇", 29.2500, 121.7050),
    ("huangtan", "Huangtan", "宁海县", "黄坛镇", 29.2961, 121.3583),
    ("qiangtou", "Qiangtou", "象山县", "墙头镇", 29.4639, 121.7806),
    ("dingtang", "Dingtang", "象山县", "定塘镇", 29.2303, 121.8422),
    ("sizhoutou", "Sizhoutou", "象山县", "泗洲头镇", 29.3728, 121.7675),
    ("tuci", "Tuci", "象山县", "涂茨镇", 29.5572, 121.9336),
    ("xizhou", "Xizhou", "象山县", "西周镇", 29.4789, 121.6728),
    ("hepu", "Hepu", "象山县", "鹤浦镇", 29.1531, 121.9031),
)

#: The station whose story the sample tells (yellow last month, green this month).
STORY_STATION = "meilin"

#: Rounds of redrawing synthetic points that fall off their county or on another's point.
_MAX_DRAWS = 200

# Latent quality (standard-normal scale, higher is better) of the story station, set so that
# its composite sits just below the green cut-off until the final month.
_STORY_QUALITY = -1.9
# The story station's improvement plan lifts its condition in the final month.
_STORY_UPLIFT = 0.6

# Model constants. Shared latent: q (station), a (AR(1) station condition); each indicator
# loads on q with `rho`, has its own persistent effect with weight sqrt(1 - rho**2).
_AR_PHI = 0.85  # month-to-month persistence of the station condition
_AR_SD = 0.12  # innovation sd of the station condition
_QUALITY_SD = 1.02  # spread of the latent station quality
_LEVEL = 0.13  # company-wide level in the final month, in latent sd
_TREND_PER_YEAR = 0.25  # company-wide improvement, in latent sd per year
_BURN_IN = 12  # months simulated before the table starts
_SUMMER = np.array([0, 0, 0, 0, 0, 0.1, 0.4, 0.45, 0.25, 0, 0, 0])  # Jan..Dec outage bump


def _points_in_counties(
    county: np.ndarray, lat0: np.ndarray, lon0: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Points scattered around (lat0, lon0), each on its county's land and all distinct.

    A point that falls in the sea or another county, or on another's point once rounded to
    the files' 4 decimals, is drawn again (whole rounds, not one station at a time). The
    report snaps stray points onto their county and refuses two stations on one point, so a
    large company would otherwise fail there.
    """
    shapes = {
        f["properties"]["name"]: shape(f["geometry"]) for f in county_boundaries()["features"]
    }
    areas = np.array([shapes[c] for c in county], dtype=object)
    lat = np.full(len(county), np.nan)
    lon = np.full(len(county), np.nan)
    redraw = np.ones(len(county), dtype=bool)
    for _ in range(_MAX_DRAWS):
        n = int(redraw.sum())
        if n == 0:
            return lat, lon
        lat[redraw] = np.round(lat0[redraw] + rng.normal(0, 0.04, n), 4)
        lon[redraw] = np.round(lon0[redraw] + rng.normal(0, 0.04, n), 4)
        on_land = shapely.contains_xy(areas, lon, lat)
        taken = pd.DataFrame({"lat": lat, "lon": lon}).duplicated().to_numpy()
        redraw = ~on_land | taken
    raise RuntimeError(f"could not place {int(redraw.sum())} synthetic stations on land")


def _station_table(n_stations: int, rng: np.random.Generator) -> pd.DataFrame:
    """Stations: the 60 real towns for the default size, synthetic stations otherwise."""
    staff = np.clip(np.round(rng.lognormal(np.log(62.0), 0.38, n_stations)), 25, 140)
    if n_stations == len(_TOWNS):
        ids, name_en, county, town, lat, lon = (np.array(col) for col in zip(*_TOWNS, strict=True))
        # 长街镇 -> 长街供电所: drop the administrative suffix only.
        name = pd.Series(town.tolist()).str.replace(r"(镇|街道)$", "", regex=True).add("供电所")
        name_en = np.char.add(name_en, " station")
    else:
        # Synthetic stations scattered around the real towns, kept inside the bounding box.
        # Sorted anchors (the towns are in county order) keep ids in the table's order.
        anchor = np.sort(rng.integers(0, len(_TOWNS), n_stations))
        towns = np.array([t[2:6] for t in _TOWNS], dtype=object)[anchor]
        county, town = towns[:, 0].astype(str), towns[:, 1].astype(str)
        lat, lon = _points_in_counties(
            county, towns[:, 2].astype(float), towns[:, 3].astype(float), rng
        )
        number = np.char.zfill(np.arange(1, n_stations + 1).astype(str), 5)
        ids = np.char.add("s", number)
        name = np.char.add(np.char.add("合成", number), "供电所")
        name_en = np.char.add("Synthetic station ", number)
    stations = pd.DataFrame(
        {
            "station_id": ids,
            "name": name,
            "name_en": name_en,
            "county": county,
            "town": town,
            "lat": np.round(np.asarray(lat, float), 4),
            "lon": np.round(np.asarray(lon, float), 4),
            "staff": staff.astype(int),
        }
    )
    order = pd.Categorical(stations["county"], categories=COUNTIES, ordered=True)
    return (
        stations.assign(_order=order)
        .sort_values(["_order", "station_id"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def _trailing_sum(x: np.ndarray, window: int) -> np.ndarray:
    """Sum over the last `window` columns (months), partial at the start."""
    total = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(x, axis=1)], axis=1)
    start = np.maximum(np.arange(1, x.shape[1] + 1) - window, 0)
    return total[:, 1:] - total[:, start]


def _indicator_values(
    latent: dict[str, np.ndarray],
    month: np.ndarray,
    quarter: np.ndarray,
    size: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Raw values in each indicator's unit from its latent (stations x months, higher better).

    Each entry turns the standardised latent into the indicator's own kind of distribution;
    the centres and spreads put a typical station at about 80-85 on the goalpost scale.
    """
    shape = latent["safety_production"].shape
    # One stream per draw, and Poisson counts by inversion of fixed uniforms, so that a change
    # in one rate moves its own counts monotonically and leaves every other draw as it was.
    streams = iter(rng.spawn(16))

    def noise(sd: float) -> np.ndarray:
        return next(streams).normal(0.0, sd, shape)

    def poisson(mean: np.ndarray) -> np.ndarray:
        return poisson_dist.ppf(next(streams).random(shape), mean)

    summer = _SUMMER[month - 1]
    km, customers = size["line_km"], size["customers"]
    # Fault outages: Poisson counts over the station's lines, reported per 100 km per month
    # as a trailing three-month mean (a single month's count is too noisy to rank on).
    fault_rate = np.exp(np.log(0.62) - 0.42 * latent["fault_outage"] + summer)
    fault_counts = poisson(fault_rate * km / 100.0)
    # Frequent outages: customers hit repeatedly, per 10,000 customers served.
    frequent_rate = np.exp(
        np.log(4.6) - 0.55 * latent["frequent_outage"] + 0.6 * summer + noise(0.06)
    )
    # Integrity: risk findings over the trailing twelve months (Poisson, about 1 a year).
    findings = poisson(np.exp(np.log(0.95) - 0.45 * latent["integrity_risk"]) / 12.0)
    values = {
        "safety_production": 93.0 + 3.2 * latent["safety_production"] + noise(0.6),
        "fault_outage": _trailing_sum(fault_counts, 3) * 100.0 / (3 * km),
        "frequent_outage": poisson(frequent_rate * customers / 1e4) * 1e4 / customers,
        "line_loss": 4.35 - 0.75 * latent["line_loss"] + 0.6 * summer + noise(0.10),
        # Survey points and fee recovery: 100 minus a log-normal shortfall.
        "customer_satisfaction": 100.0
        - np.exp(np.log(3.4) - 0.35 * latent["customer_satisfaction"] + noise(0.08)),
        "getting_electricity": np.exp(
            np.log(2.85) - 0.22 * latent["getting_electricity"] + noise(0.04)
        ),
        "party_building": 94.8 + 2.4 * latent["party_building"] + noise(0.9),
        "integrity_risk": _trailing_sum(findings, 12),
        "financial_performance": 100.0
        - np.exp(np.log(0.75) - 0.35 * latent["financial_performance"] + noise(0.15)),
        "team_performance": 93.6 + 2.6 * latent["team_performance"] + noise(0.6),
    }
    # Party building is assessed once a quarter: each month shows its quarter's assessment.
    _, first, inverse = np.unique(quarter, return_index=True, return_inverse=True)
    values["party_building"] = values["party_building"][:, first[inverse]]
    # Keep every value inside its indicator's declared valid range (and fees above 95 %).
    bounds = {
        "fault_outage": (0, 50),
        "frequent_outage": (0, 10_000),
        "line_loss": (0.5, 30),
        "getting_electricity": (0.5, 90),
        "integrity_risk": (0, 100),
        "financial_performance": (95, 100),
    }
    return {key: np.clip(v, *bounds.get(key, (0, 100))) for key, v in values.items()}


# Loading of each indicator on the shared station quality (the rest is its own effect).
_LOADING = {
    "safety_production": 0.70,
    "fault_outage": 0.60,
    "frequent_outage": 0.60,
    "line_loss": 0.65,
    "customer_satisfaction": 0.70,
    "getting_electricity": 0.55,
    "party_building": 0.65,
    "integrity_risk": 0.45,
    "financial_performance": 0.55,
    "team_performance": 0.70,
}


def make_sample(
    n_stations: int = 60,
    n_months: int = 24,
    end_period: str = "2020-05",
    seed: int = 20200520,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build the sample's stations and indicators tables.

    Parameters
    ----------
    n_stations
        Number of stations. The default 60 gives the real Ningbo towns (with 梅林供电所);
        any other number gives synthetic stations ``s00001``, ``s00002``, ... placed around
        the real towns, for tests and benchmarks of large companies.
    n_months
        Number of months, ending at `end_period`.
    end_period
        Last month, ``YYYY-MM``.
    seed
        Seed of the random generator: the same arguments always give the same tables.

    Returns
    -------
    stations : pandas.DataFrame
        ``station_id, name, name_en, county, town, lat, lon, staff``.
    indicators : pandas.DataFrame
        Long format ``period, station_id, indicator, value``, sorted by period, station_id
        and indicator; values rounded to :data:`DECIMALS`; a few cells absent.

    Examples
    --------
    >>> stations, indicators = make_sample()
    >>> stations.loc[stations.station_id == "meilin", ["name", "county"]].values.tolist()
    [['梅林供电所', '宁海县']]
    >>> indicators.period.nunique(), indicators.indicator.nunique()
    (24, 10)
    """
    if n_stations < 1 or n_months < 1:
        raise ValueError("n_stations and n_months must be at least 1")
    # Independent streams, so station attributes do not depend on the number of months.
    station_ss, effect_ss, month_ss, missing_ss = np.random.SeedSequence(seed).spawn(4)
    rng_station = np.random.default_rng(station_ss)
    stations = _station_table(n_stations, rng_station)
    # Lines and customers scale with the station's staff (exposures of the outage rates).
    staff = stations["staff"].to_numpy(float)[:, None]
    size = {
        "line_km": staff * rng_station.uniform(20, 35, (n_stations, 1)),
        "customers": staff * rng_station.uniform(550, 900, (n_stations, 1)),
    }

    # Simulate a year of history before the first month, so the AR condition and the
    # trailing windows are settled when the table starts; that year is then cut off.
    n_total = n_months + _BURN_IN
    periods = pd.period_range(end=pd.Period(end_period, freq="M"), periods=n_total, freq="M")
    month = np.asarray(periods.month)
    quarter = np.asarray(periods.year * 4 + periods.quarter)
    years = (np.arange(n_total) - (n_total - 1)) / 12.0  # <= 0, zero in the final month

    rng_effect = np.random.default_rng(effect_ss)
    quality = _QUALITY_SD * rng_effect.standard_normal((n_stations, 1))
    story = (stations["station_id"] == STORY_STATION).to_numpy()
    quality[story] = _STORY_QUALITY
    condition = np.asarray(
        lfilter([1.0], [1.0, -_AR_PHI], rng_effect.normal(0, _AR_SD, (n_stations, n_total)), axis=1)
    )
    condition[story, -1] += _STORY_UPLIFT
    shared = _LEVEL + quality + condition + _TREND_PER_YEAR * years
    own = rng_effect.standard_normal((n_stations, len(_LOADING)))
    latent = {
        key: rho * shared + np.sqrt(1 - rho**2) * own[:, [i]]
        for i, (key, rho) in enumerate(_LOADING.items())
    }
    values = _indicator_values(latent, month, quarter, size, np.random.default_rng(month_ss))
    values = {key: v[:, _BURN_IN:] for key, v in values.items()}
    periods = periods[_BURN_IN:]

    keys = sorted(values)
    cube = np.stack([np.round(values[k], DECIMALS[k]) for k in keys], axis=-1)  # s x m x i
    ids = stations["station_id"].to_numpy()
    labels = periods.strftime("%Y-%m")
    s_idx, m_idx, i_idx = np.indices(cube.shape).reshape(3, -1)
    indicators = pd.DataFrame(
        {
            "period": labels.to_numpy()[m_idx],
            "station_id": ids[s_idx],
            "indicator": np.array(keys)[i_idx],
            "value": cube.reshape(-1),
        }
    )
    indicators = _drop_a_few(
        indicators, story_id=STORY_STATION, rng=np.random.default_rng(missing_ss)
    )
    return stations, indicators.sort_values(
        ["period", "station_id", "indicator"], ignore_index=True
    )


def _drop_a_few(indicators: pd.DataFrame, story_id: str, rng: np.random.Generator) -> pd.DataFrame:
    """Remove 3 to 8 cells: never the story station's, at most one per station-month and per
    indicator-month, so no station and no indicator is ever entirely missing in a month."""
    if indicators["station_id"].nunique() < 2:
        return indicators
    wanted = int(rng.integers(3, 9))
    pool = indicators.index[indicators["station_id"] != story_id].to_numpy()
    picked = indicators.loc[rng.choice(pool, size=min(len(pool), 4 * wanted), replace=False)]
    picked = picked.drop_duplicates(["period", "station_id"]).drop_duplicates(
        ["period", "indicator"]
    )
    return indicators.drop(index=picked.index[:wanted])


def _format_values(indicators: pd.DataFrame) -> pd.Series:
    """Values as text with each indicator's fixed decimals, for reproducible bytes."""
    text = pd.Series("", index=indicators.index, dtype=object)
    for key, decimals in DECIMALS.items():
        rows = (indicators["indicator"] == key).to_numpy()
        text[rows] = np.char.mod(f"%.{decimals}f", indicators["value"].to_numpy()[rows])
    return text


def _sample_csv(**kwargs) -> dict[str, str]:
    """The text of ``stations.csv`` and ``indicators.csv`` (see :func:`write_sample`)."""
    stations, indicators = make_sample(**kwargs)
    stations_text = stations.assign(
        lat=stations["lat"].map("{:.4f}".format), lon=stations["lon"].map("{:.4f}".format)
    )
    return {
        "stations": stations_text.to_csv(index=False, lineterminator="\n"),
        "indicators": indicators.assign(value=_format_values(indicators)).to_csv(
            index=False, lineterminator="\n"
        ),
    }


def write_sample(out_dir: str | Path, **kwargs) -> dict[str, Path]:
    """Write ``stations.csv`` and ``indicators.csv`` made by :func:`make_sample`.

    Parameters
    ----------
    out_dir
        Folder to write to (created if missing).
    **kwargs
        Passed to :func:`make_sample` (``n_stations``, ``n_months``, ``end_period``, ``seed``).

    Returns
    -------
    dict
        ``{"stations": path, "indicators": path}``.

    Notes
    -----
    Files are UTF-8 without BOM with ``\\n`` line ends; coordinates have 4 decimals and each
    indicator its own fixed decimals, so the same arguments give the same bytes.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for table, text in _sample_csv(**kwargs).items():
        paths[table] = out / f"{table}.csv"
        paths[table].write_bytes(text.encode("utf-8"))
    return paths


#: Columns read as text, as :func:`fivecolor.data.files.read_table` reads them (ids keep leading zeros).
_TEXT_COLUMNS = {
    "stations": ("station_id", "name", "name_en", "county", "town"),
    "indicators": ("period", "station_id", "indicator"),
    "projects": ("station_id", "indicator", "start", "title"),
}


def write_sample_sqlite(path: str | Path, **kwargs) -> Path:
    """Write the sample into a SQLite database: tables ``stations``, ``indicators`` and ``projects``.

    The tables hold exactly the numbers of the CSV files :func:`write_sample` writes (each file
    is parsed as the package parses CSV), so scores from the database equal scores from the
    files. Existing tables of these names are replaced; other tables are left alone.

    Parameters
    ----------
    path
        The database file (created, with its folder, if missing).
    **kwargs
        Passed to :func:`make_sample`. With other arguments than the defaults, the shipped
        ``projects`` table (which names the sample's stations) is left out.

    Returns
    -------
    pathlib.Path
        The database file.
    """
    import io

    from sqlalchemy import create_engine

    texts = _sample_csv(**kwargs)
    if not kwargs:
        texts["projects"] = (Path(__file__).resolve().parent / "projects.csv").read_text(
            encoding="utf-8"
        )
    path = Path(path)
    _refuse_other_files(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path.resolve()}")
    try:
        with engine.begin() as connection:
            for table, text in texts.items():
                frame = pd.read_csv(
                    io.StringIO(text),
                    dtype={c: str for c in _TEXT_COLUMNS[table]},
                    keep_default_na=False,
                    na_values=[""],
                )
                frame.to_sql(table, connection, if_exists="replace", index=False)
    finally:
        engine.dispose()
    return path


#: The first bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"


def _refuse_other_files(path: Path) -> None:
    """An existing target must be a SQLite database (or empty): never write tables into a
    workbook, a folder or a pipe someone named by mistake."""
    if not os.path.lexists(path):
        return
    size = regular_file(path, "SQLite database").st_size
    with open(path, "rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if size and header != SQLITE_HEADER:
        raise InputError(path, "", "exists and is not a SQLite database; give a new file name")


#: The tables :func:`write_sample_sqlite` writes.
SAMPLE_TABLES = ("stations", "indicators", "projects")


def refuse_existing_tables(path: Path) -> None:
    """Refuse (:class:`InputError`) a database that already holds tables, naming the first (the
    sample's own first): writing the sample there would replace data someone keeps."""
    import sqlite3

    path = Path(path)
    _refuse_other_files(path)
    if not os.path.lexists(path) or path.stat().st_size == 0:
        return
    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ) as db:
            rows = db.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name"
            ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise InputError(path, "", f"cannot read it as a SQLite database ({exc})") from None
    tables = sorted((name for (name,) in rows), key=lambda t: (t not in SAMPLE_TABLES, t))
    if tables:
        raise InputError(
            path,
            f"table {tables[0]}",
            f"the database already holds it ({len(tables)} tables); give a new file, or "
            "--replace to replace the sample's tables (others are left alone)",
        )
