"""Data in: files, the database, validation, the month's dataset, projects, geography and the sample."""
