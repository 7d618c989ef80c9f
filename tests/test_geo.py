"""Tests for fivecolor.data.geography: county base map, per-county Voronoi service areas, user files."""

from __future__ import annotations

import json
import struct
import zlib

import altair as alt
import numpy as np
import pandas as pd
import pytest
import shapely
import vl_convert as vlc
from shapely.geometry import shape

from fivecolor.data import geography as geo
from fivecolor.views.text import map_caption, text

COUNTY_NAMES = [
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
]
COUNTY_NAMES_EN = [
    "Haishu",
    "Jiangbei",
    "Beilun",
    "Zhenhai",
    "Yinzhou",
    "Fenghua",
    "Yuyao",
    "Cixi",
    "Ninghai",
    "Xiangshan",
]

# Town points (WGS84) copied from the project's GeoNames-based town list (© GeoNames, CC-BY 4.0).
# 镇海 has one station, 江北 two; 海曙, 北仑, 奉化 and 宁海 none. 鹤浦 lies on 南田岛, an island.
TOWNS = pd.DataFrame(
    [
        ("YY1", "余姚市", "丈亭镇", 30.0153, 121.2842),
        ("YY2", "余姚市", "泗门镇", 30.1617, 121.0389),
        ("YY3", "余姚市", "马渚镇", 30.0780, 121.0470),
        ("CX1", "慈溪市", "新浦镇", 30.2437, 121.3642),
        ("CX2", "慈溪市", "横河镇", 30.1293, 121.2371),
        ("CX3", "慈溪市", "观海卫镇", 30.1703, 121.4018),
        ("XS1", "象山县", "墙头镇", 29.4639, 121.7806),
        ("XS2", "象山县", "定塘镇", 29.2303, 121.8422),
        ("XS3", "象山县", "西周镇", 29.4789, 121.6728),
        ("XS4", "象山县", "鹤浦镇", 29.1531, 121.9031),
        ("YZ1", "鄞州区", "东吴镇", 29.8089, 121.7225),
        ("YZ2", "鄞州区", "云龙镇", 29.7744, 121.5918),
        ("YZ3", "鄞州区", "邱隘镇", 29.8520, 121.6316),
        ("JB1", "江北区", "庄桥街道", 29.9300, 121.5483),
        ("JB2", "江北区", "慈城镇", 29.9823, 121.4402),
        ("ZH1", "镇海区", "九龙湖镇", 30.0428, 121.5604),
    ],
    columns=["station_id", "county", "name", "lat", "lon"],
)


# --------------------------------------------------------------------------- helpers
def shoelace(ring) -> float:
    """Signed area of a ring in lon/lat: positive counter-clockwise, negative clockwise."""
    xy = np.asarray(ring, dtype=float)
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))


