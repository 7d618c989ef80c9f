"""The parameter model: every key of a parameter file, validated into one frozen object.

Every mistake is an :class:`~fivecolor.errors.InputError` naming the file and the key.
:meth:`Params.to_yaml` writes a validated object back as one self-contained file.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import re
import types
import typing
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    FiniteFloat,
    PrivateAttr,
    Tag,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from fivecolor.errors import InputError
from fivecolor.params.limits import quoted

#: A month, YYYY-MM in ASCII digits (``\\d`` would also take full-width and Arabic-Indic
#: digits), between 1900 and 2099 (what dates in pandas and in spreadsheets can hold).
PERIOD_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"
PERIOD_HINT = " (ASCII digits, 1900-2099)"
#: Characters no name or label keeps: control characters (NUL, tab, line breaks, terminal
#: escape sequences) and the line and paragraph separators U+2028/U+2029 (which end a line
#: in JavaScript); each run becomes one space.
UNPRINTABLE_PATTERN = "[\x00-\x1f\x7f-\x9f\u2028\u2029]"
#: Scores lie on 0..100; cut-offs must too.
SCORE_RANGE = (0.0, 100.0)
#: Weights are relative; this bound keeps their sums and products finite.
MAX_WEIGHT = 1e6
#: Monte Carlo draws at most (memory grows with stations × indicators × samples).
MAX_SAMPLES = 100_000
STATION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
#: The data tables that may also come from a database (a mapping with ``url`` instead of a path).
SQL_DATA_KEYS = ("stations", "indicators")
#: A table a SQL source names: a plain identifier, optionally ``schema.table``.
TABLE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$"
DEFAULT_PASSWORD_ENV = "FIVECOLOR_DB_PASSWORD"
#: A password is read only from a variable declared for it by this prefix: a parameter file
#: cannot send another secret of the environment (a token, a cloud key) to a server it names.
PASSWORD_ENV_PREFIX = "FIVECOLOR_"


class Normalisation(str, Enum):
    goalposts = "goalposts"
    minmax = "minmax"
    zscore = "zscore"
    rank = "rank"


class Aggregation(str, Enum):
    arithmetic = "arithmetic"
    geometric = "geometric"


class MissingPolicy(str, Enum):
    fail = "fail"
    impute_median = "impute_median"
    reweight = "reweight"


class WeightsScheme(str, Enum):
    given = "given"
    equal = "equal"
    entropy = "entropy"
    critic = "critic"
    pca = "pca"
    ahp = "ahp"


class _Frozen(BaseModel):
    # defer_build: a model's validator is built when it first validates, not at import; the
    # parameters validate as one Params, so the nested models are never built on their own
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False, defer_build=True)


def clean_text(text: str) -> str:
    """``text`` without control characters or line separators (each run one space), stripped."""
    return re.sub(UNPRINTABLE_PATTERN + "+", " ", text).strip()


class Label(_Frozen):
    """A label in both report languages (control characters and line separators cleaned)."""

    zh: str
    en: str

    @field_validator("zh", "en")
    @classmethod
    def _printable(cls, v: str):
        return clean_text(v)


class IndicatorSpec(_Frozen):
    """One indicator of the catalogue. ``goalposts`` are ``[worst, best]`` in the indicator's units."""

    label: Label
    unit: str | Label = ""
    direction: Literal["higher", "lower"]
    goalposts: tuple[FiniteFloat, FiniteFloat]
    transform: Literal["none", "log"] = "none"
    valid: tuple[FiniteFloat, FiniteFloat]
    weight: float = Field(default=1.0, ge=0, le=MAX_WEIGHT, allow_inf_nan=False)
    group: str | None = None
    department: str | None = None
    aliases: tuple[str, ...] = Field(
        default=(),
        description="other column headers or names that mean this indicator in imported "
        "workbooks (besides its key and its zh and en labels)",
    )

    @field_validator("unit")
    @classmethod
    def _printable_unit(cls, v: str | Label):
        return clean_text(v) if isinstance(v, str) else v

    def unit_in(self, language: str) -> str:
        """The unit in a report language (a plain string serves both)."""
        return self.unit if isinstance(self.unit, str) else getattr(self.unit, language)

    @field_validator("goalposts")
    @classmethod
    def _goalposts_follow_direction(cls, v: tuple[float, float], info: ValidationInfo):
        worst, best = v
        if worst == best:
            raise ValueError(f"the two goalposts are equal ({worst:g}); give [worst, best]")
        direction = info.data.get("direction")
        if direction == "higher" and best < worst:
            raise ValueError(
                f"for direction higher give [worst, best] with best above worst, got {list(v)}"
            )
        if direction == "lower" and best > worst:
            raise ValueError(
                f"for direction lower give [worst, best] with best below worst, got {list(v)}"
            )
        return v

    @field_validator("valid")
    @classmethod
    def _valid_is_a_range(cls, v: tuple[float, float]):
        if not v[0] < v[1]:
            raise ValueError(f"give [low, high] with low below high, got {list(v)}")
        return v

    @field_validator("transform")
    @classmethod
    def _log_needs_positive_values(cls, v: str, info: ValidationInfo):
        goalposts = info.data.get("goalposts")
        if v == "log" and goalposts is not None and min(goalposts) <= 0:
            raise ValueError("transform log needs positive goalposts")
        return v

    @model_validator(mode="after")
    def _log_needs_positive_valid_range(self):
        if self.transform == "log" and self.valid[0] <= 0:
            raise ValueError(
                f"valid: transform log needs a valid range above 0, got {list(self.valid)}"
            )
        return self


