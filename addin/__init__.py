"""The Excel side and the entry points of kpi-scorecard: thin adapters over kpi_core."""
