"""Parameters: one YAML file (and the files it ``extends``) becomes one frozen, validated object."""

from fivecolor.params.files import load_params
from fivecolor.params.model import (
    DATA_ROLES,
    DEFAULT_STORE_NAME,
    PERIOD_PATTERN,
    STATION_ID_PATTERN,
    STORE_SOURCE,
    Aggregation,
    Bands,
    Hysteresis,
    IndicatorSpec,
    MissingPolicy,
    Normalisation,
    Params,
    SqlSource,
    StoreServer,
    WeightsScheme,
    bound_names,
    params_schema,
)

__all__ = [
    "DATA_ROLES",
    "DEFAULT_STORE_NAME",
    "PERIOD_PATTERN",
    "STATION_ID_PATTERN",
    "STORE_SOURCE",
    "Aggregation",
    "Bands",
    "Hysteresis",
    "IndicatorSpec",
    "MissingPolicy",
    "Normalisation",
    "Params",
    "SqlSource",
    "StoreServer",
    "WeightsScheme",
    "bound_names",
    "load_params",
    "params_schema",
]