class Group(_Frozen):
    """A second aggregation level: indicators naming this group are combined first."""

    label: Label
    weight: float = Field(default=1.0, ge=0, le=MAX_WEIGHT, allow_inf_nan=False)
    aggregation: Aggregation | None = None


class Hysteresis(_Frozen):
    """Stable colours: a station leaves last month's colour only when it passes a cut-off by
    ``margin`` points, and only after ``months`` consecutive months beyond it."""

    margin: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    months: int = Field(default=1, ge=1, le=12)


class Bands(_Frozen):
    """How scores become the five colours, best first."""

    method: Literal["cutoffs", "quantiles"] = "cutoffs"
    cutoffs: tuple[FiniteFloat, FiniteFloat, FiniteFloat, FiniteFloat] = (90, 85, 80, 75)
    quantiles: tuple[FiniteFloat, FiniteFloat, FiniteFloat, FiniteFloat] = (0.9, 0.7, 0.3, 0.1)
    borderline: float = Field(
        default=0.5,
        ge=0,
        allow_inf_nan=False,
        description="a station this many points or fewer from a colour's boundary is marked "
        "borderline on the map and in the summary",
    )
    hysteresis: Hysteresis | None = Field(
        default=None, description="off when absent; e.g. {margin: 0.5} or {months: 2}"
    )

    @model_validator(mode="after")
    def _margin_needs_cutoffs(self):
        if self.hysteresis is not None and self.hysteresis.margin > 0 and self.method != "cutoffs":
            raise ValueError(
                "hysteresis.margin is in points of the score and works with cut-off bands; "
                "use hysteresis.months with quantile bands"
            )
        return self

    @field_validator("cutoffs")
    @classmethod
    def _cutoffs_decrease(cls, v):
        low, high = SCORE_RANGE
        if any(not low <= c <= high for c in v):
            raise ValueError(
                f"each cut-off must lie within the scores' {low:g}..{high:g}, got {list(v)}"
            )
        if any(a <= b for a, b in itertools.pairwise(v)):
            raise ValueError(
                f"must be strictly decreasing (red, orange, blue, green), got {list(v)}"
            )
        return v

    @field_validator("quantiles")
    @classmethod
    def _quantiles_decrease_inside_unit(cls, v):
        if any(not 0 < q < 1 for q in v):
            raise ValueError(f"each quantile must lie strictly between 0 and 1, got {list(v)}")
        if any(a <= b for a, b in itertools.pairwise(v)):
            raise ValueError(
                f"must be strictly decreasing (red, orange, blue, green), got {list(v)}"
            )
        return v


def _saaty_number(value: Any) -> Any:
    """A comparison written as a fraction (``"1/3"``, as Saaty writes reciprocals) to its float;
    anything else is left for the float check to accept or refuse."""
    if isinstance(value, str) and "/" in value:
        from fractions import Fraction

        try:
            return float(Fraction(value.replace(" ", "")))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{value!r} is not a number or a fraction such as 1/3") from None
    return value


