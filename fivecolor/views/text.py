"""The bilingual catalogue: the five grades and every fixed label a report shows."""

from __future__ import annotations

from typing import Literal

from fivecolor.scoring.bands import BANDS

Language = Literal["zh", "en"]

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
_TABLE_TEXT: dict[str, dict[str, str]] = {
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
    "title_map": {
        "zh": "{period} 供电所五色地图",
        "en": "Five-colour map of supply stations, {period}",
    },
    "title_widget": {"zh": "五色地图 {period}", "en": "Five-colour map {period}"},
    "title_counts": {
        "zh": "各颜色供电所数量：{period} 与上月",
        "en": "Stations per colour: {period} and last month",
    },
    "title_history": {"zh": "各月颜色分布", "en": "Stations per colour, month by month"},
    "title_red_share": {
        "zh": "红色占比与“红色全优”阶段目标",
        "en": "Share red and the stage targets toward all red",
    },
    "title_red_share_only": {"zh": "红色供电所占比", "en": "Share of red stations"},
    "title_heatmap": {
        "zh": "各供电所指标标准化得分（{period}，按排名）",
        "en": "Normalised indicator scores by station ({period}, by rank)",
    },
    "title_weak": {"zh": "薄弱指标：涉及的供电所数", "en": "Weak indicators: how many stations"},
    "title_station_history": {"zh": "{name}：综合得分走势", "en": "{name}: score over the months"},
    "title_station_indicators": {
        "zh": "{name}：各指标得分（{period}）",
        "en": "{name}: indicator scores ({period})",
    },
}

