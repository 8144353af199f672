// Reidentify's access log, a page at a time, oldest first: who asked, which pseudonym,
// under which purpose and why, and the outcome. The log holds no identity.
import { api, el, page } from "/static/console.js";
import { cell, row, tag, when } from "/static/govuk.js";
import { pager, wholeNumber, withQuery } from "/static/listing.js";

const PAGE = 20;
const ACTIONS = {
  unlock: "Unlock", "partner-lookup": "Partner lookup", "sar-open": "Subject access case opened",
  "sar-close": "Subject access case closed", "sar-search": "Subject access search",
  "sar-found": "Subject access: persons found", "sar-export": "Subject access release",
};
const OUTCOMES = { allowed: "green", refused: "red", error: "orange" };

function what(entry) {
  const parts = [ACTIONS[entry.action] || entry.action];
  if (entry.rule_id) parts.push(`under rule ${entry.rule_id}`);
  if (entry.case_id) parts.push(`case ${entry.case_id}`);
  if (entry.slice) parts.push(`at the ${entry.slice}`);
  return parts.join(", ");
}

function outcome(entry) {
  return [tag(entry.outcome, OUTCOMES[entry.outcome] || "grey"),
    entry.reason ? el("br") : null, entry.reason,
    entry.ref ? el("br") : null, entry.ref ? `follows entry ${entry.ref}` : null];
}

page(async () => {
  const number = wholeNumber("page");
  const offset = (number - 1) * PAGE;
  // a page and one more: the API gives no total, so the extra one says a next page exists
  const entries = await api("reidentify", `/v1/access-log?limit=${PAGE + 1}&offset=${offset}`);
  const shown = entries.slice(0, PAGE);
  document.getElementById("log-caption").textContent = `Entries, page ${number}`;
  document.getElementById("log-paging").textContent = shown.length
    ? `The log comes a page at a time, ${PAGE} entries to a page, oldest first: this page `
      + `shows entries ${shown[0].seq} to ${shown[shown.length - 1].seq}.`
    : `The log comes a page at a time, ${PAGE} entries to a page, oldest first.`;
  document.querySelector("#log-table tbody").replaceChildren(...shown.map((e) => row(
    cell(e.seq, { header: true, numeric: true }),
    cell(when(e.at, { seconds: true })),
    cell([e.sub, e.org ? el("br") : null, e.org]),
    cell(what(e)),
    cell(e.pseudonym ? el("code", {}, e.pseudonym) : "None"),
    cell([e.purpose || "None", e.justification ? el("br") : null, e.justification]),
    cell(outcome(e)))));
  document.getElementById("log-table").hidden = !shown.length;
  document.getElementById("log-empty").hidden = Boolean(shown.length);
  pager("log-pages", {
    previous: number > 1 ? withQuery({ page: number > 2 ? number - 1 : null }) : null,
    next: entries.length > PAGE ? withQuery({ page: number + 1 }) : null,
  });
});
