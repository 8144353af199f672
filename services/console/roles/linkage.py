"""The linkage officer's page: the clerical review queue, each pair's two records side by
side with the evidence for and against, and the decision (identity fields of review pairs
only: no pseudonym, no event)."""

from services.console.pages import Page, Section

# the pseudonymiser's review API (services/pseudonymiser/api.py)
OFFICERS = ("linkage-officer",)

SECTION = Section(name="linkage", title="Linkage", order=40, pages=(
    Page(path="/linkage/review", title="Review queue", roles=OFFICERS,
         template="linkage/review.html", script="linkage/review.js",
         summary="Pairs of records the model could not decide, side by side with the "
                 "fields that agree and disagree: decide match or non-match."),
))
