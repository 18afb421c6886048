"""Product carbon (产品碳足迹): cradle-to-gate footprints of steel, aluminium and cement by GB/T
24067 and the product rules, the embedded emissions of goods by the EU CBAM method with the
installation's communication to importers, and footprint exchange with customers and
suppliers in the PACT data model.

Floor 2, pure: data and a reference in, results with provenance out. Sources and design:
docs/notes/research22.md.
"""
