"""The probabilistic linkage model on a small synthetic borough (no bus, no database)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from services.pseudonymiser.probabilistic import (
    LINK,
    NO_LINK,
    REVIEW,
    LinkageModel,
    Thresholds,
    TrainingConfig,
    cluster_links,
    to_frame,
    train,
)
from synthetic import generate_borough

CONFIG = TrainingConfig(seed=7, u_max_pairs=2e5)
BASE = {"given_name": "Robert", "family_name": "Whitworth", "date_of_birth": "1984-03-07",
        "sex": "M", "address": "12 Acacia Avenue, Oldham", "postcode": "OL1 1AB"}


def _rows(borough) -> list[dict]:
    return [{**r, "record_id": f"{ds.dataset}|{r['local_id']}"}
            for ds in borough.datasets if ds.level == "person" for r in ds.identities]


@pytest.fixture(scope="module")
def borough():
    return generate_borough(5, 150, date(2025, 3, 31))


@pytest.fixture(scope="module")
def frame(borough) -> pd.DataFrame:
    return to_frame(_rows(borough))


@pytest.fixture(scope="module")
def model(frame) -> LinkageModel:
    return train(frame, CONFIG)


def test_training_is_reproducible_with_a_seed(frame, model):
    again = train(frame, CONFIG)
    assert again.to_json() == model.to_json()
    assert again.version == model.version
    assert json.loads(model.to_json())["version"] == model.version


def test_training_does_not_depend_on_the_order_records_arrived_in(frame, model):
    shuffled = frame.sample(frac=1, random_state=1).reset_index(drop=True)
    assert train(shuffled, CONFIG).version == model.version


def test_reloaded_model_gives_the_same_scores(frame, model):
    reloaded = LinkageModel.from_json(model.to_json())
    assert reloaded.version == model.version
    pd.testing.assert_frame_equal(model.predict(frame), reloaded.predict(frame))


def test_tampered_model_is_refused(model):
    data = json.loads(model.to_json())
    data["thresholds"]["link"] = 0.1
    with pytest.raises(ValueError):
        LinkageModel.from_json(json.dumps(data))


def test_bands_follow_the_thresholds(frame, model):
    t = Thresholds(link=0.9, review=0.5)
    assert [t.band(p) for p in (0.95, 0.9, 0.7, 0.5, 0.49)] == [LINK, LINK, REVIEW, REVIEW,
                                                                 NO_LINK]
    with pytest.raises(ValueError):
        Thresholds(link=0.4, review=0.6)
    scored = model.predict(frame, min_probability=0.0)
    plain = scored[~scored["twin_guard"]]
    assert (plain["band"] == plain["match_probability"].map(t.band)).all()
    strict = model.with_thresholds(Thresholds(link=0.999999, review=0.2))
    assert strict.version != model.version
    banded = strict.predict(frame, min_probability=0.0)
    assert (banded.loc[banded["match_probability"] < 0.999999, "band"] != LINK).all()


def test_the_borough_links_its_people_and_not_its_twins(borough, frame, model):
    scored = model.predict(frame)
    truth = {(a, b) if a <= b else (b, a)
             for a, b in (("|".join(x[1:]), "|".join(y[1:]))
                          for x, y in borough.truth.match_pairs())}
    linked = {(a, b) if a <= b else (b, a) for a, b in
              zip(scored.loc[scored["band"] == LINK, "unique_id_l"],
                  scored.loc[scored["band"] == LINK, "unique_id_r"], strict=True)}
    assert len(linked & truth) >= 0.97 * len(truth)
    assert len(linked - truth) <= 0.03 * len(linked)
    person = {f"{k[1]}|{k[2]}": r.person_id for k, r in borough.truth.records.items()}
    clusters = cluster_links(frame["unique_id"], scored, model.thresholds.link)
    for a, b in borough.truth.twins:
        ca = {clusters[r] for r, p in person.items() if p == a and r in clusters}
        cb = {clusters[r] for r, p in person.items() if p == b and r in clusters}
        assert not ca & cb


@pytest.mark.parametrize(("variant", "expected"), [
    ({"given_name": "Bob"}, LINK),                                  # nickname
    ({"date_of_birth": "1984-07-03"}, LINK),                        # day and month swapped
    ({"family_name": "Whitwrth"}, LINK),                            # typo
    ({"given_name": "Whitworth", "family_name": "Robert"}, LINK),   # names swapped
    ({"given_name": "Harriet", "sex": "F"}, NO_LINK),               # a twin sister
    ({"given_name": "Oliver"}, NO_LINK),                            # a twin brother
])
def test_new_records_against_existing(frame, model, variant, expected):
    existing = pd.concat([frame, to_frame([{**BASE, "record_id": "held"}])], ignore_index=True)
    new = to_frame([{**BASE, **variant, "record_id": "new"}])
    scored = model.predict_between(new, existing, min_probability=0.0)
    held = scored[(scored["unique_id_l"] == "new") & (scored["unique_id_r"] == "held")]
    band = held["band"].iloc[0] if len(held) else NO_LINK
    if expected == NO_LINK:
        assert band != LINK
    else:
        assert band == LINK
    assert not (scored.loc[scored["unique_id_r"] != "held", "band"] == LINK).any()


def test_twin_guard_is_on_only_when_the_data_records_sex(frame, model):
    assert model.twin_guard_applies
    scored = model.predict(frame, min_probability=0.0)
    assert scored["twin_guard"].any()
    unsexed = LinkageModel(model.splink,
                           [f for f in model.features if f != "sex"], model.thresholds)
    assert not unsexed.twin_guard_applies
    assert not unsexed.predict(frame, min_probability=0.0)["twin_guard"].any()


def test_stored_records_give_the_model_their_locality():
    from types import SimpleNamespace

    from services.pseudonymiser.probabilistic import frame_from_records
    rec = SimpleNamespace(record_token="r_1", given_name="Ada", norm_family="KING",
                          date_of_birth=date(1985, 12, 10), address="12 Mill Lane",
                          norm_postcode="OL11AA", locality="Shaw and  Crompton")
    got = frame_from_records([rec]).iloc[0]
    assert got["locality"] == "SHAW AND CROMPTON" and got["family_name"] == "KING"


def test_family_guard_holds_back_brothers_sisters_spouses_and_twins(model):
    """Pairs that look like two members of one family are at most reviewed, however much
    a rare family name and a shared address weigh (a model trained on a million synthetic
    records scored such pairs at 0.9-0.9999): another given name with any date of birth,
    or a given name that is not the same with another date of birth or the other sex.
    Variants of one person's details still link."""
    import copy

    from services.pseudonymiser.probabilistic.model import _level_weights

    # the bundled model never saw some levels in training (no m): give them one, with a
    # weight of its own, as a model trained on more data has
    splink = copy.deepcopy(model.splink)
    for comparison in splink["comparisons"]:
        for k, level in enumerate(comparison["comparison_levels"]):
            level.setdefault("m_probability", 0.001 * (k + 1))
            level.setdefault("u_probability", 0.01)
    model = LinkageModel(splink, model.features, model.thresholds)

    def w(name, label):
        return _level_weights(model.splink, name, (label,))[0]
    other, exact = "All other comparisons", "Exact match on"
    given = {k: w("given_name", v) for k, v in [
        ("same", f"{exact} given_name"), ("other", other), ("sounds alike", "phonetic"),
        ("nickname", "nickname or first name"), ("close", "jaro-winkler >= 0.92"),
        ("one edit", "one edit"), ("initial", "initial")]}
    dob = {k: w("dob", v) for k, v in [("same", f"{exact} dob"), ("other", other),
                                       ("same year", "same year"),
                                       ("one digit", "one digit off")]}
    sex = {"same": w("sex", f"{exact} sex"), "other": w("sex", other)}
    cases = {  # name: (given, dob, sex, band)
        "twins": ("other", "same", "same", REVIEW),
        "brother and sister": ("other", "other", "other", REVIEW),
        "spouses born the same year": ("other", "same year", "other", REVIEW),
        "twins with names alike": ("sounds alike", "same", "same", REVIEW),
        "twins of each sex": ("close", "same", "other", REVIEW),
        "a nickname, another date": ("nickname", "other", "same", REVIEW),
        "a typo in the date": ("same", "other", "same", LINK),
        "a nickname": ("nickname", "same", "same", LINK),
        "two typos": ("one edit", "one digit", "same", LINK),
        "an initial": ("initial", "same", "same", LINK),
        "sex recorded wrongly": ("same", "same", "other", LINK),
    }
    scored = pd.DataFrame({"unique_id_l": list(cases), "unique_id_r": "held",
                           "match_weight": 8.0, "match_probability": 0.99,
                           "mw_given_name": [given[c[0]] for c in cases.values()],
                           "mw_dob": [dob[c[1]] for c in cases.values()],
                           "mw_sex": [sex[c[2]] for c in cases.values()]})
    out = model._finish(scored).set_index("unique_id_l")
    assert out["band"].to_dict() == {k: c[3] for k, c in cases.items()}
    unsexed = LinkageModel(model.splink, [f for f in model.features if f != "sex"],
                           model.thresholds)
    assert (unsexed._finish(scored)["band"] == LINK).all()
    assert (model._finish(scored.drop(columns="mw_sex"))["band"] == LINK).all()
