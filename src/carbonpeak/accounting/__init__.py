"""Floor 2: energy (GB/T 2589) and GHG accounting by source stream, with provenance."""