#: One entry of an AHP matrix: a number, or a fraction written as text (``1/3``).
SaatyNumber = Annotated[
    float,
    BeforeValidator(_saaty_number),
    WithJsonSchema(
        {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^\s*\d+\s*/\s*\d+\s*$"}]}
    ),
]


class Ahp(_Frozen):
    """A pairwise comparison matrix on Saaty's 1-9 scale, rows and columns in ``order``;
    reciprocals may be written as fractions (``1/3``)."""

    order: tuple[str, ...]
    matrix: tuple[tuple[Annotated[SaatyNumber, Field(gt=0, allow_inf_nan=False)], ...], ...]
    max_cr: float = Field(default=0.1, gt=0, allow_inf_nan=False)


class SensitivityWeights(_Frozen):
    """How the weights vary: Dirichlet around the chosen weights, or a draw among ``schemes``."""

    spread: float = Field(
        default=0.25,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="coefficient of variation of a weight of 1/I (I indicators) under the Dirichlet",
    )
    schemes: tuple[WeightsScheme, ...] = Field(
        default=(),
        description="when not empty, each sample takes one of these schemes' weights instead",
    )


class Sensitivity(_Frozen):
    """What is uncertain, for the Monte Carlo and the Sobol indices."""

    samples: int = Field(default=10_000, ge=16, le=MAX_SAMPLES)
    seed: int = Field(
        default=20200520, ge=0, description="seed of the random draws (a non-negative integer)"
    )
    # a default built with model_construct: validating it at import would build the model's
    # validator there (defer_build); its values validate to the same model (tests/test_cli_imports.py)
    weights: SensitivityWeights = SensitivityWeights.model_construct()
    normalisation: tuple[Normalisation, ...] = Field(
        default=(Normalisation.goalposts,), min_length=1
    )
    aggregation: tuple[Aggregation, ...] = Field(default=(Aggregation.arithmetic,), min_length=1)
    cutoff_shift: float = Field(
        default=2.0,
        ge=0,
        le=SCORE_RANGE[1],
        allow_inf_nan=False,
        description="± points, uniform; for quantile bands, ± percentage points of the quantiles",
    )
    leave_one_out: bool = True
    sobol_samples: int = Field(
        default=1024,
        ge=16,
        le=2**16,
        description="base sample size N of the Sobol indices (a power of 2)",
    )
    max_weight_share: float = Field(
        default=0.3,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="warn when a data-driven scheme (entropy, critic, pca) gives one indicator "
        "more than this share of the composite",
    )

    @field_validator("sobol_samples")
    @classmethod
    def _power_of_two(cls, v: int):
        if v & (v - 1):
            raise ValueError(f"must be a power of 2 (e.g. 512, 1024, 2048), got {v}")
        return v


class Winsorise(_Frozen):
    """Outlier treatment before normalisation (OECD/JRC Handbook 2008, section 1.5): in each
    month, an indicator's ``limits[0]`` share of lowest values is raised to the lowest value
    kept, and its ``limits[1]`` share of highest lowered to the highest kept."""

    enabled: bool = False
    limits: tuple[float, float] = Field(
        default=(0.05, 0.05),
        description="shares of the stations clipped at the low and at the high end, each "
        "at least 0 and below 0.5",
    )

    @field_validator("limits")
    @classmethod
    def _limits_inside_half(cls, v):
        if any(not 0 <= x < 0.5 for x in v):
            raise ValueError(f"each limit must be at least 0 and below 0.5, got {list(v)}")
        return v


class Stage(_Frozen):
    """A stage of the plan toward "all red": by ``period``, at least ``red_share`` of stations red."""

    period: str = Field(pattern=PERIOD_PATTERN)
    red_share: float = Field(ge=0, le=1, allow_inf_nan=False)
    label: Label | None = None


class PlanBound(str, Enum):
    """What bounds a plan's target for an indicator (see :class:`Plan`)."""

    percentile = "percentile"
    best = "best"
    goalpost = "goalpost"


class PlanEffort(str, Enum):
    """How a plan's effort adds up over its gains (see :class:`Plan`)."""

    linear = "linear"
    quadratic = "quadratic"


class Plan(_Frozen):
    """How a station's plan to the next colour weighs effort and how far it may move each
    indicator (一所一策)."""

    effort: PlanEffort = Field(
        default=PlanEffort.linear,
        description="the plan's effort over its gains, each measured in the indicator's spread: "
        "linear (their sum: the best points-per-spread indicators are filled first, up to their "
        "bounds, so a plan names few indicators) or quadratic (the sum of squares: the gain is "
        "shared out over nearly every indicator)",
    )

    bound: PlanBound = Field(
        default=PlanBound.percentile,
        description="a target's limit: a high percentile of the company's observed values, the "
        "company's best observed value, or the best goalpost (never past the goalpost or valid range)",
    )
    percentile: float = Field(
        default=90.0,
        gt=0,
        le=100,
        description="with bound percentile: the percentile (in the better direction) of the values observed",
    )
    history_months: int = Field(
        default=12,
        ge=1,
        description="months up to the reported one whose values the percentile and the best pool",
    )


class Actions(_Frozen):
    """How colours become actions: pairing, department help and the stages toward all red."""

    pairing_capacity: int = Field(
        default=2, ge=1, le=100, description="partners one mentor station may take at most"
    )
    distance_km_scale: float = Field(
        default=30.0,
        gt=0,
        allow_inf_nan=False,
        description="distance (km) that weighs as much as 10 points of complementarity in pairing",
    )
    department_threshold: float | None = Field(
        default=None,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="normalised score below which a station lags on an indicator (default: its bottom band)",
    )
    stages: tuple[Stage, ...] = ()
    plan: Plan = Plan.model_construct()
    trend_months: int = Field(
        default=12,
        ge=3,
        description="months up to the reported one whose composite scores give a station's trend "
        "in the stage forecast",
    )
    keep_pairs: bool = Field(
        default=True,
        description="keep last month's pairs while both stations still qualify (false: re-pair every month)",
    )

    @field_validator("stages")
    @classmethod
    def _stages_in_order(cls, v: tuple[Stage, ...]):
        periods = [s.period for s in v]
        if periods != sorted(periods) or len(set(periods)) != len(periods):
            raise ValueError(f"stages must be in month order without repeats, got {periods}")
        return v


class _DatabaseLogin(_Frozen):
    """A database reached by URL; the password never sits in the parameters but in the
    environment variable ``password_env``, read when the database is opened."""

    # first, so that the URL's check can name it
    password_env: str = Field(
        default=DEFAULT_PASSWORD_ENV,
        description="the environment variable holding the database password; its name "
        f"starts with {PASSWORD_ENV_PREFIX}",
    )
    url: str = Field(description="SQLAlchemy URL without a password")

    @field_validator("password_env")
    @classmethod
    def _declared_for_a_password(cls, v: str):
        if not re.fullmatch(PASSWORD_ENV_PREFIX + r"[A-Za-z0-9_]+", v):
            raise ValueError(
                f"name an environment variable starting with {PASSWORD_ENV_PREFIX} (e.g. "
                f"{DEFAULT_PASSWORD_ENV}), got {v[:80]!r}: only variables declared for a "
                "database password are read"
            )
        return v

    def safe_url(self) -> str:
        """The URL as shown in messages and the manifest (a password, were there one, masked)."""
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True)


