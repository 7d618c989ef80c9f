"""Rebuild ``ningbo_land.geojson``: the OpenStreetMap land polygons around Ningbo.

The county polygons that :mod:`fivecolor.data.geography` reads give the bays' water to the counties
(象山港 vanishes), so they are clipped to real land. This script makes that land mask from
the npm package ``@geo-maps/earth-lands-100m`` (OpenStreetMap coastline at 100 m, data under
the ODbL; the package's MIT licence covers only its code). It is not run at install time.

Usage (from the repository root; needs ``npm`` on the PATH unless ``--source`` is given)::

    python fivecolor/data/geodata/build_land.py
    python fivecolor/data/geodata/build_land.py --source /tmp/package/map.geo.json

Steps: ``npm pack`` the package into a temporary folder, read its 117 MB GeoJSON, keep the
exterior rings of the polygons that touch :data:`BBOX` (dropping the interior rings fills
lakes and reservoirs, which would otherwise show as holes inside the counties), clip to
:data:`BBOX`, round to 1e-4 degrees and write one Feature with clockwise exterior rings.
Reading the source takes about 7 s and 2 GB of memory; the result is about 55 KB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Polygon, box, mapping

NPM_PACKAGE = "@geo-maps/earth-lands-100m@0.6.0"
# lon_min, lat_min, lon_max, lat_max: Ningbo's ten counties (120.87-122.28 E, 28.85-30.49 N)
# with a margin, so clipping the counties never cuts at the extract's edge.
BBOX = (120.7, 28.7, 122.5, 30.6)
OUTPUT = Path(__file__).with_name("ningbo_land.geojson")
ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0 (via npm @geo-maps/earth-lands-100m 0.6.0)"


def fetch_source(workdir: Path) -> Path:
    """``npm pack`` the coastline package into *workdir* and return its ``map.geo.json``."""
    subprocess.run(["npm", "pack", NPM_PACKAGE], cwd=workdir, check=True)
    (tarball,) = workdir.glob("*.tgz")
    with tarfile.open(tarball) as archive:
        archive.extract("package/map.geo.json", workdir, filter="data")
    return workdir / "package" / "map.geo.json"


def exterior_rings_in_bbox(collection: dict, bbox: tuple[float, float, float, float]) -> list:
    """Exterior rings (as coordinate arrays) of every polygon whose extent meets *bbox*."""
    rings = []
    for geometry in collection["geometries"]:
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        for polygon in polygons:
            exterior = np.asarray(polygon[0], dtype=float)
            lon, lat = exterior[:, 0], exterior[:, 1]
            if (
                lon.max() >= bbox[0]
                and lon.min() <= bbox[2]
                and lat.max() >= bbox[1]
                and lat.min() <= bbox[3]
            ):
                rings.append(exterior)
    return rings


def build_land(source: Path) -> dict:
    """Read the world land GeoJSON at *source* and return the clipped Ningbo land Feature."""
    collection = json.loads(source.read_text())
    clip = box(*BBOX)
    # Eurasia's exterior ring has ~230k vertices; clip each part before the union.
    parts = [
        shapely.make_valid(Polygon(ring)).intersection(clip)
        for ring in exterior_rings_in_bbox(collection, BBOX)
    ]
    land = shapely.set_precision(shapely.union_all(parts), 1e-4)
    land = shapely.orient_polygons(land, exterior_cw=True)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "land", "bbox": list(BBOX), "attribution": ATTRIBUTION},
                "geometry": mapping(land),
            }
        ],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--source", type=Path, help="map.geo.json of @geo-maps/earth-lands-100m (default: npm pack)"
    )
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        source = args.source or fetch_source(Path(tmp))
        feature_collection = build_land(source)
    args.out.write_text(
        json.dumps(feature_collection, separators=(",", ":"), ensure_ascii=False) + "\n"
    )
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
