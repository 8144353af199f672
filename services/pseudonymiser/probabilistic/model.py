"""Train, store, reload and apply the Fellegi-Sunter model (Splink 5, in-process DuckDB).

A `LinkageModel` is the trained Splink settings plus the band thresholds, serialised as
JSON with a version that is the SHA-256 of its content, so the same data, configuration
and seed give the same version. It knows nothing about the database: callers hand it
pandas frames built by `frame.to_frame` or `frame.frame_from_records`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from services.pseudonymiser.probabilistic import comparisons as cmp
from services.pseudonymiser.probabilistic import engine
from services.pseudonymiser.probabilistic.bands import LINK, REVIEW, Thresholds, assign_bands

FORMAT = "tessera-linkage/1"
LINKER_UID = "tessera"
_TF_COLUMNS = ("given_name", "family_name", "address_line_2", "locality")
# per-comparison weights the family guard reads; dropped from what _finish returns
_GUARD_WEIGHTS = ("mw_given_name", "mw_dob", "mw_sex")
_OUT = ["unique_id_l", "unique_id_r", "match_weight", "match_probability", *_GUARD_WEIGHTS]
# Comparison levels (comparisons.py labels) the family guard reads. Given names that are
# other names, not variants of one (a nickname, one edit, close spelling, swapped
# fields and an initial are variants):
_OTHER_NAME = ("phonetic", "jaro-winkler >= 0.8", "All other comparisons")
_NOT_SAME_NAME = ("nickname or first name", "one edit", "jaro-winkler >= 0.92",
                  "swapped with family name", "initial") + _OTHER_NAME
_OTHER_DOB = ("same year", "two digits off", "All other comparisons")
_OTHER_SEX = ("All other comparisons",)


@dataclass(frozen=True)
class TrainingConfig:
    seed: int = 42
    prior: float | None = None  # None: estimated from deterministic rules
    prior_recall: float = 0.5
    u_max_pairs: float = 5e6
    em_rules: tuple[str, ...] = ()  # SQL rules; empty: comparisons.training_blocking()
    max_iterations: int = 25
    em_convergence: float = 1e-4
    # A level the training data never shows among matches (say, a date of birth one
    # digit off) still happens in real data: its m is at least this, so it weighs
    # against a link but cannot veto one that everything else supports.
    m_floor: float = 1e-5


@dataclass
class LinkageModel:
    splink: dict[str, Any]
    features: list[str]
    thresholds: Thresholds = field(default_factory=Thresholds)
    training: dict[str, Any] = field(default_factory=dict)

    # --- serialisation -------------------------------------------------------------

    def content(self) -> dict[str, Any]:
        return {"format": FORMAT, "features": self.features,
                "thresholds": asdict(self.thresholds), "training": self.training,
                "splink": self.splink}

    @property
    def version(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def to_json(self) -> str:
        return json.dumps({**self.content(), "version": self.version}, sort_keys=True,
                          indent=1)

    @classmethod
    def from_json(cls, text: str) -> LinkageModel:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError("not a linkage model of a known format")
        model = cls(splink=data["splink"], features=list(data["features"]),
                    thresholds=Thresholds(**data["thresholds"]),
                    training=dict(data.get("training", {})))
        if data.get("version") not in (None, model.version):
            raise ValueError("linkage model content does not match its version")
        return model

    @property
    def twin_guard_applies(self) -> bool:
        """The family guard (twins, brothers and sisters) is on when the training data
        records sex (all Tessera partner data does). Without sex a twin and a record
        whose given name was replaced by another name (FEBRL's corruption) look the same,
        and the guard would hold back every such true pair; so data without sex is linked
        on the weights alone."""
        return "sex" in self.features

    def with_thresholds(self, thresholds: Thresholds) -> LinkageModel:
        return LinkageModel(self.splink, self.features, thresholds, self.training)

    # --- prediction ----------------------------------------------------------------

    def predict(self, frame: pd.DataFrame, min_probability: float | None = None) -> pd.DataFrame:
        """Scored candidate pairs within one frame (de-duplication), with a band each."""
        from splink import DuckDBAPI, Linker

        db_api = DuckDBAPI(engine.connect())
        linker = Linker(db_api.register(frame), self.splink, log_level=None)
        floor = self.thresholds.review if min_probability is None else min_probability
        out = linker.inference.predict(threshold_match_probability=floor,
                                       warning_mode="never")
        return self._finish(out.as_pandas_dataframe())

    def predict_between(self, new: pd.DataFrame, existing: pd.DataFrame,
                        min_probability: float | None = None) -> pd.DataFrame:
        """Pairs of a new record and an existing one (never two of either); term
        frequencies come from both frames together."""
        from splink import DuckDBAPI, Linker

        db_api = DuckDBAPI(engine.connect())
        both = pd.concat([existing, new], ignore_index=True)
        linker = Linker(db_api.register(both), self.splink, log_level=None)
        for col in _TF_COLUMNS:
            if _uses_tf(self.splink, col):
                linker.table_management.compute_tf_table(col)
        floor = self.thresholds.review if min_probability is None else min_probability
        out = linker.inference.predict_between(
            db_api.register(new), db_api.register(existing),
            threshold_match_probability=floor, warning_mode="never")
        return self._finish(out.as_pandas_dataframe())

    def evidence(self, frame: pd.DataFrame, pairs: list[tuple[str, str]]
                 ) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """For each pair of records in `frame` (by unique_id): each comparison's level
        and that level's match weight, log2(m/u) (0 where a value is missing). The
        weights are the model's, before term-frequency adjustments, which depend on the
        held data: they say which fields agreed and how much each counts."""
        levels = {c["output_column_name"]: _gamma_levels(c) for c in self.splink["comparisons"]}
        return {key: [{"comparison": name, "level": levels[name][int(row[f"gamma_{name}"])][0],
                       "match_weight": levels[name][int(row[f"gamma_{name}"])][1]}
                      for name in levels if f"gamma_{name}" in row]
                for key, row in self._score_pairs(frame, pairs).items()}

    def probabilities(self, frame: pd.DataFrame, pairs: list[tuple[str, str]]
                      ) -> dict[tuple[str, str], float]:
        """Each pair's match probability, before term-frequency adjustments (so two
        models are compared on the same footing, whatever data each index holds). Scored
        a few dozen at a time: Splink scores every left record against every right one."""
        out: dict[tuple[str, str], float] = {}
        for start in range(0, len(pairs), 48):
            out.update({key: float(row["match_probability"]) for key, row in
                        self._score_pairs(frame, pairs[start:start + 48]).items()})
        return out

    def _score_pairs(self, frame: pd.DataFrame, pairs: list[tuple[str, str]]
                     ) -> dict[tuple[str, str], dict[str, Any]]:
        """Splink's `score_pairs` of the given pairs of records in `frame`, by pair."""
        from splink import DuckDBAPI, Linker

        if not pairs:
            return {}
        wanted = set(pairs)
        db_api = DuckDBAPI(engine.connect())
        linker = Linker(db_api.register(frame), self.splink, log_level=None)
        by_id = {r["unique_id"]: r for r in frame.to_dict("records")}
        lefts = sorted({a for a, _ in pairs})
        rights = sorted({b for _, b in pairs})
        scored = linker.inference.score_pairs([by_id[a] for a in lefts],
                                              [by_id[b] for b in rights]).as_pandas_dataframe()
        out = {}
        for row in scored.to_dict("records"):
            key = (row["unique_id_l"], row["unique_id_r"])
            if key in wanted:
                out[key] = row
        return out

    def _finish(self, scored: pd.DataFrame) -> pd.DataFrame:
        scored = scored[[c for c in _OUT if c in scored.columns]].copy()
        scored["band"] = assign_bands(scored["match_probability"], self.thresholds)
        family = self._family(scored) & self.twin_guard_applies
        scored.loc[family & (scored["band"] == LINK), "band"] = REVIEW
        scored["twin_guard"] = family
        scored = scored.drop(columns=[c for c in _GUARD_WEIGHTS if c in scored.columns])
        return scored.sort_values(["unique_id_l", "unique_id_r"], ignore_index=True)

    def _family(self, scored: pd.DataFrame) -> pd.Series:
        """Family guard (column `twin_guard`): pairs that look like two members of one
        family are never linked automatically, at most reviewed. Family members share
        the rest (a rare family name, the address, the postcode), and at a million
        records held its weight outvotes the differences: the model trained on 1M
        synthetic records linked brothers, sisters, spouses and twins at 0.9-0.9999.
        Held back: another given name (not a variant of the same one), or a given name
        that is not the same with another date of birth (not a typo of it) or the other
        sex. Only when the data records sex (see `twin_guard_applies`)."""
        def at(column: str, labels: tuple[str, ...]) -> pd.Series:
            values = scored[f"mw_{column}"].astype(float)
            hit = pd.Series(False, index=scored.index)
            for weight in _level_weights(self.splink, column, labels):
                hit |= (values - weight).abs() < 1e-9
            return hit

        if "mw_sex" not in scored.columns:
            return pd.Series(False, index=scored.index)
        return (at("given_name", _OTHER_NAME)
                | (at("given_name", _NOT_SAME_NAME)
                   & (at("dob", _OTHER_DOB) | at("sex", _OTHER_SEX))))


