"""The supply chain's linear system, shared by CBAM's SEE and the product footprint: node i
consumes A[i][j] tonnes of node j per tonne it makes, carries `own[:, i]` of its own per
tonne (one row per quantity followed), and the chain's quantities per tonne are
X = (I - A)^-1 own, as the CBAM template's `InputOutput` sheet computes them (`MINVERSE`,
`MMULT`)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.product.map_sheets import MAP_SHEETS

Matrix = npt.NDArray[np.float64]


class ChainError(InputError):
    """A supply chain that cannot be solved: a precursor nobody makes or buys, a process that
    produces nothing, or a loop that consumes as much as it makes; an input error placed on
    the process map's sheet where it is written (`sheet`: a `MAP_SHEETS` code), so that a
    surface refuses it (exit 2, HTTP 422) like any other."""

    def __init__(self, sheet: str, template: str, *values: object) -> None:
        super().__init__(Problem.of(Place(sheet=MAP_SHEETS[sheet]), template, *values))


def solve(share: Matrix, own: Matrix) -> Matrix:
    """X with X[:, i] = own[:, i] + sum_j A[i][j] X[:, j] (each row of `own` a quantity)."""
    size = share.shape[0]
    if size == 0:
        return own.copy()
    # a loop of nodes that consumes as much of its goods as it makes (the spectral radius of
    # A at 1 or more) has no meaningful solution: (I - A) is singular or its inverse turns
    # negative
    if np.max(np.abs(np.linalg.eigvals(share))) >= 1 - 1e-12:
        raise ChainError(
            "links", N_("the units consume as much of each other's products as they make (a loop)")
        )
    result: Matrix = np.asarray(np.linalg.solve(np.eye(size) - share, own.T).T, dtype=np.float64)
    return result
