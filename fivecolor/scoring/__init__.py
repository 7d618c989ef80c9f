"""Scoring: normalise, weight, aggregate and band a month's data."""
