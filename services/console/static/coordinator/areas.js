// Area demand: events and people by area and dataset, and how concentrated demand is,
// from the linker under the disclosure rule. Counts only.
import { api, count, disclosureNote, el, page } from "/static/console.js";
import { summaryRow } from "/static/govuk.js";

function percent(value) {
  if (value === null || value === undefined) return el("span", { class: "app-hidden-count" }, "hidden");
  return `${(value * 100).toLocaleString("en-GB", { maximumFractionDigits: 1 })}% of events`;
}

page(async () => {
  const report = await api("linker", "/v1/areas/demand");
  document.getElementById("disclosure").textContent = disclosureNote(report.disclosure);
  const c = report.concentration;
  document.getElementById("concentration").replaceChildren(
    summaryRow("People with any event", count(c.persons)),
    summaryRow("Events", count(c.events)),
    summaryRow("The busiest 1% of people", percent(c.top_1_percent)),
    summaryRow("The busiest 5% of people", percent(c.top_5_percent)),
    summaryRow("The busiest 10% of people", percent(c.top_10_percent)));
  document.querySelector("#areas-table tbody").replaceChildren(...report.areas.map((a) =>
    el("tr", { class: "govuk-table__row" },
      el("th", { class: "govuk-table__header", scope: "row" }, a.area || "No area"),
      el("td", { class: "govuk-table__cell" }, a.dataset),
      el("td", { class: "govuk-table__cell govuk-table__cell--numeric" }, count(a.events)),
      el("td", { class: "govuk-table__cell govuk-table__cell--numeric" }, count(a.persons)))));
  document.getElementById("demand").hidden = false;
});
