"""The caseworker's pages: the flagged cohort of their districts (pseudonyms and scores),
unlocking a flagged person with a purpose and justification (the identity shown on that
page alone, after the unlock), and what they have unlocked and when."""

from services.console.pages import Page, Section

# reidentify's `Caseworker` (services/reidentify/api.py): the cohort, the unlock and the
# caller's own unlocks
CASEWORKER = ("caseworker",)

SECTION = Section(name="caseworker", title="Casework", order=20, pages=(
    Page(path="/caseworker/cohort", title="Cohort", roles=CASEWORKER,
         template="caseworker/cohort.html", script="caseworker/cohort.js",
         summary="The people a rule flagged in your districts, highest score first."),
    Page(path="/caseworker/unlock", title="Unlock", roles=CASEWORKER,
         template="caseworker/unlock.html", script="caseworker/unlock.js",
         summary="See a flagged person's identity, for a purpose you hold and a "
                 "justification, which are logged."),
    Page(path="/caseworker/unlocks", title="Your unlocks", roles=CASEWORKER,
         template="caseworker/unlocks.html", script="caseworker/unlocks.js",
         summary="Whom you have unlocked and when, and what became of each."),
))
