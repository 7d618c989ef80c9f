"""``fivecolor init DIR``: a working folder for a real company, naming no sample data.

The folder holds a parameter file (the indicator catalogue and method of the project's
defaults, whole, so the company can change them; the data are this folder's), an empty store of
record, a stations table to fill in and templates for the monthly workbook (wide, with the
catalogue's Chinese or English headers, and long) and for improvement projects::

    DIR/params.yaml            data: stations.csv, indicators from the store; period: last month
    DIR/fivecolor.duckdb       the store of record, empty
    DIR/stations.csv           header only: one row per supply station
    DIR/templates/indicators-wide-zh.xlsx, indicators-wide-en.xlsx, indicators-long.csv,
                  projects.csv
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from fivecolor.data.projects import PROJECT_COLUMNS
from fivecolor.errors import InputError
from fivecolor.resources import default_params_file

__all__ = ["STATION_TEMPLATE_COLUMNS", "init_folder"]

STATION_TEMPLATE_COLUMNS = ("station_id", "name", "name_en", "county", "lat", "lon", "staff")
STORE_FILE = "fivecolor.duckdb"
#: The station and month columns of a wide template, by language (headers the import reads).
WIDE_KEYS = {"zh": ("月份", "供电所"), "en": ("period", "station")}


def _last_month(today: date) -> str:
    return (pd.Period(today, freq="M") - 1).strftime("%Y-%m")


def _params_text(today: date) -> str:
    doc = yaml.safe_load(default_params_file().read_text(encoding="utf-8"))
    doc.pop("extends", None)
    doc["title"] = {"zh": "基层供电所五色地图", "en": "Supply stations five-colour map"}
    doc["period"] = _last_month(today)
    doc["data"] = {"stations": "stations.csv", "indicators": "store"}
    doc["store"] = STORE_FILE
    header = (
        "# This company's parameters: the indicator catalogue, weights, cut-offs and method.\n"
        "# Edit them here; a month's variant can `extends: params.yaml` and change a few keys.\n"
        "# data: stations.csv (fill it in) and the indicator values imported into the store:\n"
        "#   fivecolor import WORKBOOK --params params.yaml\n"
        "#   fivecolor report --params params.yaml --period YYYY-MM\n"
    )
    return header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def init_folder(folder: Path, today: date | None = None) -> list[Path]:
    """Create the working folder; refuse (:class:`InputError`) one that exists and is not empty.

    Returns the files written.
    """
    from openpyxl import Workbook

    from fivecolor.data.store import open_store

    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(folder, "", "exists and is not empty; give a new or empty folder")
    params_text = _params_text(today or date.today())
    catalogue = yaml.safe_load(params_text)["indicators"]
    templates = folder / "templates"
    templates.mkdir(parents=True)
    written = []

    params = folder / "params.yaml"
    params.write_text(params_text, encoding="utf-8")
    stations = folder / "stations.csv"
    pd.DataFrame(columns=list(STATION_TEMPLATE_COLUMNS)).to_csv(stations, index=False)
    written += [params, stations]

    for language, (month, station) in WIDE_KEYS.items():
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "indicators" if language == "en" else "月度指标"
        sheet.append([month, station, *(spec["label"][language] for spec in catalogue.values())])
        path = templates / f"indicators-wide-{language}.xlsx"
        book.save(path)
        written.append(path)
    long = templates / "indicators-long.csv"
    pd.DataFrame(columns=["period", "station_id", "indicator", "value"]).to_csv(long, index=False)
    projects = templates / "projects.csv"
    pd.DataFrame(columns=list(PROJECT_COLUMNS)).to_csv(projects, index=False)
    written += [long, projects]

    with open_store(folder / STORE_FILE):
        pass  # creates the empty store
    written.append(folder / STORE_FILE)
    return written