#: Labels of the robustness analysis (:mod:`fivecolor.analysis.sensitivity`).
_ANALYSIS_TEXT: dict[str, dict[str, str]] = {
    "published_rank": {"zh": "本月排名", "en": "Rank"},
    "median_rank": {"zh": "排名中位数", "en": "Median rank"},
    "published_band": {"zh": "本月等级", "en": "This month's grade"},
    "rank_interval": {"zh": "排名区间（5%–95%）", "en": "Rank interval (5–95%)"},
    "probability": {"zh": "概率", "en": "Probability"},
    "probability_of": {"zh": "{band} %", "en": "{band} %"},
    "p_published": {"zh": "保持本月等级 %", "en": "This month's grade %"},
    "p_published_short": {"zh": "保持本月等级的概率", "en": "Probability of this month's grade"},
    "interval": {"zh": "5%–95% 区间", "en": "5–95% interval"},
    "input": {"zh": "不确定输入", "en": "Uncertain input"},
    "sobol_first_n": {"zh": "一阶指数 S1（N={n}）", "en": "First-order S1 (N={n})"},
    "sobol_total_n": {"zh": "总效应指数 ST（N={n}）", "en": "Total-effect ST (N={n})"},
    "sobol_first": {"zh": "一阶指数 S1", "en": "First-order S1"},
    "sobol_total": {"zh": "总效应指数 ST", "en": "Total-effect ST"},
    "sobol_index": {"zh": "敏感性指数", "en": "Sensitivity index"},
    "sobol_kind": {"zh": "指数类型", "en": "Index"},
    "input_weight": {"zh": "{indicator}的权重", "en": "Weight of {indicator}"},
    "input_weights_scheme": {"zh": "赋权方法", "en": "Weighting scheme"},
    "input_normalisation": {"zh": "标准化方法", "en": "Normalisation"},
    "input_aggregation": {"zh": "聚合方法", "en": "Aggregation"},
    "input_cutoff_shift": {"zh": "分级线移动", "en": "Cut-off shift"},
    "input_left_out": {"zh": "剔除的指标", "en": "Left-out indicator"},
    "shift_points": {"zh": "移动幅度（分）", "en": "Shift (points)"},
    "shift_quantile": {"zh": "移动幅度（百分点）", "en": "Shift (percentage points)"},
    "cutoff_of": {"zh": "{band}分级线（{value}）", "en": "{band} cut-off ({value})"},
    "cutoff_all": {"zh": "四条分级线同时移动", "en": "All four cut-offs together"},
    "moved_cutoff": {"zh": "移动的分级线", "en": "Cut-off moved"},
    "stations_changed": {"zh": "等级改变的供电所数", "en": "Stations changing colour"},
    "next_up": {"zh": "上一等级", "en": "Next grade up"},
    "distance_up": {"zh": "距上一等级（分）", "en": "Points to move up"},
    "next_down": {"zh": "下一等级", "en": "Next grade down"},
    "distance_down": {"zh": "高出下一等级（分）", "en": "Points above the grade below"},
    "scheme": {"zh": "赋权方法", "en": "Weighting scheme"},
    "compared_with": {"zh": "对比方法", "en": "Compared with"},
    "scheme_given": {"zh": "给定权重", "en": "Given weights"},
    "scheme_equal": {"zh": "等权重", "en": "Equal weights"},
    "scheme_entropy": {"zh": "熵权法", "en": "Entropy"},
    "scheme_critic": {"zh": "CRITIC 法", "en": "CRITIC"},
    "scheme_pca": {"zh": "主成分分析法", "en": "Principal components"},
    "scheme_ahp": {"zh": "层次分析法", "en": "AHP"},
    "consistency_ratio": {"zh": "一致性比率 CR", "en": "Consistency ratio CR"},
    "spearman": {"zh": "斯皮尔曼等级相关 ρ", "en": "Spearman's ρ"},
    "kendall": {"zh": "肯德尔等级相关 τ", "en": "Kendall's τ"},
    "nominal_weight": {"zh": "名义权重（%）", "en": "Nominal weight (%)"},
    "effective_weight": {"zh": "实际影响（%）", "en": "Effective weight (%)"},
    "influence_ratio": {"zh": "实际影响 ÷ 名义权重", "en": "Effective ÷ nominal"},
    "pearson_r": {"zh": "与综合得分的相关系数 r", "en": "Correlation r with the score"},
    "loo_mean_shift": {"zh": "剔除后平均排名变化", "en": "Mean rank shift when left out"},
    "loo_max_shift": {"zh": "剔除后最大排名变化", "en": "Largest rank shift when left out"},
    "loo_band_changes": {"zh": "剔除后等级改变的供电所数", "en": "Colour changes when left out"},
    # -- chart titles
    "title_rank_intervals": {
        "zh": "各供电所模拟排名（按本月排名）",
        "en": "Simulated rank per station (by this month's rank)",
    },
    "title_colour_probabilities": {
        "zh": "各供电所落入各等级的概率（按本月排名）",
        "en": "Probability of each colour per station (by this month's rank)",
    },
    "title_sobol": {
        "zh": "各不确定输入的敏感性指数（N={n}）",
        "en": "Sensitivity indices of the uncertain inputs (N={n})",
    },
    "title_cutoff_shift": {
        "zh": "分级线移动时等级改变的供电所数",
        "en": "Stations changing colour as the cut-offs move",
    },
}

