"""From notebooks to a published site: plan, run, render, publish, rerun."""
