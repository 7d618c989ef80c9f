"""What the pages show: charts, tables, maps and the text catalogue, per page."""
