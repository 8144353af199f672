"""Flags are raised at exactly the rule's boundary, cleared when it no longer holds,
and never raised for a person who opted out; of two profiles or two decisions, the one
published last holds, in whichever order they are applied."""

from __future__ import annotations

from datetime import timedelta

from services.common import messages as m
from services.common import subjects
from services.common.state import state_of
from services.scorer.rules import window_start
from tests.scorer.conftest import RULE, TODAY, catalogues, new, person, recent
from tests.support import eventually, sequence

MIXED5 = ("GP1", "SCH1", "HOU1", "CSC1", "POL1")  # 1 health, 4 non-health


async def test_boundary_profiles(scorer):
    start = window_start(TODAY, "P6M")
    assert start == TODAY.replace(month=12, year=2025)
    four, health_only, outside, unknown, inside, five = (new() for _ in range(6))
    await scorer.profiles(
        person(four, recent(*MIXED5[:4])),
        person(health_only, recent("GP1", "GP2", "GP3", "GP4", "GP5")),
        person(outside, recent(*MIXED5[:4]) + recent("GP2", on=start)),
        person(unknown, recent(*MIXED5[:4], "ZZ9")),
        person(inside, recent(*MIXED5[:4]) + recent("GP2", on=start + timedelta(days=1))),
        person(five, recent(*MIXED5, "GP1", "SCH1"), area="OL8"),  # repeats count once
    )
    flag = await scorer.wait_flag(five)
    assert (flag.active, flag.indicators, flag.health, flag.non_health) == (True, 5, 1, 4)
    assert (flag.rule_id, flag.rule_version, flag.area, flag.score) == (RULE, 1, "OL8", 5.0)
    assert flag.purposes == ["early-help-triage"]
    assert flag.headlines == 5  # health, school-attendance, worklessness, children, DA
    await scorer.wait_flag(inside, lambda f: f.active and f.indicators == 5)
    for pseudonym, n in ((four, 4), (health_only, 5), (outside, 4), (unknown, 4)):
        assert await scorer.seen(pseudonym) == []
        evaluation = await scorer.evaluation(pseudonym)
        assert (evaluation.indicators, evaluation.active) == (n, False)
    assert (await scorer.evaluation(health_only)).non_health == 0
    future = new()
    await scorer.profiles(person(future, recent(*MIXED5[:4]) + recent(
        "GP2", on=TODAY + timedelta(days=1))))
    await eventually(lambda: scorer.evaluation(future))
    assert (await scorer.evaluation(future)).indicators == 4


async def test_flag_raised_updated_then_cleared(scorer):
    p = new()
    await scorer.profiles(person(p, recent(*MIXED5)))
    raised = await scorer.wait_flag(p, lambda f: f.active, count=1)
    await scorer.profiles(person(p, recent(*MIXED5, "GP3")))
    updated = await scorer.wait_flag(p, lambda f: f.active and f.indicators == 6, count=2)
    assert updated.raised_at == raised.raised_at and updated.health == 2
    await scorer.profiles(person(p, recent(*MIXED5, "GP3")))  # unchanged: nothing published
    await scorer.profiles(person(p, recent(*MIXED5[:4])))
    cleared = await scorer.wait_flag(p, lambda f: not f.active, count=3)
    assert cleared.indicators == 4
    assert (await scorer.evaluation(p)).active is False

    await scorer.profiles(person(p, recent(*MIXED5)))
    await scorer.wait_flag(p, lambda f: f.active, count=4)
    await scorer.profiles(person(p, []))  # an empty profile clears
    await scorer.wait_flag(p, lambda f: not f.active, count=5)
    assert await scorer.evaluation(p) is None


async def test_opt_out_clears_and_prevents(scorer):
    everything, purpose, other_purpose, marker = new(), new(), new(), new()
    await scorer.profiles(*(person(p, recent(*MIXED5))
                            for p in (everything, purpose, other_purpose)))
    for p in (everything, purpose, other_purpose):
        await scorer.wait_flag(p, lambda f: f.active)

    await scorer.decide(everything, "opt_out", "all")
    await scorer.decide(purpose, "opt_out", "purpose:early-help-triage")
    await scorer.decide(other_purpose, "opt_out", "purpose:research")
    await scorer.decide(other_purpose, "opt_out", "partner:gp-p81001")  # the linker's concern
    await scorer.decide(other_purpose, "opt_out", "all", effective=False)  # not winning
    await scorer.wait_flag(everything, lambda f: not f.active, count=2)
    await scorer.wait_flag(purpose, lambda f: not f.active, count=2)
    assert await scorer.evaluation(everything) is None

    # later profiles do not flag them; the marker shows the batch was applied
    await scorer.profiles(*(person(p, recent(*MIXED5, "GP2"))
                            for p in (everything, purpose, other_purpose, marker)))
    await scorer.wait_flag(marker, lambda f: f.active)
    assert len(await scorer.seen(everything)) == 2
    assert len(await scorer.seen(purpose)) == 2
    assert await scorer.evaluation(purpose) is None
    assert (await scorer.seen(other_purpose))[-1].indicators == 6  # still flagged

    # consent lifts the opt-out for that scope; the next profile flags again
    await scorer.decide(purpose, "consent", "purpose:early-help-triage")
    await eventually(lambda: _lifted(scorer, purpose))
    await scorer.profiles(person(purpose, recent(*MIXED5)))
    await scorer.wait_flag(purpose, lambda f: f.active, count=3)