#: Labels of the action tables (:mod:`fivecolor.analysis.actions`, :mod:`fivecolor.data.projects`).
_ACTION_TEXT: dict[str, dict[str, str]] = {
    "option": {"zh": "方案", "en": "Option"},
    "current": {"zh": "当前值", "en": "Current"},
    "required": {"zh": "需达到", "en": "Required"},
    "change_needed": {"zh": "需改善", "en": "Change needed"},
    "reaches": {"zh": "可升至", "en": "Reaches"},
    "score_needed": {"zh": "所需综合得分", "en": "Score needed"},
    "effort": {"zh": "难度（四分位距倍数）", "en": "Effort (interquartile ranges)"},
    "pair_type": {"zh": "结对类型", "en": "Pair"},
    "pair_type_value": {"zh": "{mentor}帮{partner}", "en": "{mentor} helps {partner}"},
    "mentor": {"zh": "帮扶所", "en": "Mentor"},
    "partner": {"zh": "受帮扶所", "en": "Partner"},
    "distance_km": {"zh": "距离（公里）", "en": "Distance (km)"},
    "complementarity": {"zh": "互补度（分）", "en": "Complementarity (points)"},
    "targets": {"zh": "共同提升的指标", "en": "Indicators to work on"},
    "role": {"zh": "本所角色", "en": "Role"},
    "role_mentor": {"zh": "帮扶方", "en": "mentor"},
    "role_partner": {"zh": "受帮扶方", "en": "partner"},
    "paired_with": {"zh": "结对供电所", "en": "Paired with"},
    "reason": {"zh": "原因", "en": "Reason"},
    "reason_capacity": {"zh": "帮扶所均已满额", "en": "every mentor is at capacity"},
    "reason_no_mentor": {"zh": "本月没有{band}供电所", "en": "no {band} station this month"},
    "department": {"zh": "责任部门", "en": "Department"},
    "level": {"zh": "应达得分", "en": "Score to reach"},
    "gap_points": {"zh": "差距（分）", "en": "Gap (points)"},
    "target_value": {"zh": "目标值", "en": "Target value"},
    "project": {"zh": "项目", "en": "Project"},
    "start": {"zh": "开始月份", "en": "Start"},
    "before": {"zh": "开始前三个月均值", "en": "Before (3-month mean)"},
    "latest": {"zh": "本月值", "en": "This month"},
    "status": {"zh": "状态", "en": "Status"},
    "status_met": {"zh": "已达标", "en": "met"},
    "status_not_met": {"zh": "未达标", "en": "not met"},
    "status_not_started": {"zh": "未开始", "en": "not started"},
    "status_no_data": {"zh": "无数据", "en": "no data"},
    "improved": {"zh": "是否改善", "en": "Improved"},
    "deadline": {"zh": "期限", "en": "Deadline"},
    "target_share": {"zh": "目标红色占比（%）", "en": "Target share red (%)"},
    "target_count": {"zh": "目标红色数", "en": "Red stations needed"},
    "red_count": {"zh": "本月红色数", "en": "Red now"},
    "red_share_now": {"zh": "本月红色占比（%）", "en": "Share red now (%)"},
    "stations_to_go": {"zh": "尚差", "en": "Still to go"},
    "months_left": {"zh": "剩余月数", "en": "Months left"},
    "met": {"zh": "是否达成", "en": "Met"},
}

