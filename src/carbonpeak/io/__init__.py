"""Files in and out: reading people's tables (CSV, Excel) with every error placed, writing
templates and results without ever leaving a half-written file."""
