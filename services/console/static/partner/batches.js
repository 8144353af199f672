// A partner's datasets and batches, newest first (the gateway answers the partner's own
// alone), each linked to its receipt.
import { api, el, page } from "/static/console.js";
import { cell, identifier, when } from "/static/govuk.js";
import { statusTag } from "/static/partner/status.js";

const SIZE = 100;
const KINDS = { identities: "Identities", events: "Events", optouts: "Opt-outs" };

function receiptLink(batchId) {
  return el("a", { class: "govuk-link", href: `/partner/receipt?batch=${encodeURIComponent(batchId)}` },
    identifier(batchId));
}

page(async () => {
  const wanted = new URLSearchParams(location.search).get("dataset") || "";
  const datasets = await api("gateway", "/v1/datasets");
  document.querySelector("#datasets-table tbody").replaceChildren(...datasets.map((d) =>
    el("tr", { class: "govuk-table__row" },
      cell(d.id, { header: true }), cell(d.kind || "Not given"),
      cell(d.level === "property" ? "An address" : "A person"),
      cell(d.agreement || "None: no uploads"), cell(d.codes.length, { numeric: true }))));
  const select = document.getElementById("dataset");
  select.append(...datasets.map((d) => new Option(d.id, d.id)));
  const dataset = datasets.some((d) => d.id === wanted) ? wanted : "";
  select.value = dataset;
  const query = `limit=${SIZE}${dataset ? `&dataset=${encodeURIComponent(dataset)}` : ""}`;
  const batches = await api("gateway", `/v1/batches?${query}`);
  document.getElementById("batches-empty").hidden = batches.length > 0;
  document.getElementById("batches-table").hidden = batches.length === 0;
  const of = dataset ? ` of ${dataset}` : "";
  document.getElementById("batches-caption").textContent = batches.length === SIZE
    ? `The newest ${SIZE} batches${of}` : `${batches.length} batch${batches.length === 1 ? "" : "es"}${of}`;
  document.querySelector("#batches-table tbody").replaceChildren(...batches.map((b) =>
    el("tr", { class: "govuk-table__row" },
      cell(receiptLink(b.batch_id), { header: true }),
      cell(when(b.received_at)),
      cell(b.dataset),
      cell(KINDS[b.kind] || b.kind),
      cell(b.accepted.toLocaleString("en-GB"), { numeric: true }),
      cell(b.rejected.toLocaleString("en-GB"), { numeric: true }),
      cell(b.processed.toLocaleString("en-GB"), { numeric: true }),
      cell(statusTag(b.status)))));
});