def polygons_of(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def assert_d3_winding(feature_collection: dict) -> None:
    """Every exterior ring clockwise and every hole counter-clockwise."""
    for feature in feature_collection["features"]:
        for polygon in polygons_of(feature["geometry"]):
            assert shoelace(polygon[0]) < 0, feature["properties"]
            assert all(shoelace(hole) > 0 for hole in polygon[1:]), feature["properties"]


def all_coordinates(feature_collection: dict) -> np.ndarray:
    return np.vstack(
        [
            np.asarray(ring)
            for f in feature_collection["features"]
            for polygon in polygons_of(f["geometry"])
            for ring in polygon
        ]
    )


def geometries(feature_collection: dict) -> np.ndarray:
    return np.array([shape(f["geometry"]) for f in feature_collection["features"]])


def county_shape(name: str):
    (feature,) = [f for f in geo.county_boundaries()["features"] if f["properties"]["name"] == name]
    return shape(feature["geometry"])


def png_pixels(data: bytes) -> np.ndarray:
    """Decode an 8-bit, non-interlaced RGB/RGBA PNG into an (height, width, channels) array."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0
    channels = 4 if colour == 6 else 3
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.int64)
    previous = np.zeros(stride, dtype=np.int64)
    for row in range(height):
        kind, line = raw[row, 0], raw[row, 1:].astype(np.int64)
        if kind == 0:
            current = line
        elif kind == 2:
            current = (line + previous) % 256
        elif kind == 1:  # Sub: running sum per channel along the row
            current = np.cumsum(line.reshape(width, channels), axis=0).reshape(-1) % 256
        else:  # Average or Paeth: sequential within the row
            current = np.zeros(stride, dtype=np.int64)
            for i in range(stride):
                left = current[i - channels] if i >= channels else 0
                up = previous[i]
                if kind == 3:
                    predictor = (left + up) // 2
                else:
                    up_left = previous[i - channels] if i >= channels else 0
                    p = left + up - up_left
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                    predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else up_left)
                current[i] = (line[i] + predictor) % 256
        out[row] = current
        previous = current
    return out.reshape(height, width, channels).astype(np.uint8)


def colour_shares(chart: alt.TopLevelMixin) -> tuple[float, float]:
    """Shares of pure-white pixels and of the commonest other colour in vl-convert's PNG."""
    pixels = png_pixels(vlc.vegalite_to_png(chart.to_dict(), scale=1))[..., :3].reshape(-1, 3)
    white = np.all(pixels == 255, axis=1)
    _, counts = np.unique(pixels[~white], axis=0, return_counts=True)
    return float(white.mean()), float(counts.max() / len(pixels))


# --------------------------------------------------------------------------- coordinates
# Public test vectors of the eviltransform project: (wgs lat, wgs lon, gcj lat, gcj lon).
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


def test_wgs84_to_gcj02_matches_published_vectors():
    wgs_lat, wgs_lon, gcj_lat, gcj_lon = np.array(EVILTRANSFORM).T
    lon, lat = geo.wgs84_to_gcj02(wgs_lon, wgs_lat)
    np.testing.assert_allclose(lon, gcj_lon, atol=1e-9)
    np.testing.assert_allclose(lat, gcj_lat, atol=1e-9)


def test_gcj02_to_wgs84_inverts_the_published_vectors():
    wgs_lat, wgs_lon, gcj_lat, gcj_lon = np.array(EVILTRANSFORM).T
    lon, lat = geo.gcj02_to_wgs84(gcj_lon, gcj_lat)
    np.testing.assert_allclose(lon, wgs_lon, atol=1e-8)  # ~1 mm
    np.testing.assert_allclose(lat, wgs_lat, atol=1e-8)


# --------------------------------------------------------------------------- counties
def test_ten_counties_with_exact_names():
    counties = geo.county_boundaries()
    assert counties["type"] == "FeatureCollection"
    properties = [f["properties"] for f in counties["features"]]
    assert [p["name"] for p in properties] == COUNTY_NAMES
    assert [p["name_en"] for p in properties] == COUNTY_NAMES_EN
    assert all(p["adcode"].startswith("3302") and len(p["adcode"]) == 6 for p in properties)
    assert len({p["adcode"] for p in properties}) == 10


def test_county_rings_are_clockwise():
    assert_d3_winding(geo.county_boundaries())


def test_county_extent_is_ningbo():
    xy = all_coordinates(geo.county_boundaries())
    assert 120.8 < xy[:, 0].min() < 121.0 and 122.1 < xy[:, 0].max() < 122.3
    assert 28.8 < xy[:, 1].min() < 29.0 and 30.2 < xy[:, 1].max() < 30.5


def test_county_coordinates_have_four_decimals():
    counties = geo.county_boundaries()
    xy = all_coordinates(counties)
    np.testing.assert_allclose(xy * 1e4, np.round(xy * 1e4), atol=1e-6)
    text = json.dumps(counties)
    numbers = [
        token
        for token in text.replace("[", " ").replace("]", " ").replace(",", " ").split()
        if token[:1].isdigit()
    ]
    assert max(len(n.split(".")[1]) for n in numbers if "." in n) <= 4


def test_counties_are_valid_and_do_not_overlap():
    shapes = geometries(geo.county_boundaries())
    assert shapely.is_valid(shapes).all()
    total = shapely.area(shapes).sum()
    union = shapely.union_all(shapes).area
    assert union == pytest.approx(total, rel=1e-6)  # shared borders only, no overlap


def test_counties_contain_their_towns_and_not_the_sea():
    for station in TOWNS.itertuples():
        assert county_shape(station.county).contains(shapely.Point(station.lon, station.lat)), (
            station.name
        )
    land = shapely.union_all(geometries(geo.county_boundaries()))
    # The Amap source gives these waters to the counties; the coastline clip must return them.
    assert not land.intersects(shapely.Point(121.80, 29.62))  # 象山港
    assert not land.intersects(shapely.Point(121.30, 30.40))  # Hangzhou Bay off 慈溪


def test_county_boundaries_returns_a_fresh_copy():
    first = geo.county_boundaries()
    first["features"].clear()
    assert len(geo.county_boundaries()["features"]) == 10


def test_attribution_and_schematic_label():
    # the map's label and credits are report text: they live in the text catalogue
    assert {lang: text("map.schematic", lang) for lang in ("zh", "en")} == {
        "zh": "示意图",
        "en": "Schematic map",
    }
    for language in ("zh", "en"):
        credits = text("map.attribution", language)
        assert (
            "OpenStreetMap" in credits
            and "ODbL" in credits
            and "GeoNames" in credits
            and "CC-BY 4.0" in credits
        )
        assert map_caption(language).startswith(text("map.schematic", language))


# --------------------------------------------------------------------------- service areas
@pytest.fixture(scope="module")
def areas() -> dict:
    return geo.service_areas(TOWNS)


def test_one_cell_per_station_in_order(areas):
    properties = [f["properties"] for f in areas["features"]]
    assert [p["station_id"] for p in properties] == TOWNS["station_id"].tolist()
    assert [p["county"] for p in properties] == TOWNS["county"].tolist()
    assert_d3_winding(areas)


def test_each_cell_contains_its_station(areas):
    cells = geometries(areas)
    assert shapely.contains(cells, shapely.points(TOWNS["lon"], TOWNS["lat"])).all()


@pytest.mark.parametrize("county", sorted(TOWNS["county"].unique()))
def test_cells_tile_their_county(areas, county):
    cells = geometries(areas)[(TOWNS["county"] == county).to_numpy()]
    land = county_shape(county)
    pairwise = [
        shapely.intersection(a, b).area for i, a in enumerate(cells) for b in cells[i + 1 :]
    ]
    assert sum(pairwise) < 1e-8
    assert shapely.union_all(cells).area / land.area > 0.99
    assert shapely.difference(shapely.union_all(cells), land).area < 1e-6  # never cross the border


def test_single_station_gets_its_whole_county(areas):
    (cell,) = geometries(areas)[(TOWNS["county"] == "镇海区").to_numpy()]
    assert cell.symmetric_difference(county_shape("镇海区")).area < 1e-6


def test_two_stations_split_by_the_perpendicular_bisector(areas):
    mask = (TOWNS["county"] == "江北区").to_numpy()
    cells = geometries(areas)[mask]
    lon, lat = TOWNS.loc[mask, "lon"].to_numpy(), TOWNS.loc[mask, "lat"].to_numpy()
    # Points on the shared edge are equidistant from both stations (ground distance).
    shared = shapely.intersection(cells[0].boundary, cells[1].boundary)
    xy = shapely.get_coordinates(shared)
    assert len(xy) >= 2
    k = np.cos(np.radians(lat.mean()))
    d0 = np.hypot((xy[:, 0] - lon[0]) * k, xy[:, 1] - lat[0])
    d1 = np.hypot((xy[:, 0] - lon[1]) * k, xy[:, 1] - lat[1])
    np.testing.assert_allclose(d0, d1, atol=2e-4)


def test_cells_assign_every_place_to_the_nearest_station_of_its_county(areas):
    """Independent check of the Voronoi property on a grid of points in each county."""
    cells = geometries(areas)
    for county, group in TOWNS.groupby("county"):
        land = county_shape(county)
        lon_min, lat_min, lon_max, lat_max = land.bounds
        grid_lon, grid_lat = np.meshgrid(
            np.linspace(lon_min, lon_max, 40), np.linspace(lat_min, lat_max, 40)
        )
        points = shapely.points(grid_lon.ravel(), grid_lat.ravel())
        points = points[shapely.contains(land, points)]
        xy = shapely.get_coordinates(points)
        k = np.cos(np.radians(group["lat"].mean()))
        distance = np.hypot(
            (xy[:, :1] - group["lon"].to_numpy()) * k, xy[:, 1:] - group["lat"].to_numpy()
        )
        ordered = np.sort(distance, axis=1)
        clear = ordered[:, 1] - ordered[:, 0] > 1e-3 if len(group) > 1 else np.ones(len(xy), bool)
        nearest = group.index.to_numpy()[np.argmin(distance, axis=1)]
        inside = shapely.contains(cells[nearest[clear]], points[clear])
        assert inside.all(), county


def test_counties_without_stations_have_no_cells(areas):
    assert {f["properties"]["county"] for f in areas["features"]} == set(TOWNS["county"])
    assert not {"海曙区", "北仑区", "奉化区", "宁海县"} & {
        f["properties"]["county"] for f in areas["features"]
    }


def test_collinear_stations():
    # 马渚, the midpoint, 丈亭: three points on one line, where qhull alone would fail.
    stations = pd.DataFrame(
        {
            "station_id": ["A", "B", "C"],
            "county": ["余姚市"] * 3,
            "lat": [30.0780, 30.0466, 30.0152],
            "lon": [121.0470, 121.1656, 121.2842],
        }
    )
    assert county_shape("余姚市").contains(shapely.Point(121.1656, 30.0466))
    cells = geometries(geo.service_areas(stations))
    assert shapely.contains(cells, shapely.points(stations["lon"], stations["lat"])).all()
    assert shapely.union_all(cells).area / county_shape("余姚市").area > 0.99


def test_station_just_off_the_coast_is_snapped_into_its_county():
    # 1.4 km off 象山's shore in 象山港 (3 km from the next county): a station on the water.
    offshore = shapely.Point(121.64, 29.51)
    assert not county_shape("象山县").contains(offshore)
    stations = TOWNS.copy()
    stations.loc[stations["station_id"] == "XS3", ["lat", "lon"]] = [offshore.y, offshore.x]
    cells = geometries(geo.service_areas(stations))
    cell = cells[(stations["station_id"] == "XS3").to_numpy()][0]
    assert cell.area > 0
    assert cell.distance(offshore) == pytest.approx(
        county_shape("象山县").distance(offshore), abs=2e-4
    )


def test_station_far_outside_its_county_is_an_error():
    stations = TOWNS.copy()
    stations.loc[stations["station_id"] == "ZH1", ["lat", "lon"]] = [29.20, 121.35]  # in 宁海
    with pytest.raises(ValueError, match=r"station ZH1 .* outside 镇海区"):
        geo.service_areas(stations)


def test_unknown_county_is_an_error():
    stations = TOWNS.assign(county=TOWNS["county"].replace({"镇海区": "镇海县"}))
    with pytest.raises(ValueError, match="station ZH1: county '镇海县' is not on the base map"):
        geo.service_areas(stations)


def test_shared_point_and_bad_coordinates_are_errors():
    twins = TOWNS.copy()
    twins.loc[twins["station_id"] == "YY2", ["lat", "lon"]] = twins.loc[
        twins["station_id"] == "YY1", ["lat", "lon"]
    ].to_numpy()
    with pytest.raises(ValueError, match="stations YY1, YY2 in 余姚市 share one point"):
        geo.service_areas(twins)
    with pytest.raises(ValueError, match="station CX1 has no valid lat/lon"):
        geo.service_areas(TOWNS.assign(lat=TOWNS["lat"].where(TOWNS["station_id"] != "CX1")))
    with pytest.raises(ValueError, match="lack the column"):
        geo.service_areas(TOWNS.drop(columns="county"))


def test_service_areas_with_custom_counties_in_rfc7946_winding():
    squares = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]],
                },
            }
            for name, x in (("west", 0.0), ("east", 1.0))
        ],
    }
    stations = pd.DataFrame(
        {
            "station_id": ["w1", "w2", "e1"],
            "county": ["west", "west", "east"],
            "lat": [0.5, 0.5, 0.5],
            "lon": [0.25, 0.75, 1.5],
        }
    )
    result = geo.service_areas(stations, squares)
    assert_d3_winding(result)
    cells = geometries(result)
    # Near the equator the bisector of w1 and w2 is the meridian 0.5.
    assert cells[0].equals(shapely.box(0, 0, 0.5, 1))
    assert cells[1].equals(shapely.box(0.5, 0, 1, 1))
    assert cells[2].equals(shapely.box(1, 0, 2, 1))


