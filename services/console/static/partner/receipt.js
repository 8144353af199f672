// One batch's receipt: its status and counts, and each rejected row by row and field with
// the gateway's fixed message (never the value sent).
import { api, el, page, Problem } from "/static/console.js";
import { cell, identifier, showErrors, summaryRow } from "/static/govuk.js";
import { statusTag } from "/static/partner/status.js";

const form = document.getElementById("choose");

async function show(batchId) {
  const path = `/v1/batches/${encodeURIComponent(batchId)}`;
  let status;
  let receipt;
  try {
    [status, receipt] = await Promise.all([api("gateway", path), api("gateway", `${path}/receipt`)]);
  } catch (problem) {
    // another partner's batch is as unknown as one never made
    if (problem instanceof Problem && problem.status === 404) {
      return showErrors(form, [{ id: "batch", message: "No batch of yours has this id" }]);
    }
    throw problem;
  }
  document.getElementById("receipt-batch").replaceChildren(identifier(receipt.batch_id));
  document.getElementById("receipt-summary").replaceChildren(
    summaryRow("Status", statusTag(status.status)),
    summaryRow("Rows accepted", status.accepted.toLocaleString("en-GB")),
    summaryRow("Rows processed", status.processed.toLocaleString("en-GB")),
    summaryRow("Rows rejected", status.rejected.toLocaleString("en-GB")));
  const lines = receipt.rejected.flatMap((row) => row.errors.map((error) =>
    el("tr", { class: "govuk-table__row" },
      cell(row.row, { header: true, numeric: true }), cell(el("code", {}, error.field)),
      cell(error.message))));
  document.getElementById("rejected-caption").textContent =
    `${receipt.rejected.length} row${receipt.rejected.length === 1 ? "" : "s"} rejected, `
    + `${lines.length} problem${lines.length === 1 ? "" : "s"}`;
  document.querySelector("#rejected-table tbody").replaceChildren(...lines);
  document.getElementById("rejected-none").hidden = receipt.rejected.length > 0;
  document.getElementById("rejected-table").hidden = receipt.rejected.length === 0;
  document.getElementById("receipt").hidden = false;
}

page(async () => {
  const batchId = (new URLSearchParams(location.search).get("batch") || "").trim();
  document.getElementById("batch").value = batchId;
  form.onsubmit = (event) => {
    if (document.getElementById("batch").value.trim()) return;
    event.preventDefault();
    showErrors(form, [{ id: "batch", message: "Enter the batch id" }]);
  };
  if (batchId) await show(batchId);
});