def _url_without_password(v: str, info: ValidationInfo, examples: str):
    """The parsed URL, or a ValueError that never echoes the text (it may hold a password)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(v)
    except (ArgumentError, ValueError):
        raise ValueError(f"not a database URL; write {examples}") from None
    if url.password is not None or "password" in url.query:
        env = info.data.get("password_env", DEFAULT_PASSWORD_ENV)
        raise ValueError(
            f"the URL holds a password; remove it and put the password in the environment "
            f"variable {env}"
        )
    return url


class SqlSource(_DatabaseLogin):
    """A table pulled from a database: a SQLAlchemy URL and either a query or a table name.

    The password never sits in the parameters: it is read from the environment variable
    ``password_env`` when the database is opened. The period is bound, never pasted into SQL.
    """

    url: str = Field(
        description="SQLAlchemy URL without a password, e.g. "
        "postgresql+psycopg://fivecolor@db.example:5432/grid; in sqlite:///relative.db "
        "the file is read from the parameter file's folder"
    )
    query: str | None = Field(
        default=None,
        description="a SELECT; :period, when the query names it, is bound to the "
        "reported month (YYYY-MM)",
    )
    table: str | None = Field(
        default=None,
        description="a table name (schema.table allowed), read whole; for the "
        "indicators, the rows up to the reported month",
    )

    @field_validator("url")
    @classmethod
    def _url_without_password(cls, v: str, info: ValidationInfo):
        _url_without_password(
            v, info, "e.g. sqlite:///sample.db or postgresql+psycopg://user@host:5432/database"
        )
        return v

    @field_validator("table")
    @classmethod
    def _table_is_a_name(cls, v: str | None):
        if v is not None and not re.match(TABLE_PATTERN, v):
            raise ValueError(
                f"give a plain table name (letters, digits and _, optionally schema.table), got {v!r}"
            )
        return v

    @field_validator("query")
    @classmethod
    def _query_binds_only_the_period(cls, v: str | None):
        if v is None:
            return v
        if not v.strip():
            raise ValueError("the query is empty")
        if not _is_one_select(v):
            raise ValueError(
                "give one SELECT (or WITH ... SELECT) statement, without ';' between "
                "statements: a source is only read"
            )
        names = sorted(set(bound_names(v)) - {"period"})
        if names:
            raise ValueError(f"only :period is bound; the query also names :{', :'.join(names)}")
        return v

    @model_validator(mode="after")
    def _query_or_table(self):
        if (self.query is None) == (self.table is None):
            raise ValueError("give exactly one of query and table")
        return self

    def describe(self) -> str:
        """One line naming the database and what is read from it, without any password."""
        if self.table is not None:
            what = f"table {self.table}"
        else:
            assert self.query is not None  # validation requires one of the two
            what = "query " + " ".join(self.query.split())
        return f"{self.safe_url()} ({what})"


def _is_one_select(query: str) -> bool:
    """Whether a query is one statement that starts by reading (the database is also opened
    read-only: this check only says early, and in plain words, what is not allowed)."""
    text = re.sub(r"--[^\n]*|/\*.*?\*/", " ", query, flags=re.S).strip().rstrip(";").strip()
    first = text.split(None, 1)[0].upper() if text else ""
    return first in ("SELECT", "WITH") and ";" not in text


def bound_names(query: str) -> list[str]:
    """The ``:name`` parameters SQLAlchemy's ``text()`` finds in a query (``::casts`` are not parameters)."""
    from sqlalchemy import text

    return list(text(query).compile().params)


