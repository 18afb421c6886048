"""The parallel administration of passenger-car makers' corporate average fuel consumption
(CAFC) and new-energy-vehicle (NEV) credits."""
