"""Wheel build step: copy the project files the package reads at run time into it.

The notebooks, the default parameters and the lock live at the project's top, where analysts
open and edit them; a wheel carries copies under ``fivecolor/_bundled/`` that
:mod:`fivecolor.resources` prefers. An editable install gets none (it reads the top-level files),
so the copies are added here for standard wheels only rather than by ``force-include``, which
hatchling would also copy, stale, into an editable install.

``params/default.yaml`` names the embedded sample as ``../fivecolor/data/sample/...`` (relative
to ``params/``); from ``fivecolor/_bundled/params/`` the same files are ``../../data/sample/...``,
the one change made to the copy.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: Project files copied as they are: path in the checkout -> path in the wheel.
BUNDLED = {
    "notebooks": "fivecolor/_bundled/notebooks",
    "requirements.lock": "fivecolor/_bundled/requirements.lock",
}
DEFAULT_PARAMS = "params/default.yaml"
PACKAGED_DEFAULT_PARAMS = "fivecolor/_bundled/params/default.yaml"
CHECKOUT_SAMPLE = "../fivecolor/data/sample/"
PACKAGED_SAMPLE = "../../data/sample/"


class CustomBuildHook(BuildHookInterface):
    """Adds the notebooks, the lock and the rewritten default parameters to a standard wheel."""

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        for source, target in BUNDLED.items():
            if not (root / source).exists():
                raise RuntimeError(f"{source} is missing; the wheel needs it (see hatch_build.py)")
            build_data["force_include"][str(root / source)] = target
        text = (root / DEFAULT_PARAMS).read_text(encoding="utf-8")
        if CHECKOUT_SAMPLE not in text:
            raise RuntimeError(
                f"{DEFAULT_PARAMS} no longer names {CHECKOUT_SAMPLE}; update hatch_build.py"
            )
        self._scratch = tempfile.TemporaryDirectory()
        packaged = Path(self._scratch.name) / "default.yaml"
        packaged.write_text(text.replace(CHECKOUT_SAMPLE, PACKAGED_SAMPLE), encoding="utf-8")
        build_data["force_include"][str(packaged)] = PACKAGED_DEFAULT_PARAMS

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            scratch.cleanup()
