"""Text bound for a spreadsheet is never a formula.

Excel, LibreOffice and most CSV readers run a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula (and some strip a leading tab or carriage return first). Following the
OWASP guidance on CSV injection, such text gets a leading ``'``: the cell shows the text
as it was, and nothing runs. Numbers are left as numbers, so a negative score is still a
number. Every CSV and Excel file the tool writes goes through :func:`neutralise_formulas`.
"""

from __future__ import annotations

import pandas as pd

#: The first characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` when it would start a formula.

    Examples
    --------
    >>> neutralise("=HYPERLINK(1)"), neutralise("宁波北站"), neutralise("-3")
    ("'=HYPERLINK(1)", '宁波北站', "'-3")
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot start a formula; numeric columns untouched."""
    text_columns = [
        column
        for column in frame.columns
        if not pd.api.types.is_numeric_dtype(frame[column])
        and not pd.api.types.is_datetime64_any_dtype(frame[column])
    ]
    if not text_columns:
        return frame
    out = frame.copy()
    for column in text_columns:
        values = out[column].astype(object)
        try:
            # NA for a cell that is not text: a number in an object column stays a number
            starts = values.str.startswith(FORMULA_STARTS)
        except AttributeError:  # no text at all in the column
            continue
        risky = starts.fillna(False).to_numpy(dtype=bool)
        if risky.any():
            out[column] = values.where(~risky, "'" + values[risky].astype(str))
    return out
