"""Files the package ships beside its code: the report notebooks and the default parameters."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def notebooks_dir() -> Path:
    """The folder of the report notebooks (``overview``, ``station``, ``sensitivity``)."""
    return PACKAGE_DIR.parent / "notebooks"


def default_params_file() -> Path:
    """The default parameters: the indicator catalogue, weights and bands of the sample."""
    return PACKAGE_DIR.parent / "params" / "default.yaml"
