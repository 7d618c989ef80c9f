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


#: Every other label a chart or table shows, keyed by meaning. Entries with ``{name}``-style
#: placeholders are filled by :func:`text`; zh and en carry the same placeholders.
TEXT: dict[str, dict[str, str]] = {
    # -- shared column headers, axis, legend and tooltip titles
    "rank": {"zh": "排名", "en": "Rank"},
    "station": {"zh": "供电所", "en": "Station"},
    "county": {"zh": "区县", "en": "County"},
    "score": {"zh": "综合得分", "en": "Score"},
    "band": {"zh": "颜色等级", "en": "Colour grade"},
    "change": {"zh": "等级变化", "en": "Change"},
    "previous_band": {"zh": "上月等级", "en": "Last month's grade"},
    "from_band": {"zh": "原等级", "en": "From"},
    "to_band": {"zh": "现等级", "en": "To"},
    "staff": {"zh": "员工人数", "en": "Staff"},
    "month": {"zh": "月份", "en": "Month"},
    "stations_count": {"zh": "供电所数", "en": "Stations"},
    "count": {"zh": "本月数量", "en": "This month"},
    "last_month": {"zh": "上月数量", "en": "Last month"},
    "difference": {"zh": "增减", "en": "Change"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "normalised": {"zh": "标准化得分", "en": "Normalised score"},
    "raw_value": {"zh": "原始值", "en": "Raw value"},
    "unit": {"zh": "单位", "en": "Unit"},
    "points_lost": {"zh": "失分", "en": "Points lost"},
    "bottom_band": {"zh": "处于末档", "en": "In bottom band"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "severity": {"zh": "级别", "en": "Severity"},
    "message": {"zh": "说明", "en": "Message"},
    "file": {"zh": "文件", "en": "File"},
    "row": {"zh": "行", "en": "Row"},
    "period": {"zh": "月份", "en": "Period"},
    "item": {"zh": "项目", "en": "Item"},
    "value": {"zh": "数值", "en": "Value"},
    "raw_last_month": {"zh": "上月原始值", "en": "Raw, last month"},
    "raw_this_month": {"zh": "本月原始值", "en": "Raw, this month"},
    "normalised_last_month": {"zh": "上月标准化得分", "en": "Normalised, last month"},
    "normalised_this_month": {"zh": "本月标准化得分", "en": "Normalised, this month"},
    "normalised_change": {"zh": "标准化得分变化", "en": "Normalised change"},
    "no_score": {"zh": "无得分", "en": "No score"},
    "weak_reason": {"zh": "薄弱原因", "en": "Why weak"},
    "reason_bottom": {"zh": "处于末档", "en": "Bottom band"},
    "reason_costly": {"zh": "失分最多", "en": "Costs the most points"},
    "weak_stations": {"zh": "薄弱供电所数", "en": "Stations weak on it"},
    "comparison": {"zh": "对比", "en": "Comparison"},
    "company_median": {"zh": "公司中位数", "en": "Company median"},
    "best_station": {"zh": "本月第一（{name}）", "en": "Best station ({name})"},
    "red_share": {"zh": "红色占比", "en": "Share red"},
    "stage_target": {"zh": "阶段目标", "en": "Stage target"},
    "stage": {"zh": "阶段", "en": "Stage"},
    "cutoff_band": {"zh": "等级区间", "en": "Grade range"},
    # -- the map
    "schematic_map": {"zh": "示意图", "en": "Schematic map"},
    # -- chart titles
    "title_map": {"zh": "{period} 供电所五色地图", "en": "Five-colour map of supply stations, {period}"},
    "title_widget": {"zh": "五色地图 {period}", "en": "Five-colour map {period}"},
    "title_counts": {"zh": "各颜色供电所数量：{period} 与上月",
                     "en": "Stations per colour: {period} and last month"},
    "title_history": {"zh": "各月颜色分布", "en": "Stations per colour, month by month"},
    "title_red_share": {"zh": "红色占比与“红色全优”阶段目标",
                        "en": "Share red and the stage targets toward all red"},
    "title_red_share_only": {"zh": "红色供电所占比", "en": "Share of red stations"},
    "title_heatmap": {"zh": "各供电所指标标准化得分（{period}，按排名）",
                      "en": "Normalised indicator scores by station ({period}, by rank)"},
    "title_weak": {"zh": "薄弱指标：涉及的供电所数", "en": "Weak indicators: how many stations"},
    "title_station_history": {"zh": "{name}：综合得分走势", "en": "{name}: score over the months"},
    "title_station_indicators": {"zh": "{name}：各指标得分（{period}）",
                                 "en": "{name}: indicator scores ({period})"},
}


def text(key: str, language: Language, **values: object) -> str:
    """A fixed label in *language*, placeholders filled from *values*.

    Examples
    --------
    >>> text("rank", "en")
    'Rank'
    >>> text("title_map", "zh", period="2020-05")
    '2020-05 供电所五色地图'
    """
    template = TEXT[key][language]
    return template.format(**values) if values else template