def test_counties_and_sixty_service_areas_fit_in_150_kb():
    rng = np.random.default_rng(20200520)
    frames = []
    for name in COUNTY_NAMES:  # six stations per county, uniform over its land
        land = county_shape(name)
        lon_min, lat_min, lon_max, lat_max = land.bounds
        candidates = shapely.points(
            rng.uniform(lon_min, lon_max, 400), rng.uniform(lat_min, lat_max, 400)
        )
        chosen = shapely.get_coordinates(candidates[shapely.contains(land, candidates)][:6])
        frames.append(pd.DataFrame({"county": name, "lon": chosen[:, 0], "lat": chosen[:, 1]}))
    stations = pd.concat(frames, ignore_index=True)
    stations["station_id"] = [f"S{i:02d}" for i in range(len(stations))]
    assert len(stations) == 60
    areas = geo.service_areas(stations)
    size = len(json.dumps(areas).encode()) + len(json.dumps(geo.county_boundaries()).encode())
    assert size < 150_000


# --------------------------------------------------------------------------- user files
def write(tmp_path, name: str, content) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def square(x: float, clockwise: bool = False) -> dict:
    ring = [[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]
    return {"type": "Polygon", "coordinates": [ring[::-1] if clockwise else ring]}


def collection(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def feature(station_id, x: float = 0.0, **extra) -> dict:
    return {
        "type": "Feature",
        "properties": {"station_id": station_id, **extra},
        "geometry": square(x),
    }


def test_load_boundaries_matches_and_rewinds(tmp_path):
    path = write(tmp_path, "areas.geojson", collection(feature("A", 0, label="x"), feature(7, 1)))
    result = geo.load_boundaries(path, ["A", "7"])
    assert [f["properties"]["station_id"] for f in result["features"]] == ["A", "7"]
    assert result["features"][0]["properties"]["label"] == "x"
    assert_d3_winding(result)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON"),
        (b"\xff\xfe\x00".decode("latin-1"), "not valid JSON"),
        (json.dumps(feature("A")), "not a GeoJSON FeatureCollection"),
        (json.dumps({"type": "FeatureCollection"}), 'no "features" list'),
        (
            json.dumps(
                collection(
                    {"type": "Feature", "properties": {}, "geometry": square(0)}, feature("B")
                )
            ),
            "feature 0 has no station_id property",
        ),
        (
            json.dumps(collection(feature("A"), feature("B"), feature("Z"))),
            "station_id 'Z' is not among the stations",
        ),
        (json.dumps(collection(feature("A"))), "no feature for station(s) B"),
        (
            json.dumps(collection(feature("A"), feature("A"), feature("B"))),
            "features 0 and 1 both have station_id 'A'",
        ),
        (
            json.dumps(
                collection(
                    feature("A"),
                    {
                        "type": "Feature",
                        "properties": {"station_id": "B"},
                        "geometry": {"type": "Point", "coordinates": [0, 0]},
                    },
                )
            ),
            "no Polygon or MultiPolygon geometry",
        ),
    ],
)
def test_load_boundaries_errors_name_the_file(tmp_path, content, problem):
    path = write(tmp_path, "user-areas.geojson", content)
    with pytest.raises(ValueError) as error:
        geo.load_boundaries(path, ["A", "B"])
    message = str(error.value)
    assert message.startswith(str(path)) and problem in message and "\n" not in message


