"""The one bilingual text catalogue: every fixed text a report shows, in Chinese and English.

The texts are data, in ``text.yaml`` beside this module (package data): one entry per key,
``<area>.<name>`` in lower case (``table.rank``, ``band.red``, ``station.next.none``), each
with ``zh`` and ``en`` carrying the same ``{placeholders}``. The file is read once, at
import, into :data:`TEXT`; :func:`text` is the one way to read it. A key written in the code
or a notebook must be a literal (``text("table.rank", language)``), never built at run time,
so ``tests/test_text_catalogue.py`` can check that every key used is defined and every key
defined is used.

Examples
--------
>>> text("table.rank", "en")
'Rank'
>>> text("chart.map", "zh", period="2020-05")
'2020-05 供电所五色地图'
>>> band_label("red", "en")
'Red (excellent)'
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Literal

import yaml

from fivecolor.params.files import UniqueKeyLoader
from fivecolor.scoring.bands import BANDS

__all__ = [
    "BANDS",
    "BAND_KEYS",
    "BAND_LABELS",
    "CATALOGUE_FILE",
    "CHANGE_KEYS",
    "CHANGE_LABELS",
    "LANGUAGES",
    "SEVERITY_KEYS",
    "SEVERITY_LABELS",
    "TEXT",
    "Language",
    "band_label",
    "map_caption",
    "template",
    "text",
]

Language = Literal["zh", "en"]
#: The languages every entry of the catalogue has.
LANGUAGES: tuple[Language, ...] = ("zh", "en")
#: The catalogue's file name inside the package ``fivecolor.views``.
CATALOGUE_FILE = "text.yaml"
_KEY_STYLE = re.compile(r"[a-z]+(\.[a-z0-9_]+)+")


class _CatalogueLoader(UniqueKeyLoader):
    """The parameters' loader, a key written twice named as a text key."""

    duplicate_message = "text key {key!r} is defined twice"


def load_catalogue(source: str) -> dict[str, dict[str, str]]:
    """Parse a catalogue's YAML text; ``ValueError`` for a badly shaped entry.

    Every entry must be ``<area>.<name>`` with exactly the keys ``zh`` and ``en``, both strings.
    """
    try:
        catalogue = yaml.load(source, Loader=_CatalogueLoader)  # safe_load's loader, stricter
    except yaml.YAMLError as error:
        raise ValueError(f"the text catalogue is not valid YAML: {error}") from error
    if not isinstance(catalogue, dict):
        raise ValueError("the text catalogue must be a mapping of keys to {zh, en}")
    for key, entry in catalogue.items():
        if not isinstance(key, str) or not _KEY_STYLE.fullmatch(key):
            raise ValueError(f"text key {key!r} is not of the form <area>.<name> in lower case")
        if not isinstance(entry, dict) or sorted(entry) != sorted(LANGUAGES):
            raise ValueError(f"text {key!r} must have exactly the languages {LANGUAGES}")
        if not all(isinstance(entry[language], str) for language in LANGUAGES):
            raise ValueError(f"text {key!r}: every language's text must be a string")
    return catalogue


#: The catalogue: key -> {"zh": ..., "en": ...}, read once from ``text.yaml``.
TEXT: dict[str, dict[str, str]] = load_catalogue(
    resources.files("fivecolor.views").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
)


def template(key: str, language: Language) -> str:
    """The text ``key`` in ``language`` with its ``{placeholders}`` unfilled.

    Raises ``KeyError`` naming the key (or the language) when the catalogue lacks it.
    """
    try:
        entry = TEXT[key]
    except KeyError:
        raise KeyError(f"{key!r} is not a key of the text catalogue ({CATALOGUE_FILE})") from None
    try:
        return entry[language]
    except KeyError:
        raise KeyError(f"text {key!r} has no language {language!r} (one of {LANGUAGES})") from None


def text(key: str, language: Language, **values: object) -> str:
    """The text ``key`` in ``language``, placeholders filled from ``values``.

    Examples
    --------
    >>> text("table.best_station", "en", name="Meilin")
    'Best station (Meilin)'
    """
    found = template(key, language)
    return found.format(**values) if values else found


# --------------------------------------------------------------------------- codes -> keys
#: The catalogue key of each grade's name, best first.
BAND_KEYS: dict[str, str] = {
    "red": "band.red",
    "orange": "band.orange",
    "blue": "band.blue",
    "green": "band.green",
    "yellow": "band.yellow",
}
#: The catalogue key of each change code of :meth:`~fivecolor.scoring.pipeline.ScoreResult.table`.
CHANGE_KEYS: dict[str, str] = {
    "up": "change.up",
    "down": "change.down",
    "same": "change.same",
    "new": "change.new",
}
#: The catalogue key of each severity of a data finding.
SEVERITY_KEYS: dict[str, str] = {
    "error": "severity.error",
    "warning": "severity.warning",
}

#: Grade code -> {"zh": name, "en": name}.
BAND_LABELS: dict[str, dict[str, str]] = {code: TEXT[key] for code, key in BAND_KEYS.items()}
#: Change code -> {"zh": word, "en": word}.
CHANGE_LABELS: dict[str, dict[str, str]] = {code: TEXT[key] for code, key in CHANGE_KEYS.items()}
#: Severity -> {"zh": word, "en": word}.
SEVERITY_LABELS: dict[str, dict[str, str]] = {
    code: TEXT[key] for code, key in SEVERITY_KEYS.items()
}


def band_label(band: str, language: Language) -> str:
    """The grade's display name, e.g. ``band_label("red", "en") == "Red (excellent)"``."""
    return text(BAND_KEYS[band], language)


def map_caption(language: Language = "zh") -> str:
    """The caption every map carries: the schematic label, then the data credits."""
    return text(
        "map.caption",
        language,
        schematic=text("map.schematic", language),
        attribution=text("map.attribution", language),
    )