def _source_kind(value: Any) -> str:
    if isinstance(value, str) and value == STORE_SOURCE:
        return "store"
    return "database" if isinstance(value, (dict, SqlSource)) else "file"


#: The word that, as ``data.indicators``, reads the indicator values from the store of record.
STORE_SOURCE = "store"

#: A data table: a file path, or for stations and indicators a database source.
DataSource = Annotated[
    Annotated[Path, Tag("file")] | Annotated[SqlSource, Tag("database")],
    Discriminator(_source_kind),
]
#: The indicators: a file, a database source, or ``store`` (the store of record).
IndicatorSource = Annotated[
    Annotated[Path, Tag("file")]
    | Annotated[SqlSource, Tag("database")]
    | Annotated[Literal["store"], Tag("store")],
    Discriminator(_source_kind),
]


class StoreServer(_DatabaseLogin):
    """A store of record on a database server (PostgreSQL), shared by several analysts;
    the password is read from the environment, as for a SQL source."""

    url: str = Field(description="postgresql+psycopg://user@host:5432/database, without a password")

    @field_validator("url")
    @classmethod
    def _postgres_url_without_password(cls, v: str, info: ValidationInfo):
        url = _url_without_password(
            v,
            info,
            "postgresql+psycopg://user@host:5432/database, or give a DuckDB file path "
            "instead of a mapping",
        )
        if url.get_backend_name() != "postgresql":
            raise ValueError(
                f"a store on a server is PostgreSQL (postgresql+psycopg://...), got "
                f"{url.get_backend_name()!r}; for an embedded store give a DuckDB file path"
            )
        return v


def _store_kind(value: Any) -> str:
    return "server" if isinstance(value, (dict, StoreServer)) else "file"


#: Where the store of record is: a DuckDB file, or a PostgreSQL server.
StoreLocation = Annotated[
    Annotated[Path, Tag("file")] | Annotated[StoreServer, Tag("server")],
    Discriminator(_store_kind),
]
#: The store's file when the parameters name none, beside the parameter file.
DEFAULT_STORE_NAME = "fivecolor.duckdb"


class DataFiles(_Frozen):
    """Where the data are. Relative paths are resolved against the parameter file's folder.

    ``stations`` and ``indicators`` may also be a database (:class:`SqlSource`).
    """

    stations: DataSource
    indicators: IndicatorSource
    boundaries: Path | None = None
    projects: Path | None = None


#: The roles of a month's data, as :class:`DataFiles` names them.
DATA_ROLES: tuple[str, ...] = tuple(DataFiles.model_fields)


