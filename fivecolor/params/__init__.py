"""Parameters: one YAML file (and the files it ``extends``) becomes one frozen, validated object."""

from fivecolor.params.files import deep_merge, load_params, read_yaml
from fivecolor.params.model import (
    DATA_ROLES,
    PERIOD_PATTERN,
    STATION_ID_PATTERN,
    Aggregation,
    Bands,
    IndicatorSpec,
    MissingPolicy,
    Normalisation,
    Params,
    SqlSource,
    WeightsScheme,
    bound_names,
    params_schema,
)

__all__ = [
    "DATA_ROLES",
    "PERIOD_PATTERN",
    "STATION_ID_PATTERN",
    "Aggregation",
    "Bands",
    "IndicatorSpec",
    "MissingPolicy",
    "Normalisation",
    "Params",
    "SqlSource",
    "WeightsScheme",
    "bound_names",
    "deep_merge",
    "load_params",
    "params_schema",
    "read_yaml",
]
