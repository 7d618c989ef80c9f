"""Small in-memory datasets and parameters for scoring tests (no files needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fivecolor.data.dataset import Dataset
from fivecolor.params import Params

ROOT = Path(__file__).resolve().parents[1]


def indicator(
    weight=1.0,
    direction="higher",
    goalposts=(0, 100),
    valid=(0, 1000),
    transform="none",
    group=None,
):
    return {
        "label": {"zh": "指标", "en": "Indicator"},
        "direction": direction,
        "goalposts": list(goalposts),
        "valid": list(valid),
        "weight": weight,
        "transform": transform,
        "group": group,
    }


def make_params(indicators: dict, **top) -> Params:
    doc = {
        "title": {"zh": "测试", "en": "Test"},
        "period": "2020-05",
        "data": {"stations": "stations.csv", "indicators": "indicators.csv"},
        "indicators": indicators,
    }
    doc.update(top)
    return Params.model_validate(doc)


def make_dataset(
    values: np.ndarray, params: Params, periods: tuple[str, ...] | None = None
) -> Dataset:
    """A dataset from a cube ``values[period, station, indicator]``; stations are s00, s01, ..."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 2:
        values = values[None]
    n_periods, n_stations, _ = values.shape
    if periods is None:
        end = pd.Period(params.period, freq="M")
        periods = tuple((end - k).strftime("%Y-%m") for k in range(n_periods - 1, -1, -1))
    ids = pd.Index([f"s{k:02d}" for k in range(n_stations)], name="station_id")
    stations = pd.DataFrame(
        {
            "name": [f"站{k}" for k in range(n_stations)],
            "county": "宁海县",
            "lat": 29.3,
            "lon": 121.4,
            "staff": 40.0,
        },
        index=ids,
    )
    return Dataset(
        stations=stations,
        periods=periods,
        indicators=params.indicator_keys,
        values=values,
        findings=pd.DataFrame(),
        inputs={},
    )
