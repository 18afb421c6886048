"""The terms of the plan document (`reports.market_plan`), as msgids: Annex B's emission types,
parameter names, acquisition modes, frequencies, facility states, the revision cases of 9.3,
what Annex B asks that the stored plan does not hold, and the section titles and sheet names
(steel guideline CETS—AG—03.01—V01—2024, Annex B)."""

from __future__ import annotations

from carbonpeak.errors import N_

# Annex B's emission types (排放类型) of the plan's rows
EMISSION_TYPES = {
    "fuel": N_("Fossil fuel combustion"),
    "carbonate": N_("Process emissions"),
    "electrode": N_("Process emissions"),
    "raw_material": N_("Process emissions"),
    "product": N_("Carbon embedded in products"),
    "enterprise": N_("Enterprise level"),
}
PARAMETERS = {
    "net_consumption": N_("Net consumption"),
    "ncv": N_("Net calorific value, as received"),
    "carbon_content": N_("Carbon content per unit of heat"),
    "quantity": N_("Quantity consumed or produced"),
    "emission_factor": N_("CO2 emission factor"),
    "emissions": N_("CO2 emissions"),
    "crude_steel_output": N_("Crude steel output"),
    "intensity": N_("CO2 per tonne of crude steel"),
}
# the quantity of a process material or product, as Annex B names it
QUANTITIES = {
    "carbonate": N_("Consumption of the carbonate"),
    "electrode": N_("Consumption of electrodes"),
    "raw_material": N_("Consumption of the carbon-bearing raw material"),
    "product": N_("Output of the carbon-bearing product"),
}
ACQUISITIONS = {
    "measured": N_("measured value"),
    "calculated": N_("calculated value"),
    "design": N_("design value"),
    "default": N_("default value"),
}
FREQUENCIES = {
    "continuous": N_("continuous"),
    "every_batch": N_("every batch"),
    "daily": N_("daily"),
    "weekly": N_("weekly"),
    "monthly": N_("monthly"),
    "quarterly": N_("quarterly"),
    "yearly": N_("yearly"),
}
STATUSES = {"in_use": N_("in use"), "stopped": N_("stopped")}
# the cases of revision of the guideline's 9.3 a)-f)
TRIGGERS = {
    "facility_change": N_("emission facilities changed, or a fuel or material added"),
    "better_method": N_("new measuring instruments or methods"),
    "data_incorrect": N_("earlier data found incorrect"),
    "accuracy": N_("better accuracy of the data"),
    "non_compliant": N_("the plan did not meet the requirements"),
    "mee_other": N_("another case set by the Ministry of Ecology and Environment"),
}
# What Annex B asks that the stored plan does not hold, by section.
NOT_HELD = {
    "B.2": (
        N_("Industry subclass at the enterprise level"),
        N_("Statistical code of the main products at the enterprise level"),
        N_("Organisation chart"),
        N_("Site plan"),
        N_("Process flow chart"),
    ),
    "B.3": (
        N_("Description of the accounting boundary (enterprise level and process level)"),
        N_("Name of the unit holding the facility's pollutant discharge permit"),
    ),
    "B.5": (
        N_(
            "How the data of each process are determined (B.5.1 to B.5.8): the plan holds no "
            "process-level rows"
        ),
    ),
    "B.6": (
        N_("Internal management rules and quality assurance system"),
        N_("Whether each meter is verified or calibrated, and what its readings are used for"),
        N_("Internal audit of the emissions report"),
        N_("Internal ledger management rules"),
        N_("Flue-gas CO2 continuous emission monitoring"),
    ),
}
TITLES = {
    "B.1": N_("B.1 Versions and revisions of the plan"),
    "B.2": N_("B.2 The enterprise"),
    "B.3": N_("B.3 Accounting boundary and main emission facilities"),
    "B.4": N_("B.4 How the enterprise-level data are determined"),
    "B.5": N_("B.5 How the process data are determined"),
    "B.6": N_("B.6 Internal quality control and quality assurance"),
}
SHEETS = {
    "B.1": N_("Versions"),
    "B.2": N_("Enterprise"),
    "B.3": N_("Facilities"),
    "B.4": N_("Parameters"),
    "B.5": N_("Process data"),
    "B.6": N_("Meter ledger"),
}
