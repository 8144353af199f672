"""The co-ordinator's pages: choosing a rule's threshold from its calibration, and where
demand falls (counts only, under the disclosure rule; never a pseudonym)."""

from services.console.pages import Page, Section

# the scorer's and the linker's readers (services/scorer/api.py, services/linker/api.py)
READERS = ("coordinator", "analyst", "admin")

SECTION = Section(name="coordinator", title="Co-ordination", order=10, pages=(
    Page(path="/coordinator/calibration", title="Calibration", roles=READERS,
         template="coordinator/calibration.html", script="coordinator/calibration.js",
         summary="How many each threshold of a rule would select, overall and by area, "
                 "before anyone is identified."),
    Page(path="/coordinator/areas", title="Area demand", roles=READERS,
         template="coordinator/areas.html", script="coordinator/areas.js",
         summary="Events and people by area and dataset, and how concentrated demand is."),
))
