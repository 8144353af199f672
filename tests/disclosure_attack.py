"""The attacker of the disclosure tests: a linear-programming solver given every count
shown, the definition of every count (which units it holds) and that no group is negative."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence

import numpy as np
from scipy.optimize import linprog

from services.common.disclosure import _venn


def attack(counts: Sequence[Collection[Hashable]], sizes: Mapping[Hashable, int],
           hidden: Sequence[bool], k: int) -> list[str]:
    """What the attacker pins down exactly: each hidden count of 1 to k-1, each Venn cell
    of 1 to k-1 units, and each difference of 1 to k-1 between a count and one within it,
    whose smallest and largest possible values agree. Returns one
    line each. (A count hidden only to protect others is 0 or at least k: working it out
    tells nothing the shown counts do not.)"""
    matrix, weights = _venn(counts, sizes)
    shown = [i for i, h in enumerate(hidden) if not h]
    a_eq = matrix[shown] if shown else None
    b_eq = matrix[shown] @ weights if shown else None
    values = matrix @ weights
    targets = [(f"count {i}", matrix[i]) for i, h in enumerate(hidden) if h and 1 <= values[i] < k]
    for j, w in enumerate(weights):
        if 1 <= w < k:
            cell = np.zeros(len(weights))
            cell[j] = 1.0
            targets.append((f"cell {j} ({int(w)})", cell))
    # the people in one count and not in another that holds them all: a group too
    for i in range(len(counts)):
        for j in range(len(counts)):
            inside = i != j and np.all(matrix[i] <= matrix[j])
            if inside and 1 <= values[j] - values[i] < k:
                targets.append((f"count {j} less count {i}", matrix[j] - matrix[i]))
    pinned = []
    for name, c in targets:
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert lo.status == 0 and hi.status in (0, 3)  # 3: unbounded above
        if hi.status == 0 and abs(-hi.fun - lo.fun) < 1e-6:
            pinned.append(f"{name} = {lo.fun:.0f}")
    return pinned