class Params(_Frozen):
    """Everything that decides a report. Build it with :func:`fivecolor.params.load_params`."""

    title: Label
    language: Literal["zh", "en"] = "zh"
    period: str = Field(pattern=PERIOD_PATTERN)
    data: DataFiles
    normalisation: Normalisation = Normalisation.goalposts
    aggregation: Aggregation = Aggregation.arithmetic
    missing: MissingPolicy = MissingPolicy.reweight
    weights_scheme: WeightsScheme = WeightsScheme.given
    indicators: dict[str, IndicatorSpec] = Field(min_length=1)
    groups: dict[str, Group] | None = None
    # defaults built as Sensitivity.weights' is (model_construct); their values validate to the same
    bands: Bands = Bands.model_construct()
    winsorise: Winsorise = Winsorise.model_construct()
    ahp: Ahp | None = None
    sensitivity: Sensitivity = Sensitivity.model_construct()
    actions: Actions = Actions.model_construct()
    departments: dict[str, Label] = Field(default_factory=dict)
    store: StoreLocation | None = Field(
        default=None,
        description="the store of record: a DuckDB file (relative to this file's folder), or "
        "{url: postgresql+psycopg://user@host/db, password_env: ...}; default: "
        f"{DEFAULT_STORE_NAME} beside the parameter file",
    )

    _sources: tuple[str, ...] = PrivateAttr(default=())

    @field_validator("period", mode="before")
    @classmethod
    def _period_is_text(cls, v: Any):
        if not isinstance(v, str):
            raise ValueError(f'write the month as text YYYY-MM, e.g. "2020-05" (got {quoted(v)})')
        return v

    @field_validator("indicators")
    @classmethod
    def _indicator_keys_and_weights(cls, v: dict[str, IndicatorSpec]):
        for key in v:
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
                raise ValueError(f"indicator key {key!r} must be letters, digits and _")
        if sum(spec.weight for spec in v.values()) <= 0:
            raise ValueError("the weights sum to zero; give at least one positive weight")
        return v

    @model_validator(mode="after")
    def _cross_checks(self):
        if self.groups is not None:
            if not self.groups:
                raise ValueError("groups: give at least one group, or leave groups out")
            if sum(g.weight for g in self.groups.values()) <= 0:
                raise ValueError(
                    "groups: the group weights sum to zero; give at least one positive weight"
                )
            for key, spec in self.indicators.items():
                if spec.group is None:
                    raise ValueError(
                        f"indicators.{key}.group: every indicator needs a group when groups are given"
                    )
                if spec.group not in self.groups:
                    raise ValueError(
                        f"indicators.{key}.group: {spec.group!r} is not one of groups ({', '.join(self.groups)})"
                    )
            for name in self.groups:
                members = [s for s in self.indicators.values() if s.group == name]
                if not members:
                    raise ValueError(f"groups.{name}: no indicator names this group")
                if self.groups[name].weight > 0 and sum(s.weight for s in members) <= 0:
                    raise ValueError(f"groups.{name}: the weights of its indicators sum to zero")
        if self.departments:
            for key, spec in self.indicators.items():
                if spec.department is not None and spec.department not in self.departments:
                    raise ValueError(
                        f"indicators.{key}.department: {spec.department!r} is not one of "
                        f"departments ({', '.join(self.departments)})"
                    )
        _check_aliases(self.indicators)
        if self.weights_scheme is WeightsScheme.ahp and self.ahp is None:
            raise ValueError("ahp: weights_scheme is ahp but no ahp matrix is given")
        if self.ahp is not None:
            _check_ahp_shape(self.ahp, tuple(self.indicators))
        return self

    # -- derived views -------------------------------------------------------------------
    @property
    def indicator_keys(self) -> tuple[str, ...]:
        return tuple(self.indicators)

    @property
    def store_location(self) -> Path | StoreServer:
        """Where the store of record is: the ``store`` key, else a DuckDB file beside the
        parameter file (the current folder for parameters not read from a file)."""
        if self.store is not None:
            return self.store
        folder = Path(self._sources[0]).parent if self._sources else Path()
        return folder / DEFAULT_STORE_NAME

    @property
    def sources(self) -> tuple[str, ...]:
        """The YAML files this object was read from, the named file first."""
        return self._sources

    def label(self, label: Label) -> str:
        """A label in the report's language."""
        return getattr(label, self.language)

    def with_period(self, period: str | None) -> Params:
        """The same parameters for another month (validated); ``None`` keeps the file's month."""
        if period is None or period == self.period:
            return self
        return self.replace(period=period)

    def replace(self, **changes: Any) -> Params:
        """A validated copy with top-level keys changed (``model_copy`` would skip validation)."""
        source = self._sources[0] if self._sources else "parameters"
        merged = {**self.model_dump(mode="python"), **changes}
        new = validate(merged, source)
        new._sources = self._sources
        return new

    def to_yaml(self, data: Mapping[str, str | None] | None = None) -> str:
        """One self-contained YAML document that :func:`fivecolor.params.load_params` reads back to equal
        parameters (the same :meth:`digest`): no ``extends``, the month set, the data paths
        absolute, or ``data`` by role when given (a role left out has no file; a relative path
        is read from the folder of the file the document is saved in). Keys keep their order:
        the order of the indicators is the order of every table and chart.
        """
        doc = _plain(self.model_dump(mode="python"))
        if data is not None:
            doc["data"] = {role: data.get(role) for role in DATA_ROLES}
        return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)

    def digest(self) -> str:
        """SHA-256 of the parameters' canonical JSON: the manifest's key for this report."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    """A ``model_dump`` as plain YAML values: enums by value, paths as text, tuples as lists
    (``mode="json"`` would also turn an infinite float into null)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    return str(value) if isinstance(value, Path) else value


