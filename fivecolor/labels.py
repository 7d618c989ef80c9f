"""The bilingual catalogue: the five grades and every fixed label a report shows."""

from __future__ import annotations

from typing import Literal

Language = Literal["zh", "en"]

#: Band codes, best first. Position in this tuple is the band's code (0 = red = best).
BANDS: tuple[str, ...] = ("red", "orange", "blue", "green", "yellow")

BAND_COLOURS: dict[str, str] = {
    "red": "#d7301f",
    "orange": "#fc8d28",
    "blue": "#3a7bd5",
    "green": "#2ca25f",
    "yellow": "#f2d43d",
}

BAND_LABELS: dict[str, dict[str, str]] = {
    "red": {"zh": "红色（优秀）", "en": "Red (excellent)"},
    "orange": {"zh": "橙色（较好）", "en": "Orange (good)"},
    "blue": {"zh": "蓝色（中等）", "en": "Blue (medium)"},
    "green": {"zh": "绿色（稍差）", "en": "Green (slightly poor)"},
    "yellow": {"zh": "黄色（落后）", "en": "Yellow (lagging)"},
}

CHANGE_LABELS: dict[str, dict[str, str]] = {
    "up": {"zh": "上升", "en": "up"},
    "down": {"zh": "下降", "en": "down"},
    "same": {"zh": "持平", "en": "same"},
    "new": {"zh": "新增", "en": "new"},
}

SEVERITY_LABELS: dict[str, dict[str, str]] = {
    "error": {"zh": "错误", "en": "error"},
    "warning": {"zh": "警告", "en": "warning"},
}


def band_label(band: str, language: Language) -> str:
    """The grade's display name, e.g. ``band_label("red", "en") == "Red (excellent)"``."""
    return BAND_LABELS[band][language]
