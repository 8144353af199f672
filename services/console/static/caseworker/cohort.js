// The cohort of the caseworker's districts under one rule, by pseudonym (reidentify).
import { api, el, guard, page } from "/static/console.js";

async function show(ruleId) {
  const members = await api("reidentify", `/v1/cohorts/${encodeURIComponent(ruleId)}?limit=100`);
  document.getElementById("cohort-caption").textContent =
    `${members.length} flagged under ${ruleId}${members.length === 100 ? " (the first 100)" : ""}`;
  document.querySelector("#cohort-table tbody").replaceChildren(...members.map((m) =>
    el("tr", { class: "govuk-table__row" },
      el("th", { class: "govuk-table__header", scope: "row" }, el("code", {}, m.pseudonym)),
      el("td", { class: "govuk-table__cell" }, m.area || "No area"),
      el("td", { class: "govuk-table__cell govuk-table__cell--numeric" }, m.score.toFixed(1)),
      el("td", { class: "govuk-table__cell govuk-table__cell--numeric" }, m.indicators),
      el("td", { class: "govuk-table__cell" }, new Date(m.raised_at).toLocaleDateString("en-GB")))));
  document.getElementById("cohort-table").hidden = false;
}

page(async () => {
  const form = document.getElementById("choose");
  form.onsubmit = guard(async (event) => {
    event.preventDefault();
    await show(document.getElementById("rule").value.trim());
  });
  await show(document.getElementById("rule").value.trim());
});
