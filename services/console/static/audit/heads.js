// The access log's signed heads as the gateway keeps them, a page at a time by entry
// number (the API pages by the last entry seen, so earlier pages are carried in the
// address to go back to).
import { api, el, page } from "/static/console.js";
import { cell, row, when } from "/static/govuk.js";
import { pager, withQuery } from "/static/listing.js";

const PAGE = 50;

function cursors() {
  // `after`: where this page starts; `trail`: where each earlier page started
  const query = new URLSearchParams(location.search);
  const after = Number(query.get("after"));
  const trail = (query.get("trail") || "").split(",").filter(Boolean).map(Number);
  const good = (n) => Number.isInteger(n) && n >= 0;
  return { after: good(after) ? after : 0, trail: trail.every(good) ? trail : [] };
}

page(async () => {
  const { after, trail } = cursors();
  // a page and one more: the API gives no total, so the extra one says a next page exists
  const heads = await api("gateway", `/v1/audit/heads?after=${after}&limit=${PAGE + 1}`);
  const shown = heads.slice(0, PAGE);
  document.getElementById("heads-caption").textContent = after
    ? `Heads after entry ${after}` : "Heads from the first entry";
  document.getElementById("heads-paging").textContent =
    `The heads come a page at a time, ${PAGE} to a page, oldest first.`;
  document.querySelector("#heads-table tbody").replaceChildren(...shown.map((h) => row(
    cell(h.seq, { header: true, numeric: true }),
    cell(when(h.at, { seconds: true })),
    cell(h.kid ? el("code", { class: "app-break-all" }, h.kid) : "Not named"),
    cell(el("code", { class: "app-break-all" }, h.hash)),
    cell(el("code", { class: "app-break-all" }, h.sig)))));
  document.getElementById("heads-table").hidden = !shown.length;
  document.getElementById("heads-empty").hidden = Boolean(shown.length);
  const back = trail.slice(0, -1);
  pager("heads-pages", {
    previous: after ? withQuery({ after: trail.length ? trail[trail.length - 1] || null : null,
      trail: back.length ? back.join(",") : null }) : null,
    next: heads.length > PAGE ? withQuery({ after: shown[shown.length - 1].seq,
      trail: [...trail, after].join(",") }) : null,
  });
});
