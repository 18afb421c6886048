"""Floor 3: reports people hand on, as PDF (WeasyPrint, Noto CJK fonts) and XLSX (openpyxl),
with their charts and the provenance appendix: an enterprise's carbon and energy account, and
a regional summary. Functions take what the services return and give bytes."""