def _check_aliases(indicators: Mapping[str, IndicatorSpec]) -> None:
    """An alias must not name another indicator (by key, label or alias): imports would not
    know which column is which."""
    names = {
        name.strip().casefold(): key
        for key, spec in reversed(list(indicators.items()))
        for name in (key, spec.label.zh, spec.label.en)
    }
    for key, spec in indicators.items():
        for alias in spec.aliases:
            other = names.setdefault(alias.strip().casefold(), key)
            if other != key:
                raise ValueError(
                    f"indicators.{key}.aliases: {alias!r} already names the indicator {other}"
                )


def _check_ahp_shape(ahp: Ahp, keys: tuple[str, ...]) -> None:
    if sorted(ahp.order) != sorted(keys):
        missing = sorted(set(keys) - set(ahp.order))
        extra = sorted(set(ahp.order) - set(keys))
        raise ValueError(
            f"ahp.order: must list every indicator once (missing {missing}, unknown {extra})"
        )
    n = len(ahp.order)
    if len(ahp.matrix) != n or any(len(row) != n for row in ahp.matrix):
        raise ValueError(f"ahp.matrix: must be {n}×{n}, one row and column per entry of ahp.order")


#: Mappings whose keys the user chooses; an entry the base file lacks is a new one, so a
#: misspelt key shows as a new entry missing its required keys, not as an unknown key.
NAMED_ENTRIES: dict[str, str] = {
    "indicators": "indicator",
    "groups": "group",
    "departments": "department",
}


def _unwrap(annotation: Any) -> Any:
    """An annotation without ``Annotated`` metadata and without ``None`` in a union."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if _is_union(annotation):
        arms = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(arms) == 1:
            return _unwrap(arms[0])
    return annotation


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _union_arm(annotation: Any, part: Any) -> Any:
    """The arm of a union an error's location names: by its tag (``database``) or, for an
    untagged union, by its type's name (``Label``). None when ``part`` names no arm."""
    for arm in typing.get_args(annotation):
        if typing.get_origin(arm) is Annotated and any(
            isinstance(meta, Tag) and meta.tag == part for meta in typing.get_args(arm)[1:]
        ):
            return _unwrap(arm)
        if getattr(_unwrap(arm), "__name__", None) == part:
            return _unwrap(arm)
    return None


def _step(annotation: Any, part: Any) -> Any:
    """The annotation one key (or list index) below ``annotation``; None if unknown."""
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(part))
        return None if field is None else field.annotation
    if origin is dict:
        return typing.get_args(annotation)[1]
    if origin is tuple:
        args = typing.get_args(annotation)
        if len(args) == 2 and args[1] is Ellipsis:
            return args[0]
        return args[part] if isinstance(part, int) and part < len(args) else None
    return None


