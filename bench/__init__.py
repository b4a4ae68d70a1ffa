"""Measurements of dxkg (not tests): the synthetic-graph generator, the three-server runner."""
