"""The auditor's pages: reidentify's access log, its verification, and the gateway's copy
of the signed heads. Who unlocked which pseudonym, under which purpose, as the access log
holds it: never an identity. A DPO reads none of these APIs."""

from services.console.pages import Page, Section

# reidentify's access log and verify, and the gateway's heads (services/reidentify/api.py,
# gateway/audit.py): the auditor's alone
AUDITORS = ("auditor",)

SECTION = Section(name="audit", title="Audit", order=50, pages=(
    Page(path="/audit/access-log", title="Access log", roles=AUDITORS,
         template="audit/access-log.html", script="audit/access-log.js",
         summary="Every unlock and subject access step: who, which pseudonym, under "
                 "which purpose and why, and whether it was allowed."),
    Page(path="/audit/verification", title="Log verification", roles=AUDITORS,
         template="audit/verification.html", script="audit/verification.js",
         summary="Whether the access log's chain is intact and its signed heads hold, "
                 "checked now."),
    Page(path="/audit/heads", title="Signed heads", roles=AUDITORS,
         template="audit/heads.html", script="audit/heads.js",
         summary="The access log's signed heads as the gateway keeps them, apart from "
                 "reidentify."),
))
