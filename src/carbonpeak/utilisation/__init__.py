"""Comprehensive utilisation of industrial resources (工业资源综合利用, issue 23): the industrial
solid wastes an enterprise generates, utilises (by route), stores and disposes of, by kind and
year; their utilisation rates by enterprise, industry and region against the targets in force,
the stock in storage and its change, and the CO2 avoided where a cited factor exists.

Floor 2, pure: a report table and the reference in, typed results with provenance out.

- `report.py`: the report table (one amount per enterprise, year, kind, flow and route), its
  flows (the national statistics' 产生量, 综合利用量 of which from earlier years' stock, 贮存量,
  处置量, 倾倒丢弃量) and its checks, every problem placed;
- `rates.py`: totals by enterprise and kind (stock and its change), rates of any grouping as
  the ratio of the sums (never the mean of ratios), compared with the target in force;
- `avoided.py`: the CO2 avoided by route and kind where the library has a factor.

The rate is the statistics' definition: 综合利用率 = 综合利用量 / (产生量 + 综合利用往年贮存量)
(sources row `nbs_swu_rate_definition`, read secondhand only). Kinds, routes, targets and
factors are reference tables: `solid_waste_kinds`, `solid_waste_routes`, `solid_waste_targets`,
`solid_waste_avoided_factors`.
"""
