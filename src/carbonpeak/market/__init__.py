"""The national carbon market (全国碳排放权交易市场) for steel, cement and aluminium: accounts by
the market's guidelines, data-quality control plans and monthly evidence, allocation of
allowances and the compliance ledger, and the reconciliation with the MIIT accounts.

Floor 2, pure: data and a reference in, results with provenance out. Sources and design:
docs/notes/ets_sources_2026.md, docs/notes/design21.md.
"""
