"""Policy engines: capacity swaps, two-high screening, energy-use control, green data centres,
green factories and the dual-credit system of passenger-car makers."""
