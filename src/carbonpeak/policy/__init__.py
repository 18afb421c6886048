"""Policy engines: capacity swaps, project carbon assessment (with the two-high screen),
energy-use control, green data centres, green factories and the dual-credit system of
passenger-car makers.

`INSTRUMENTS` (policy/instruments.py) lists the instruments judged by a `Verdict`
(policy/verdict.py): services and surfaces dispatch through it.
"""

from carbonpeak.policy.instruments import APPLICATION_KINDS, INSTRUMENTS, Instrument

__all__ = ["APPLICATION_KINDS", "INSTRUMENTS", "Instrument"]
