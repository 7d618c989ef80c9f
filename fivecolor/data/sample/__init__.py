"""The embedded Ningbo sample data (real towns, synthetic indicator values) and its generator.

``stations.csv`` and ``indicators.csv`` beside this file are exactly what
``write_sample(SAMPLE_DIR)`` writes with the default arguments.
"""

from pathlib import Path

from .generate import COUNTIES, DECIMALS, STORY_STATION, make_sample, write_sample

#: Folder holding the shipped sample files.
SAMPLE_DIR = Path(__file__).resolve().parent

__all__ = ["COUNTIES", "DECIMALS", "SAMPLE_DIR", "STORY_STATION", "make_sample", "write_sample"]
