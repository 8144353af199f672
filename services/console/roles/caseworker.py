"""The caseworker's pages: the flagged cohort of their districts (pseudonyms and counts;
an identity only through an audited unlock)."""

from services.console.pages import Page, Section

SECTION = Section(name="caseworker", title="Casework", order=20, pages=(
    Page(path="/caseworker/cohort", title="Cohort", roles=("caseworker",),
         template="caseworker/cohort.html", script="caseworker/cohort.js",
         summary="The people a rule flagged in your districts, highest score first."),
))
