// The cohort of the caseworker's districts under one rule, by pseudonym (reidentify
// answers only the caller's districts), a page at a time, each with a way to unlock.
import { api, el, page } from "/static/console.js";
import { cell, day, identifier } from "/static/govuk.js";

const SIZE = 50;

function unlockLink(pseudonym) {
  return el("a", { class: "govuk-link", href: `/caseworker/unlock?pseudonym=${encodeURIComponent(pseudonym)}` },
    "Unlock", el("span", { class: "govuk-visually-hidden" }, ` ${pseudonym}`));
}

function pageLink(id, rule, number) {
  document.getElementById(id).hidden = false;
  document.getElementById(`${id}-link`).href =
    `/caseworker/cohort?rule=${encodeURIComponent(rule)}&page=${number}`;
}

page(async ({ claims }) => {
  const query = new URLSearchParams(location.search);
  const rule = (query.get("rule") || "").trim() || document.getElementById("rule").value;
  const number = Math.max(1, Number.parseInt(query.get("page") || "1", 10) || 1);
  document.getElementById("rule").value = rule;
  document.getElementById("districts").textContent = claims.districts.length
    ? claims.districts.join(", ") : "None: your sign-in names no district";
  const found = await api("reidentify",
    `/v1/cohorts/${encodeURIComponent(rule)}?limit=${SIZE + 1}&offset=${(number - 1) * SIZE}`);
  const members = found.slice(0, SIZE);
  const first = (number - 1) * SIZE + 1;
  const empty = document.getElementById("cohort-empty");
  empty.hidden = members.length > 0;
  empty.textContent = number === 1 ? `No one in your districts is flagged under ${rule}.`
    : `There is no page ${number} of those flagged under ${rule}.`;
  document.getElementById("cohort-caption").textContent = number === 1 && found.length <= SIZE
    ? `${members.length} flagged under ${rule}`
    : `Flagged under ${rule}: ${first} to ${first + members.length - 1}`;
  document.querySelector("#cohort-table tbody").replaceChildren(...members.map((m) =>
    el("tr", { class: "govuk-table__row" },
      cell(identifier(m.pseudonym), { header: true }),
      cell(m.area || "No area"),
      cell(m.score.toFixed(1), { numeric: true }),
      cell(m.indicators, { numeric: true }),
      cell(day(m.raised_at)),
      cell(unlockLink(m.pseudonym)))));
  document.getElementById("cohort-table").hidden = members.length === 0;
  if (number > 1) pageLink("previous", rule, number - 1);
  if (found.length > SIZE) pageLink("next", rule, number + 1);
  document.getElementById("pages").hidden = number === 1 && found.length <= SIZE;
});
