"""Energy-conservation diagnosis: equipment calculators, measures, their economics and the
marginal abatement cost curve."""
