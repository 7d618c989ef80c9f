"""Chart data stored once for the whole site instead of in every page: the maps' shapes.

A chart names such a dataset by its content (:func:`shared_name`, ``fc-geo-<digest>``) and
carries the values in its spec's ``datasets``, so the spec draws anywhere: in JupyterLab, in
vl-convert (the still pictures), in tests. On the site the values would repeat in every page
that shows a map (the overview and the home page's window, about 100 kB each), so
:func:`fivecolor.views.embed.chart_html`, in the report's kernels, leaves them out of the page
and the chart reads them from ``window.fcData``, which ``reports/assets/data/<name>.js``
(:func:`data_script`) fills. Pages load the files their charts name (:func:`names_used`); the
site build writes them. A name is a digest of the values, so a file never changes once
written and months with other stations get other files.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

__all__ = [
    "DATA_FOLDER",
    "SHARED_PREFIX",
    "data_script",
    "is_shared",
    "names_used",
    "reference_js",
    "script_json",
    "shared_name",
]

SHARED_PREFIX = "fc-geo-"
#: Where the files are, under the site's assets folder.
DATA_FOLDER = "data"

_REFERENCE = re.compile(
    r'\(window\.fcData \|\| \{\}\)\["(' + re.escape(SHARED_PREFIX) + r'[0-9a-f]{16})"\]'
)


def script_json(value: Any, **dump_options: Any) -> str:
    """JSON safe inside ``<script>``: no ``</script>``, ``<!--`` or JS line separators."""
    text = json.dumps(value, ensure_ascii=False, **dump_options)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _json(values: Any) -> str:
    """Compact, sorted :func:`script_json`: the same values give the same text (and name)."""
    return script_json(values, sort_keys=True, separators=(",", ":"))


def shared_name(values: Any) -> str:
    """The dataset's name: :data:`SHARED_PREFIX` and a digest of its values."""
    return SHARED_PREFIX + hashlib.sha256(_json(values).encode()).hexdigest()[:16]


def is_shared(name: str) -> bool:
    return name.startswith(SHARED_PREFIX)


def reference_js(name: str) -> str:
    """The JavaScript expression that gives a shared dataset's values on a page (``undefined``
    when its file did not load)."""
    return f"(window.fcData || {{}})[{json.dumps(name)}]"


def data_script(name: str, values: Any) -> str:
    """The file ``assets/data/<name>.js``: a classic script that puts the values in
    ``window.fcData``."""
    return f"(window.fcData = window.fcData || {{}})[{json.dumps(name)}] = {_json(values)};\n"


def names_used(html: str) -> list[str]:
    """The shared datasets a page's charts read, in order of first use."""
    return list(dict.fromkeys(_REFERENCE.findall(html)))
