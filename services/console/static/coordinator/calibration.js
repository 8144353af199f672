// Calibration: how many each threshold of a rule would select, overall and by area, with
// the scorer's chart; choosing a threshold shows its areas beside the rule's own, and an
// administrator can apply it. Counts only, under the disclosure rule.
import { api, count, disclosureNote, el, guard, page } from "/static/console.js";
import { cell, row, summaryRow } from "/static/govuk.js";

const ruleSelect = document.getElementById("rule");
let chartUrl = null;
let signedIn = null;

function conditions(c) {
  const parts = [`${c.min_indicators}+ distinct indicators`];
  if (c.min_health) parts.push(`${c.min_health}+ health`);
  if (c.min_non_health) parts.push(`${c.min_non_health}+ non-health`);
  if (c.min_headlines) parts.push(`${c.min_headlines}+ headline problems`);
  return parts.join(", ");
}

function showAreas(calibration, chosen) {
  const at = calibration.thresholds.find((t) => t.min_indicators === chosen);
  const now = new Map(calibration.current.areas.map((a) => [a.area, a.count]));
  document.getElementById("area-caption").textContent =
    `By area at ${chosen}+ indicators, beside the rule as it stands (${calibration.current.min_indicators}+)`;
  document.querySelector("#area-table tbody").replaceChildren(...at.areas.map((a) =>
    row(cell(a.area || "No area", { header: true }), cell(count(a.count), { numeric: true }),
      cell(count(now.get(a.area)), { numeric: true }))));
}

function showThresholds(calibration, rule, claims) {
  const current = calibration.conditions.min_indicators;
  const radios = document.getElementById("thresholds");
  radios.replaceChildren(...calibration.thresholds.map((t) => {
    const id = `threshold-${t.min_indicators}`;
    const input = el("input", { class: "govuk-radios__input", id, name: "threshold",
      type: "radio", value: t.min_indicators });
    input.checked = t.min_indicators === current;
    return el("div", { class: "govuk-radios__item" }, input,
      el("label", { class: "govuk-label govuk-radios__label", for: id },
        `${t.min_indicators}+${t.min_indicators === current ? " (now)" : ""}`));
  }));
  radios.onchange = () => showAreas(calibration, chosenThreshold());
  document.querySelector("#threshold-table tbody").replaceChildren(...calibration.thresholds.map((t) =>
    row(cell(`${t.min_indicators}+ indicators${t.min_indicators === current ? " (the rule now)" : ""}`, { header: true }),
      cell(count(t.count), { numeric: true }), cell(count(t.count_without_categories), { numeric: true }))));
  showAreas(calibration, current);
  const admin = claims.roles.includes("admin");
  document.getElementById("apply").hidden = !admin;
  document.getElementById("apply-needs-admin").hidden = admin;
  document.getElementById("apply-button").onclick = guard(() => apply(rule));
}

function chosenThreshold() {
  const checked = document.querySelector("#thresholds input:checked");
  return Number(checked.value);
}

async function apply(rule) {
  const chosen = chosenThreshold();
  const { version, ...document_ } = rule;
  document_.conditions = { ...document_.conditions, min_indicators: chosen };
  const stored = await api("scorer", `/v1/rules/${encodeURIComponent(rule.id)}`,
    { method: "PUT", body: document_ });
  const banner = document.getElementById("applied");
  document.getElementById("applied-text").textContent =
    `${stored.title} is now version ${stored.version}, with ${chosen}+ indicators (it was version ${version}).`;
  await show(rule.id);
  banner.hidden = false;
  banner.focus();
}

async function show(ruleId) {
  const path = `/v1/rules/${encodeURIComponent(ruleId)}`;
  const [rule, calibration, chart] = await Promise.all([
    api("scorer", path), api("scorer", `${path}/calibration`),
    api("scorer", `${path}/calibration.svg`, { accept: "image/svg+xml" })]);
  document.getElementById("rule-title").textContent = `${rule.title}, version ${rule.version}`;
  document.getElementById("rule-summary").replaceChildren(
    summaryRow("Counts", calibration.unit),
    summaryRow("Conditions", conditions(calibration.conditions)),
    summaryRow("Selected by the rule now", count(calibration.current.count)));
  document.getElementById("disclosure").textContent = disclosureNote(calibration.disclosure);
  if (chartUrl) URL.revokeObjectURL(chartUrl);
  chartUrl = URL.createObjectURL(chart);
  const image = document.getElementById("chart");
  image.src = chartUrl;
  image.alt = `Bar chart of ${calibration.unit} selected at each threshold and, under the rule as it stands, in each area; the same counts are in the tables below.`;
  showThresholds(calibration, rule, signedIn);
  document.getElementById("calibration").hidden = false;
}

page(async ({ claims }) => {
  signedIn = claims;
  const rules = await api("scorer", "/v1/rules");
  ruleSelect.replaceChildren(...rules.map((r) => new Option(`${r.title} (${r.id})`, r.id)));
  const wanted = new URLSearchParams(location.search).get("rule");
  if (wanted && rules.some((r) => r.id === wanted)) ruleSelect.value = wanted;
  ruleSelect.onchange = guard(async () => {
    history.replaceState(null, "", `?rule=${encodeURIComponent(ruleSelect.value)}`);
    await show(ruleSelect.value);
  });
  if (rules.length) await show(ruleSelect.value);
});