#: Headings, intros and navigation of the report pages (read by :mod:`fivecolor.views.notebook`).
PAGE_TEXT: dict[str, dict[str, str]] = {
    "page.overview": {"zh": "月度总览", "en": "Monthly overview"},
    "rows_left_out": {
        "zh": "…… 中间 {n} 行未显示（完整表格见本月的 scores.csv、scores.xlsx 和 actions/ 文件夹）……",
        "en": "… {n} rows not shown (the full tables are in the month's scores.csv, scores.xlsx and actions/) …",
    },
    "median_of": {"zh": "{label}（中位数）", "en": "Median {label}"},
    "page.station": {"zh": "供电所详情", "en": "Station page"},
    "page.sensitivity": {"zh": "稳健性分析", "en": "Robustness"},
    "nav.overview": {"zh": "← 返回月度总览", "en": "← Back to the overview"},
    "nav.sensitivity": {"zh": "稳健性分析", "en": "Robustness checks"},
    "nav.months": {"zh": "所有月份", "en": "All months"},
    "summary": {
        "zh": "本月共评价 {n} 个基层供电所：{counts}。",
        "en": "{n} supply stations were assessed this month: {counts}.",
    },
    "map": {"zh": "五色地图", "en": "Five-colour map"},
    "map.intro": {
        "zh": "每个供电所的服务区域按本月综合得分等级着色；县（市、区）界线叠加其上。",
        "en": "Each station's service area is filled with this month's grade; county borders are drawn on top.",
    },
    "counts": {"zh": "各等级数量及变化", "en": "Stations per colour"},
    "counts.intro": {
        "zh": "本月与上月各等级供电所数量对比。",
        "en": "This month's count per colour against last month's.",
    },
    "movers": {"zh": "等级变化", "en": "Who moved"},
    "movers.intro": {
        "zh": "与上月相比等级上升或下降的供电所。",
        "en": "Stations whose colour went up or down since last month.",
    },
    "movers.none": {
        "zh": "本月没有供电所等级发生变化。",
        "en": "No station changed colour this month.",
    },
    "league": {"zh": "综合排名", "en": "League table"},
    "stations": {"zh": "各供电所页面", "en": "Station pages"},
    "heatmap": {"zh": "指标得分热力图", "en": "Indicator scores"},
    "heatmap.intro": {
        "zh": "各供电所十项指标的标准化得分（0–100，越高越好）。",
        "en": "Each station's normalised score on the ten indicators (0–100, higher is better).",
    },
    "weak": {"zh": "薄弱指标", "en": "Weak indicators"},
    "weak.intro": {
        "zh": "失分最多的指标，以及处于全公司最低等级的指标。",
        "en": "The indicators that cost stations the most points, and those on which they sit in the bottom band.",
    },
    "history": {"zh": "迈向“红色全优”", "en": "Toward all red"},
    "history.intro": {
        "zh": "逐月各等级数量、红色占比及阶段目标。",
        "en": "Stations per colour by month, the share of red and the stage targets.",
    },
    "actions": {"zh": "帮扶与结对", "en": "Pairing and help"},
    "actions.intro": {
        "zh": "本月的结对、专业部门帮扶、书记项目进展和阶段目标进度。",
        "en": "This month's pairs, department help, improvement projects and progress toward the stages.",
    },
    "pairing": {
        "zh": "支部联建结对（红黄、橙绿）",
        "en": "Pairing (red with yellow, orange with green)",
    },
    "pairing.intro": {
        "zh": "红色所与黄色所、橙色所与绿色所结对：优先选择在对方薄弱指标上领先且距离较近的帮扶所；"
        "“共同提升的指标”是受帮扶所失分最多而帮扶所领先的指标。",
        "en": "Red stations pair with yellow ones and orange with green: a mentor ahead on the partner's "
        "weak indicators and close by is preferred. The indicators to work on are those where the "
        "partner loses the most and the mentor is ahead.",
    },
    "pairing.none": {
        "zh": "本月没有可结对的供电所。",
        "en": "No station can be paired this month.",
    },
    "unpaired": {"zh": "未能结对的供电所", "en": "Stations left without a mentor"},
    "departments": {"zh": "专业部门帮扶", "en": "Department help"},
    "departments.intro": {
        "zh": "各专业部门负责的指标上处于末档的供电所，以及达到上一档所需的数值。",
        "en": "Per department, the stations in the bottom band on the indicators it owns, and the value "
        "that reaches the next band.",
    },
    "departments.none": {
        "zh": "本月没有需要专业部门帮扶的供电所。",
        "en": "No station needs department help this month.",
    },
    "projects": {"zh": "书记项目", "en": "Improvement projects"},
    "projects.intro": {
        "zh": "各书记项目的指标在开始前与本月的数值，以及是否达到目标。",
        "en": "Each project's indicator before it started and this month, and whether the target is met.",
    },
    "projects.none": {
        "zh": "本月没有登记的书记项目。",
        "en": "No improvement project is registered.",
    },
    "progress": {"zh": "阶段目标进度", "en": "Progress toward the stages"},
    "progress.intro": {
        "zh": "“红色全优”三阶段目标与本月红色供电所数量的差距。",
        "en": "The stages toward all red against this month's red stations.",
    },
    "progress.none": {"zh": "参数中没有设定阶段目标。", "en": "The parameters set no stages."},
    "quality": {"zh": "数据质量", "en": "Data quality"},
    "quality.none": {"zh": "本月数据未发现问题。", "en": "No data problems were found this month."},
    "station.facts": {"zh": "基本情况", "en": "At a glance"},
    "station.history": {"zh": "得分与等级历史", "en": "Score and colour history"},
    "station.indicators": {
        "zh": "各项指标与公司中位数、最佳值对比",
        "en": "Indicators against the company median and the best",
    },
    "station.weak": {"zh": "薄弱指标", "en": "Weak indicators"},
    "station.changes": {"zh": "与上月相比的变化", "en": "What changed since last month"},
    "station.peers": {"zh": "同县（市、区）供电所", "en": "County peers"},
    "station.next": {"zh": "晋级路径", "en": "Path to the next colour"},
    "station.next.intro": {
        "zh": "单项指标需要达到的数值，可使本所升入更高一级颜色（其他指标不变，按难度排序；"
        "难度为需改善量除以该指标全公司的四分位距）。",
        "en": "The value one indicator alone would need to reach to lift the station one colour up, "
        "everything else unchanged, easiest first (effort: the change needed divided by the "
        "indicator's interquartile range across stations).",
    },
    "station.next.none": {
        "zh": "本所已是最高等级。",
        "en": "The station is already in the best colour.",
    },
    "station.next.unreachable": {
        "zh": "没有任何单项指标能单独使本所升入上一等级。",
        "en": "No single indicator can lift the station one colour on its own.",
    },
    "station.partner": {"zh": "结对与帮扶", "en": "Partner and help"},
    "station.partner.intro": {
        "zh": "本所的支部联建结对（红黄、橙绿）。",
        "en": "The station's pair (red with yellow, orange with green).",
    },
    "station.partner.none": {
        "zh": "本所本月没有结对（结对只在红色与黄色、橙色与绿色供电所之间进行）。",
        "en": "The station has no pair this month (pairs join red with yellow and orange with green).",
    },
    "station.departments": {"zh": "专业部门帮扶", "en": "Department help"},
    "station.departments.none": {
        "zh": "本所没有处于末档、需要专业部门帮扶的指标。",
        "en": "The station is in the bottom band on no indicator a department owns.",
    },
    "station.projects": {"zh": "书记项目", "en": "Improvement projects"},
    "station.projects.none": {
        "zh": "本所没有登记的书记项目。",
        "en": "The station has no registered improvement project.",
    },
    "station.certainty": {"zh": "等级的确定程度", "en": "How sure is this colour?"},
    "station.certainty.intro": {
        "zh": "在权重、标准化、聚合方法、分级线和指标集合的合理变动下（蒙特卡罗模拟，见稳健性分析页面），"
        "本所落入各等级的概率。",
        "en": "The probability of each colour when the weights, normalisation, aggregation, cut-offs "
        "and indicator set vary within reason (Monte Carlo; see the robustness page).",
    },
    "station.certainty.published": {
        "zh": "本月等级{band}的概率：{p}",
        "en": "Probability of this month's grade, {band}: {p}",
    },
    "sens.intro": {
        "zh": "在权重、标准化方法、聚合方法、分级线和指标集合存在不确定性时，各供电所排名和等级的稳健程度。",
        "en": "How robust each station's rank and colour are when the weights, normalisation, aggregation, cut-offs and indicator set are uncertain.",
    },
    "sens.ranks": {"zh": "排名区间（5%–95%）", "en": "Rank intervals (5–95%)"},
    "sens.ranks.intro": {
        "zh": "圆点为模拟排名的中位数，横线为 5%–95% 区间，颜色为本月发布的等级。",
        "en": "The dot is the median simulated rank, the line the 5–95% interval; the colour is this month's published grade.",
    },
    "sens.probabilities": {"zh": "各等级概率", "en": "Colour probabilities"},
    "sens.probabilities.intro": {
        "zh": "每个供电所在模拟中落入各等级的比例（%）；“保持本月等级”的比例越低，等级越取决于方法选择。",
        "en": "The share of samples (%) in which each station falls in each colour; the lower the "
        "share keeping this month's grade, the more the colour depends on a choice of method.",
    },
    "sens.stable": {
        "zh": "在 {samples} 次模拟中，等级稳定（保持本月等级的概率≥90%）的供电所占比：{share}。",
        "en": "Over {samples} samples, the share of stations whose colour holds with at least 90% probability: {share}.",
    },
    "sens.weights": {"zh": "各赋权方法的权重", "en": "Weights under each scheme"},
    "sens.weights.intro": {
        "zh": "各赋权方法给出的指标权重（%）；层次分析法另列一致性比率 CR（应小于 0.1）。",
        "en": "Each weighting scheme's indicator weights (%); for AHP also the consistency ratio CR (below 0.1 is acceptable).",
    },
    "sens.schemes": {"zh": "各赋权方法排名的相关性", "en": "How the schemes' rankings agree"},
    "sens.schemes.intro": {
        "zh": "不同赋权方法下本月排名两两之间的斯皮尔曼 ρ 与肯德尔 τ（1 表示排名完全一致）。",
        "en": "Spearman's ρ and Kendall's τ between this month's rankings under each pair of schemes (1: identical rankings).",
    },
    "sens.sobol": {"zh": "敏感性指数（Sobol）", "en": "Sensitivity indices (Sobol)"},
    "sens.sobol.intro": {
        "zh": "各不确定输入对排名变化（各所排名与发布排名之差的绝对值的平均）的一阶指数 S1 与总效应指数 ST。"
        "指数在基础样本量 N 与 2N 下各估计一次：两列接近说明估计已收敛。分级线移动不改变排名，故其指数为 0。",
        "en": "First-order (S1) and total-effect (ST) indices of each uncertain input on the mean absolute "
        "shift of the ranks from the published ones. Each is estimated at base sample size N and at "
        "2N: close columns mean the estimate has converged. Moving the cut-offs changes no rank, so "
        "its indices are 0.",
    },
    "sens.cutoffs": {"zh": "分级线移动的影响", "en": "Moving the cut-offs"},
    "sens.cutoffs.intro": {
        "zh": "每条分级线单独移动、或四条同时移动时，等级发生变化的供电所数。",
        "en": "How many stations change colour when one cut-off moves alone, or all four together.",
    },
    "sens.distances": {"zh": "距分级线的距离", "en": "Distance to the cut-offs"},
    "sens.distances.intro": {
        "zh": "各供电所综合得分距上一等级还差多少分、比下一等级高出多少分。",
        "en": "How many points each station needs to move up a colour, and how many it may lose before moving down.",
    },
    "sens.influence": {
        "zh": "指标对综合得分的实际影响",
        "en": "Each indicator's influence on the composite",
    },
    "sens.influence.intro": {
        "zh": "实际影响为指标得分与综合得分相关系数平方的占比，与名义权重比较；右侧为剔除该指标后排名与等级的变化。",
        "en": "The effective weight is the indicator's share of the squared correlations with the composite, "
        "set against its nominal weight; the right-hand columns show how ranks and colours move when "
        "the indicator is left out.",
    },
    "widget.open": {"zh": "查看完整月报 →", "en": "Open the full report →"},
    "site.title": {"zh": "月度报告", "en": "Monthly reports"},
}


def _merged(*catalogues: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """One catalogue from parts; a key defined in two parts is a mistake, refused at import."""
    merged: dict[str, dict[str, str]] = {}
    for catalogue in catalogues:
        clash = merged.keys() & catalogue.keys()
        if clash:
            raise KeyError(f"text keys defined twice: {sorted(clash)}")
        merged.update(catalogue)
    return merged


#: The one bilingual catalogue: table and chart labels, analysis and action labels, page texts.
TEXT: dict[str, dict[str, str]] = _merged(_TABLE_TEXT, _ANALYSIS_TEXT, _ACTION_TEXT, PAGE_TEXT)


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
