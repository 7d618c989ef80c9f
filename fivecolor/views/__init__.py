"""What the pages show, one module per page: ``maps``, ``overview``, ``one_station``, ``robustness``,
``action_tables`` and ``widget``. They share ``theme`` (the chart look and grade colours),
``common`` (names, the month's frame of stations) and ``large_month`` (what a large month leaves
out); ``text`` reads the catalogue (``text.yaml``), ``embed`` draws charts offline and
``notebook`` is what the report notebooks call."""
