"""The sheets of a plant's process map (工序图), by code and Chinese name: one table for the
product model, which places its problems by sheet (`product.plant`), and for the workbook that
io writes and reads (`io.sheet_names` titles them `工序 (units)`). A module of its own so that
the sheet names cost no imports."""

from __future__ import annotations

MAP_SHEETS = {"units": "工序", "assignments": "分摊", "links": "工序间", "flows": "外购"}
"""sheet code -> Chinese name."""
