"""The embedded Ningbo sample data (real towns, synthetic indicator values) and its generator.

``stations.csv`` and ``indicators.csv`` beside this file are exactly what
``write_sample(SAMPLE_DIR)`` writes with the default arguments.
"""

from importlib import import_module
from pathlib import Path

#: Folder holding the shipped sample files.
SAMPLE_DIR = Path(__file__).resolve().parent

_GENERATOR_NAMES = ("COUNTIES", "DECIMALS", "STORY_STATION", "make_sample", "write_sample")


def __getattr__(name: str):
    # the generator (scipy.signal, shapely) is imported on first use: `fivecolor --help` and
    # `fivecolor score` reach this package only for `sample.company`'s light constants
    if name in _GENERATOR_NAMES:
        return getattr(import_module(".generate", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [*_GENERATOR_NAMES, "SAMPLE_DIR"]  # pyright: ignore[reportUnsupportedDunderAll]
