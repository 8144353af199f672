"""A partner's pages: its datasets and the batches it uploaded, and each batch's receipt
(the rejected rows by row and field, never a value sent). A partner's sign-in holds a
scope, not a role: the gateway's `require_scope("ingest")`, answering its own alone."""

from services.console.pages import Page, Section

INGEST = ("ingest",)

SECTION = Section(name="partner", title="Uploads", order=60, pages=(
    Page(path="/partner/batches", title="Batches", roles=(), scopes=INGEST,
         template="partner/batches.html", script="partner/batches.js",
         summary="Your datasets, and the batches you uploaded: accepted, rejected and "
                 "processed."),
    Page(path="/partner/receipt", title="Batch receipt", roles=(), scopes=INGEST,
         template="partner/receipt.html", script="partner/receipt.js",
         summary="A batch's rejected rows, by row and field."),
))