def _gamma_levels(comparison: dict[str, Any]) -> dict[int, tuple[str, float]]:
    """A comparison's levels by the value Splink gives them (gamma: -1 for the null
    level, then counting down to 0 for the last), with each level's match weight."""
    out: dict[int, tuple[str, float]] = {}
    rest = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
    for lvl in comparison["comparison_levels"]:
        if lvl.get("is_null_level"):
            out[-1] = (lvl.get("label_for_charts") or "missing", 0.0)
    for i, lvl in enumerate(rest):
        m, u = lvl.get("m_probability"), lvl.get("u_probability")
        weight = round(math.log2(m / u), 3) if m and u else 0.0
        out[len(rest) - 1 - i] = (lvl.get("label_for_charts") or "", weight)
    return out


def _level_weights(settings: dict[str, Any], name: str, labels: tuple[str, ...]) -> list[float]:
    """The match weights of a comparison's levels with these labels."""
    comp = next(c for c in settings["comparisons"] if c["output_column_name"] == name)
    return [math.log2(lvl["m_probability"] / lvl["u_probability"])
            for lvl in comp["comparison_levels"]
            if lvl.get("label_for_charts") in labels and not lvl.get("is_null_level")
            and lvl.get("m_probability") and lvl.get("u_probability")]


def _uses_tf(settings: dict[str, Any], col: str) -> bool:
    return any(lvl.get("tf_adjustment_column") == col
               for c in settings.get("comparisons", []) for lvl in c["comparison_levels"])


