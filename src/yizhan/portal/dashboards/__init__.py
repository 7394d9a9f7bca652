"""The city dashboards (驾驶舱): rollups, figures, hexagons, station planning, the monthly
report. See docs/DASHBOARDS.md."""