def _walk(loc: tuple[Any, ...]) -> tuple[Any, tuple[Any, ...]]:
    """The annotation at an error's location, and the location as the user wrote it: pydantic
    also names the arm of a union it tried (data.indicators.database.url, unit.Label.zh), a
    step the file does not have."""
    annotation: Any = Params
    written: list[Any] = []
    for part in loc:
        annotation = _unwrap(annotation) if annotation is not None else None
        if _is_union(annotation):
            arm = _union_arm(annotation, part)
            if arm is not None:
                annotation = arm
                continue
        written.append(part)
        annotation = _step(annotation, part) if annotation is not None else None
    return annotation, tuple(written)


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model of the mapping at an error's location in a parameter file, if it is one."""
    annotation = _unwrap(_walk(loc)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _did_you_mean(word: str, choices: list[str]) -> str | None:
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _required_keys(model: type[BaseModel]) -> list[str]:
    return [name for name, field in model.model_fields.items() if field.is_required()]


def _and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _misspelt_entry(err: Mapping[str, Any], doc: Mapping[str, Any]) -> tuple[str, str] | None:
    """A required key missing in an entry of a named mapping whose name is close to another
    entry's: most likely a misspelling of that entry, not a new one."""
    loc = err["loc"]
    if err["type"] != "missing" or len(loc) < 3 or loc[0] not in NAMED_ENTRIES:
        return None
    entries = doc.get(loc[0])
    if not isinstance(entries, Mapping):
        return None
    name = str(loc[1])
    match = _did_you_mean(name, [str(key) for key in entries if key != name])
    if match is None:
        return None
    what = NAMED_ENTRIES[loc[0]]
    model = _model_at(loc[:2])
    needs = f" (a new {what} needs {_and_list(_required_keys(model))})" if model else ""
    return f"{loc[0]}.{name}", f"unknown {what}; did you mean {match}?{needs}"


def _unknown_key_message(loc: tuple[Any, ...]) -> str:
    model = _model_at(loc[:-1])
    allowed = list(model.model_fields) if model else []
    match = _did_you_mean(str(loc[-1]), allowed)
    if match is not None:
        return f"unknown key; did you mean {match}?"
    if allowed:
        return f"unknown key; the keys here are {', '.join(allowed)}"
    return "unknown key; check its spelling (`fivecolor params-schema` lists every key)"


def _error_line(err: Mapping[str, Any], doc: Mapping[str, Any]) -> tuple[str, str]:
    misspelt = _misspelt_entry(err, doc)
    if misspelt is not None:
        return misspelt
    written = _walk(tuple(err["loc"]))[1]
    loc = ".".join(str(part) for part in written)
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = _unknown_key_message(tuple(err["loc"]))
    elif err["type"] == "missing" and written and isinstance(written[-1], int):
        # a fixed-length list that is too short: pydantic blames the first absent item
        loc = ".".join(str(part) for part in written[:-1])
        msg = f"too few values ({len(err['input'])} given: {list(err['input'])})"
    elif err["type"] == "missing":
        msg = "required key is missing"
    elif err["type"] == "string_pattern_mismatch" and err["ctx"]["pattern"] == PERIOD_PATTERN:
        msg = f'{quoted(err["input"])} is not a month written YYYY-MM, e.g. "2020-05"' + PERIOD_HINT
    elif err["type"] in ("enum", "literal_error"):
        msg = f"{msg} (got {quoted(err.get('input'))})"
    m = re.match(r"^([\w.]+): (.*)$", msg)  # a cross-check names its own key
    if not loc and m:
        loc, msg = m.group(1), m.group(2)
    return loc, msg


def _is_misspelling(err: Mapping[str, Any], doc: Mapping[str, Any]) -> bool:
    return err["type"] == "extra_forbidden" or _misspelt_entry(err, doc) is not None


def _error_lines(errors: list[Any], doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    """One (key, message) per distinct problem, misspellings first: a misspelt key is often
    why another key is missing, and the keys missing in one misspelt entry are one problem."""
    ordered = sorted(errors, key=lambda err: not _is_misspelling(err, doc))
    return list(dict.fromkeys(_error_line(err, doc) for err in ordered))


def validate(doc: dict[str, Any], source: str) -> Params:
    try:
        return Params.model_validate(doc)
    except ValidationError as exc:
        lines = _error_lines(exc.errors(), doc)
        loc, msg = lines[0]
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        raise InputError(source, loc, msg + more) from None


def _partial(node: Any, partial_names: frozenset[str]) -> Any:
    """A schema fragment that also accepts any subset of its keys, as ``extends`` merges them:
    every ``required`` dropped and every ``$ref`` to a model pointing at its partial copy.
    List items stay whole: a list replaces the base file's list, it is not merged into it."""
    if isinstance(node, list):
        return [_partial(item, partial_names) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "required" and isinstance(value, list):
            continue
        if key in ("items", "prefixItems"):
            out[key] = value
        elif key == "$ref" and value.removeprefix("#/$defs/") in partial_names:
            out[key] = value.replace("#/$defs/", "#/$defs/Partial")
        else:
            out[key] = _partial(value, partial_names)
    return out


def params_schema() -> dict[str, Any]:
    """The JSON Schema of a parameter file, for editors.

    A file without ``extends`` must be complete (``$defs.Params``); a file with ``extends``
    may change any subset of keys, at any depth. Unknown keys are refused at every level in
    both, so an editor flags a misspelt key either way.
    """
    full = Params.model_json_schema()
    definitions = full.pop("$defs", {})
    full["properties"]["extends"] = {
        "type": "string",
        "description": "Another parameter file whose values this one changes (deep merge).",
    }
    models = frozenset(name for name, d in definitions.items() if "properties" in d)
    partial_definitions = {
        f"Partial{name}": _partial(definitions[name], models) for name in sorted(models)
    }
    # the top level describes every key (what an editor completes); the anyOf asks for the
    # whole file unless it extends another
    schema = _partial(full, models)
    schema.update(
        {
            # pydantic writes draft 2020-12 (prefixItems for the fixed-length lists)
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "fivecolor parameters",
            "description": "A complete parameter file, one that names the file it changes "
            "in extends and gives only what differs, or a scheme of method keys only.",
            # a scheme (params/schemes/) states method keys only: no month, data or store
            "anyOf": [
                {"required": ["extends"]},
                {"$ref": "#/$defs/Params"},
                {"not": {"anyOf": [{"required": [key]} for key in ("period", "data", "store")]}},
            ],
            "$defs": {**definitions, **partial_definitions, "Params": full},
        }
    )
    return schema
