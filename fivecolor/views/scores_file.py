"""The published scores file (``scores.csv``): the scored month with each grade's name.

Apart from :mod:`fivecolor.views.common` so that ``fivecolor score`` writes it without the base
map (shapely) and the pages' shared functions: it needs only the scores and the text catalogue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fivecolor.scoring.pipeline import ScoreResult
from fivecolor.views.text import BAND_LABELS, BANDS, Language

__all__ = ["band_labels", "scores_file"]


def band_labels(codes: pd.Series | np.ndarray, language: Language) -> np.ndarray:
    """Grade names for band codes (``"red"`` … or ``""`` for no band) in *language*."""
    lookup = {band: BAND_LABELS[band][language] for band in BANDS}
    return pd.Series(np.asarray(codes, dtype=object)).map(lookup).fillna("").to_numpy(dtype=object)


def scores_file(result: ScoreResult, period: str | None = None) -> pd.DataFrame:
    """The published scores file: :meth:`ScoreResult.table` with each grade's name in the report's
    language (``band_label``) beside its code."""
    table = result.table(period)
    table.insert(
        list(table.columns).index("band") + 1,
        "band_label",
        band_labels(table["band"], result.params.language),
    )
    return table
