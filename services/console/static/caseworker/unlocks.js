// The caseworker's own unlocks, newest first (reidentify answers the caller's alone),
// each with what became of it. No identity: they are never kept.
import { api, el, page } from "/static/console.js";
import { cell, identifier, tag, when } from "/static/govuk.js";
import { reasonText } from "/static/caseworker/reasons.js";

const SIZE = 100;
const OUTCOMES = { allowed: ["Released", "green"], refused: ["Refused", "red"],
  error: ["Not released", "grey"] };

function outcome(unlock) {
  const [text, colour] = OUTCOMES[unlock.outcome] || [unlock.outcome, "grey"];
  const why = unlock.outcome === "allowed" ? "" : reasonText(unlock.reason);
  return [tag(text, colour), why ? el("p", { class: "govuk-body-s govuk-!-margin-top-1 govuk-!-margin-bottom-0" }, why) : null];
}

page(async () => {
  const unlocks = await api("reidentify", `/v1/unlocks/mine?limit=${SIZE}`);
  document.getElementById("unlocks-empty").hidden = unlocks.length > 0;
  document.getElementById("unlocks-table").hidden = unlocks.length === 0;
  document.getElementById("unlocks-caption").textContent = unlocks.length === SIZE
    ? `Your newest ${SIZE} unlocks` : `${unlocks.length} unlock${unlocks.length === 1 ? "" : "s"}`;
  document.querySelector("#unlocks-table tbody").replaceChildren(...unlocks.map((u) =>
    el("tr", { class: "govuk-table__row" },
      cell(when(u.at), { header: true }),
      cell(u.pseudonym ? identifier(u.pseudonym) : "Not given"),
      cell(u.purpose || "Not given"),
      cell(u.justification || "Not given"),
      cell(outcome(u)),
      cell(u.access_id, { numeric: true }))));
});