async def test_an_older_profile_applied_after_a_newer_one_changes_nothing(scorer):
    """Two scorer processes may apply two profiles of one person in either order: the one
    the linker published first (the smaller sequence), applied last, changes nothing."""
    p, marker = new(), new()
    older, newer = sequence(), sequence()
    await scorer.profiles(person(p, recent(*MIXED5), order=newer))
    await scorer.wait_flag(p, lambda f: f.active, count=1)
    await scorer.profiles(person(p, [], order=older), person(marker, recent(*MIXED5)))
    await scorer.wait_flag(marker, lambda f: f.active)  # that batch was applied
    assert (await scorer.evaluation(p)).active
    assert len(await scorer.seen(p)) == 1
    # in one batch too, the larger sequence wins
    low, high = sequence(), sequence()
    await scorer.profiles(person(p, [], order=high), person(p, recent(*MIXED5[:4]), order=low))
    await scorer.wait_flag(p, lambda f: not f.active, count=2)
    assert await scorer.evaluation(p) is None
    # an older profile cannot bring back a cleared one either
    await scorer.profiles(person(p, recent(*MIXED5), order=newer), person(marker, []))
    await scorer.wait_flag(marker, lambda f: not f.active)
    assert await scorer.evaluation(p) is None and len(await scorer.seen(p)) == 2


async def test_an_older_decision_applied_after_a_newer_one_changes_nothing(scorer):
    """Of two decisions for one person and scope, consent's later one holds in whichever
    order they are applied: an opt-out applied after the consent that lifted it clears no
    flag and stops none."""
    p = new()
    await scorer.profiles(person(p, recent(*MIXED5)))
    await scorer.wait_flag(p, lambda f: f.active, count=1)
    decisions = state_of(scorer.app).consumers["decisions"]
    before = decisions.applied
    opted_out, consented = sequence(), sequence()
    await scorer.decide(p, "consent", "all", order=consented)
    await scorer.decide(p, "opt_out", "all", order=opted_out)
    await eventually(lambda: decisions.applied == before + 2)
    assert await scorer.optout_scopes(p) == set()
    assert (await scorer.evaluation(p)).active
    await scorer.profiles(person(p, recent(*MIXED5, "GP2")))  # still scored
    await scorer.wait_flag(p, lambda f: f.active and f.indicators == 6, count=2)
    await scorer.decide(p, "opt_out", "all")  # a later one holds
    await scorer.wait_flag(p, lambda f: not f.active, count=3)
    assert await scorer.optout_scopes(p) == {"all"}


async def _lifted(scorer, pseudonym) -> bool:
    return "purpose:early-help-triage" not in await scorer.optout_scopes(pseudonym)


async def test_household_profiles_are_not_scored_by_a_person_rule(scorer):
    household, marker = new("H"), new()
    from services.common.messages import Profile
    await scorer.profiles(Profile(pseudonym=household, level="household", area="OL1",
                                  events=recent(*MIXED5), sequence=sequence()),
                          person(marker, recent(*MIXED5)))
    await scorer.wait_flag(marker)
    assert [f for f in await scorer.seen(household) if f.rule_id == RULE] == []
    assert await scorer.evaluation(household) is None
    assert {f.rule_id for f in await scorer.seen(household)} <= {
        "troubled-families-phase-two", "oldham-chaotic-living"}


async def test_a_code_name_two_datasets_share_keeps_each_datasets_category(scorer):
    """A second dataset defining GP1 as non-health (after the GP practice's health GP1)
    does not make the practice's GP1 non-health, nor its own GP1 health."""
    consumer = state_of(scorer.app).consumers["codes"]
    before = consumer.applied
    await scorer._send("gateway", subjects.CODES.subject, m.CodeCatalogue(
        dataset="police-extra", partner="police-gmp", codes=[m.CodeCategory(
            code="GP1", category="non_health", headline="crime-asb")]))
    await eventually(lambda: consumer.applied == before + 1)
    theirs = [m.ProfileEvent(dataset="police-extra", code="GP1",
                             occurred_on=TODAY - timedelta(days=10))]
    no_health, practice = new(), new()
    await scorer.profiles(person(no_health, recent(*MIXED5[1:]) + theirs),
                          person(practice, recent(*MIXED5)))
    await scorer.wait_flag(practice, lambda f: f.active and f.health == 1)
    evaluation = await eventually(lambda: scorer.evaluation(no_health))
    assert (evaluation.indicators, evaluation.health, evaluation.active) == (5, 0, False)
    assert await scorer.seen(no_health) == []


async def test_a_changed_category_re_scores_what_is_held(scorer):
    """Counts already stored were made with the old category: a change asks the linker
    for every profile again (a bulk re-score); an unchanged catalogue asks for nothing."""
    consumer = state_of(scorer.app).consumers["codes"]
    await scorer.republish_requests()  # what earlier tests asked for
    school = next(c for c in catalogues() if c.dataset == "school-census")
    changed = school.model_copy(update={"codes": [
        c.model_copy(update={"category": "health"}) if c.code == "SCH4" else c
        for c in school.codes]})
    for catalogue in (school, changed, school):
        before = consumer.applied
        await scorer._send("gateway", subjects.CODES.subject, catalogue)
        await eventually(lambda b=before: consumer.applied == b + 1)
    asked: list = []

    async def both():
        asked.extend(await scorer.republish_requests())
        return len(asked) >= 2
    await eventually(both)
    assert [(r.all, r.export) for r in asked] == [(True, True), (True, True)]
