"""Analysis of a scored month: movers and weak indicators, actions, sensitivity."""
