"""A published month in the store of record: what was published, for "last month" and audits.

For a month scored from the store (``data.indicators: store``), every publication is recorded
there once the site is published (:func:`record_publication`): the parameters and their hash,
the data's hash, the time, the site's folder and each station's score, rank and colour. Later
months show these colours as last month's (:mod:`fivecolor.analysis.published`), and a month
already published with other parameters or data is not republished without ``--replace``
(:func:`store_conflict`), even if its folder under ``reports/`` is gone.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from fivecolor.data.store import open_for_reading, open_store, store_of_record
from fivecolor.params import Params
from fivecolor.scoring.pipeline import ScoreResult

__all__ = ["data_digest", "record_publication", "store_conflict"]


def data_digest(data_hashes: dict[str, str]) -> str:
    """One SHA-256 over the month's data files' hashes, by role."""
    return hashlib.sha256(json.dumps(data_hashes, sort_keys=True).encode()).hexdigest()


def store_conflict(params: Params, data_hashes: dict[str, str]) -> str | None:
    """How the store's publication of this month differs (``other parameters``, ``other
    data``), or ``None`` when there is none or it is the same."""
    location = store_of_record(params)
    if location is None:
        return None
    with open_for_reading(location) as store:
        published = store.publication(params.period)
    if published is None:
        return None
    if published["params_hash"] != params.digest():
        return f"other parameters (the store's publication of {published['published_at']:%Y-%m-%d %H:%M})"
    if published["data_hash"] != data_digest(data_hashes):
        return "other data (the store's publication)"
    return None


def record_publication(
    result: ScoreResult, data_hashes: dict[str, str], month_dir: Path, variant: str | None
) -> None:
    """Record the published month and its stations' scores, ranks and colours in the store
    (a month published again, by ``--replace`` or after a code change, replaces its record);
    nothing for a month not scored from the store."""
    params = result.params
    location = store_of_record(params)
    if location is None:
        return
    with open_store(location) as store:
        store.record_publication(
            params.period,
            params_json=json.dumps(params.model_dump(mode="json"), sort_keys=True),
            params_hash=params.digest(),
            data_hash=data_digest(data_hashes),
            site_path=str(Path(month_dir).resolve()),
            scores=result.table(),
            variant=variant,
            replace=True,
        )
