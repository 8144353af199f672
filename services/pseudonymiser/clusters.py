"""Clustering of scored record pairs into persons, with reviewers' decisions as constraints.

Pairs are joined strongest first (union-find). A clerical "match" decision is a pair
joined before any scored one; a "non-match" decision is a constraint: two groups are
never joined when that would put such a pair in one person, so one weak bridging pair
cannot undo a reviewer's decision (constrained greedy agglomeration).

`reconcile` maps new groups onto the persons already held so pseudonyms stay stable:
each held person stays with the group holding most of its records (ties: the group
holding its earliest record), the oldest person in a group survives, and a group
with no held person gets a new one.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

Pair = tuple[str, str]


def pair_key(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


_NONE: frozenset = frozenset()


class Groups:
    """Union-find over record tokens with per-group member sets and cannot-link sets.
    A group's cannot-link and dataset-key sets exist only when not empty (a million
    tokens would otherwise hold two million empty sets)."""

    def __init__(self, forbidden: Iterable[Pair] = (),
                 exclusive: dict[str, str] | None = None):
        self.parent: dict[str, str] = {}
        self.members: dict[str, set[str]] = {}
        self.cannot: dict[str, set[str]] = {}
        # token -> key (a dataset with one record per person): two tokens with one key
        # never share a group
        self.exclusive = exclusive or {}
        self.keys: dict[str, set[str]] = {}
        for a, b in forbidden:
            self.add(a)
            self.add(b)
            self.cannot.setdefault(a, set()).add(b)
            self.cannot.setdefault(b, set()).add(a)

    def add(self, token: str) -> None:
        if token not in self.parent:
            self.parent[token] = token
            self.members[token] = {token}
            key = self.exclusive.get(token)
            if key:
                self.keys[token] = {key}

    def find(self, token: str) -> str:
        self.add(token)
        root = token
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[token] != root:
            self.parent[token], token = root, self.parent[token]
        return root

    def union(self, a: str, b: str, force: bool = False) -> bool:
        """Join the groups of a and b unless a non-match decision forbids it, or both
        hold a record of one dataset that has one record per person (`force`: join
        anyway, for persons already held)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        if not force and (self.cannot.get(ra, _NONE) & self.members[rb]
                          or self.keys.get(ra, _NONE) & self.keys.get(rb, _NONE)):
            return False
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        for sets in (self.cannot, self.keys):
            if rb in sets:
                sets.setdefault(ra, set()).update(sets.pop(rb))
        return True

    def groups(self) -> list[set[str]]:
        return [self.members[r] for r in self.members]


def cluster(tokens: Iterable[str], links: Iterable[tuple[str, str, float]], *,
            forced: Iterable[Pair] = (), forbidden: Iterable[Pair] = (),
            seeds: Iterable[Iterable[str]] = (),
            exclusive: dict[str, str] | None = None) -> Groups:
    """Group tokens by linked pairs (strongest first). `seeds` are groups that start
    joined (held persons in incremental linkage); `forced` are reviewers' matches;
    `exclusive` maps tokens of one-record-per-person datasets to their dataset."""
    g = Groups(forbidden, exclusive)
    for t in tokens:
        g.add(t)
    for seed in seeds:
        seed = list(seed)
        for t in seed[1:]:
            g.union(seed[0], t, force=True)
    for a, b in forced:
        g.union(a, b)
    for a, b, _ in sorted(links, key=lambda x: -x[2]):
        g.union(a, b)
    return g


@dataclass
class Plan:
    """What a re-clustering does to held persons."""

    owner: dict[str, Hashable | None] = field(default_factory=dict)  # token -> person / None
    new_groups: list[set[str]] = field(default_factory=list)  # groups needing a new person
    merges: dict[Hashable, list[Hashable]] = field(default_factory=dict)  # survivor -> retired
    splits: dict[Hashable, list[int]] = field(default_factory=dict)  # person -> new group idx


def reconcile(groups: list[set[str]], current: dict[str, Hashable], order: dict[str, int],
              age: dict[Hashable, int]) -> Plan:
    """Map groups of tokens onto held persons.

    `current`: token -> the person it is held under (absent for new tokens); `order`:
    token -> when it was received; `age`: person -> creation order (lower is older).
    """
    count: dict[Hashable, dict[int, int]] = {}
    first: dict[Hashable, dict[int, int]] = {}
    for i, group in enumerate(groups):
        for t in group:
            p = current.get(t)
            if p is None:
                continue
            count.setdefault(p, {}).setdefault(i, 0)
            count[p][i] += 1
            seen = first.setdefault(p, {})
            seen[i] = min(seen.get(i, order.get(t, 0)), order.get(t, 0))
    home: dict[Hashable, int] = {}
    for p, per_group in count.items():
        home[p] = max(per_group, key=lambda i: (per_group[i], -first[p][i], -i))
    keepers: dict[int, list[Hashable]] = {}
    for p, i in home.items():
        keepers.setdefault(i, []).append(p)
    plan = Plan()
    for i, group in enumerate(groups):
        persons = sorted(keepers.get(i, []), key=lambda p: age.get(p, 0))
        if persons:
            survivor = persons[0]
            if persons[1:]:
                plan.merges[survivor] = persons[1:]
            for t in group:
                plan.owner[t] = survivor
        else:
            plan.new_groups.append(group)
            for t in group:
                plan.owner[t] = None
            # a group cut out of held persons is a split of each of them
            for p in {current[t] for t in group if t in current}:
                plan.splits.setdefault(p, []).append(len(plan.new_groups) - 1)
    return plan