def _floor_m(settings: dict[str, Any], floor: float) -> dict[str, Any]:
    """Raise every agreeing level's m to `floor`, taking the mass from the last level."""
    for comp in settings.get("comparisons", []):
        levels = [lvl for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
        if len(levels) < 2 or any("m_probability" not in lvl for lvl in levels):
            continue
        if any(lvl.get("fix_m_probability") for lvl in levels):
            continue
        for lvl in levels[:-1]:
            lvl["m_probability"] = max(lvl["m_probability"], floor)
        rest = 1.0 - sum(lvl["m_probability"] for lvl in levels[:-1])
        levels[-1]["m_probability"] = max(rest, floor)
        total = sum(lvl["m_probability"] for lvl in levels)
        for lvl in levels:
            lvl["m_probability"] /= total
    return settings


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.8g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def present_features(frame: pd.DataFrame) -> list[str]:
    from services.pseudonymiser.probabilistic.frame import OPTIONAL

    return [f for f in OPTIONAL if frame[f].notna().any()]


def train(frame: pd.DataFrame, config: TrainingConfig | None = None,
          thresholds: Thresholds | None = None, threads: int | None = None) -> LinkageModel:
    """Prior (given or estimated), u by seeded random sampling, m by EM per rule; the
    model depends on the records (their ids included) and the seed, not on their order.
    `threads`: DuckDB's (None: one per core)."""
    from splink import DuckDBAPI, Linker, SettingsCreator

    config = config or TrainingConfig()
    features = present_features(frame)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=cmp.comparisons(features),
        blocking_rules_to_generate_predictions=cmp.prediction_blocking(features),
        probability_two_random_records_match=config.prior or 1e-4,
        max_iterations=config.max_iterations,
        em_convergence=config.em_convergence,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
        linker_uid=LINKER_UID,
    )
    con = engine.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    db_api = DuckDBAPI(con)
    linker = Linker(db_api.register(frame), settings, log_level=logging.WARNING)
    training = linker.training
    if config.prior is None:
        training.estimate_probability_two_random_records_match(
            cmp.deterministic_rules(features), recall=config.prior_recall)
    training.estimate_u_using_random_sampling(max_pairs=config.u_max_pairs, seed=config.seed,
                                              min_count_per_level=None)
    for rule in config.em_rules or cmp.training_blocking():
        training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True)
    # parallel sums in DuckDB differ in the last bits from run to run: round them away
    trained = _rounded(_floor_m(linker.misc.save_model_to_json(), config.m_floor))
    trained["linker_uid"] = LINKER_UID
    info = {"seed": config.seed, "records": int(len(frame)), "u_max_pairs": config.u_max_pairs,
            "prior": trained.get("probability_two_random_records_match")}
    return LinkageModel(splink=trained, features=features,
                        thresholds=thresholds or Thresholds(), training=info)
