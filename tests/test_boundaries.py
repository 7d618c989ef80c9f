"""A user's own service areas (``data.boundaries``) replace the drawn ones on every map."""

import json

from fivecolor import load_data, load_params, score
from fivecolor.cli import main
from fivecolor.data import geography as geo
from fivecolor.views import maps

from conftest import Project


def _user_areas(project: Project, tmp_path, drop: str | None = None) -> str:
    stations = project.stations.copy()
    areas = geo.service_areas(stations)
    for feature in areas["features"]:
        feature["properties"] = {"station_id": feature["properties"]["station_id"], "owner": "grid"}
    # one station gets a recognisable square, far from any drawn cell
    areas["features"][0]["geometry"] = {
        "type": "Polygon",
        "coordinates": [
            [
                [121.1111, 29.1111],
                [121.1111, 29.2222],
                [121.2222, 29.2222],
                [121.2222, 29.1111],
                [121.1111, 29.1111],
            ]
        ],
    }
    if drop:
        areas["features"] = [f for f in areas["features"] if f["properties"]["station_id"] != drop]
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps(areas), encoding="utf-8")
    return path.name if path.parent == project.root else str(path)


def test_the_map_fills_the_users_areas(project, tmp_path):
    areas = _user_areas(project, project.root)
    params = load_params(
        project.with_params(lambda d: d["data"].update(boundaries=areas), name="areas.yaml")
    )
    spec = json.dumps(maps.colour_map(score(load_data(params), params)).to_dict())
    assert "121.1111" in spec and "29.2222" in spec
    drawn = json.dumps(
        maps.colour_map(
            score(load_data(load_params(project.params_path)), load_params(project.params_path))
        ).to_dict()
    )
    assert "121.1111" not in drawn


def test_areas_missing_a_station_stop_the_report_with_one_line(project, tmp_path, capsys):
    areas = _user_areas(project, project.root, drop="NB04")
    bad = project.with_params(lambda d: d["data"].update(boundaries=areas), name="bad-areas.yaml")
    code = main(["report", "--params", str(bad), "--out", str(tmp_path / "reports")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "NB04" in err[0] and "areas.geojson" in err[0]
    assert not (tmp_path / "reports" / "2020-05").exists()