def test_load_boundaries_missing_file(tmp_path):
    path = tmp_path / "absent.geojson"
    with pytest.raises(ValueError, match=r"absent\.geojson: GeoJSON file not found"):
        geo.load_boundaries(path, ["A"])


def test_orient_clockwise_fixes_rings_and_keeps_the_input():
    hole_cw = [[0.2, 0.2], [0.2, 0.8], [0.8, 0.8], [0.8, 0.2], [0.2, 0.2]]  # clockwise hole
    outer_ccw = square(0)["coordinates"][0]
    source = collection(
        {
            "type": "Feature",
            "properties": {"id": 1},
            "geometry": {"type": "Polygon", "coordinates": [outer_ccw, hole_cw]},
        },
        {
            "type": "Feature",
            "properties": {"id": 2},
            "geometry": {"type": "MultiPolygon", "coordinates": [[outer_ccw]]},
        },
        {
            "type": "Feature",
            "properties": {"id": 3},
            "geometry": {"type": "Point", "coordinates": [1, 2]},
        },
    )
    before = json.dumps(source)
    result = geo.orient_clockwise(source)
    assert json.dumps(source) == before
    polygon = result["features"][0]["geometry"]["coordinates"]
    assert shoelace(polygon[0]) == pytest.approx(-1.0) and shoelace(polygon[1]) == pytest.approx(
        0.36
    )
    assert shoelace(result["features"][1]["geometry"]["coordinates"][0][0]) == pytest.approx(-1.0)
    assert result["features"][2] == source["features"][2]


