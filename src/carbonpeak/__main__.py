"""`python -m carbonpeak` runs the CLI."""

from carbonpeak.cli import run

run()