# --------------------------------------------------------------------------- rendering
def map_chart(counties: dict, areas: dict) -> alt.LayerChart:
    """Counties in grey (those without stations stay grey), cells coloured on top."""
    land = alt.Chart(alt.Data(values=counties["features"])).mark_geoshape(
        fill="#cccccc", stroke="black"
    )
    cells = (
        alt.Chart(alt.Data(values=areas["features"]))
        .mark_geoshape(stroke="white", strokeWidth=0.5)
        .encode(color=alt.Color("properties.county:N", legend=None))
    )
    return (
        alt.layer(land, cells)
        .project("mercator")
        .properties(width=240, height=260, background="white", padding=0)
    )


def reversed_rings(feature_collection: dict) -> dict:
    """The same polygons in RFC 7946 winding (exterior rings counter-clockwise)."""
    copy = json.loads(json.dumps(feature_collection))
    for f in copy["features"]:
        f["geometry"]["coordinates"] = [
            [ring[::-1] for ring in p] for p in polygons_of(f["geometry"])
        ]
        f["geometry"]["type"] = "MultiPolygon"
    return copy


def test_png_decoder_reads_a_known_image():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">'
        '<rect width="10" height="10" fill="#ff0000"/><rect x="10" width="10" height="10" fill="#0000ff"/></svg>'
    )
    pixels = png_pixels(vlc.svg_to_png(svg, scale=1))
    assert pixels.shape[:2] == (10, 20)
    assert (pixels[:, :10, :3] == [255, 0, 0]).all() and (pixels[:, 10:, :3] == [0, 0, 255]).all()


def test_map_renders_as_shapes_not_a_filled_frame(areas):
    counties = geo.county_boundaries()
    # Land covers about half of Ningbo's bounding box; the sea must stay background.
    background, dominant = colour_shares(map_chart(counties, areas))
    assert 0.25 < background < 0.75 and dominant < 0.5
    # In RFC 7946 winding either layer floods the frame with one colour: the check can fail.
    for chart in (
        map_chart(reversed_rings(counties), areas),
        map_chart(counties, reversed_rings(areas)),
    ):
        background, dominant = colour_shares(chart)
        assert background < 0.1 and dominant > 0.85


def test_service_areas_leaves_its_inputs_unchanged():
    stations, counties = TOWNS.copy(), geo.county_boundaries()
    before = json.dumps(counties)
    geo.service_areas(stations, counties)
    pd.testing.assert_frame_equal(stations, TOWNS)
    assert json.dumps(counties) == before


def test_counties_without_names_are_an_error():
    counties = geo.county_boundaries()
    del counties["features"][3]["properties"]["name"]
    with pytest.raises(ValueError, match="counties: feature 3 has no name property"):
        geo.service_areas(TOWNS, counties)
