// The clerical review queue (the pseudonymiser's review API), a page at a time; one pair's
// records side by side with the evidence for and against; the decision and what it did.
// Identity fields of review pairs only: the API gives no pseudonym and no event.
import { api, el, guard, page } from "/static/console.js";
import { cell, row, summaryRow, tag, when } from "/static/govuk.js";
import { pager, wholeNumber, withQuery } from "/static/listing.js";

const PAGE = 10;
const STATUSES = {
  pending: ["Waiting for a decision", "yellow"],
  match: ["Decided: match", "green"],
  non_match: ["Decided: not a match", "red"],
  superseded: ["Settled by linkage", "grey"],
};
const BANDS = { link: "Link", review: "Review", no_link: "No link" };
const RESOLUTIONS = {
  "same-person": "its records are now one person",
  "record-gone": "one of its records is no longer held",
  "below-review": "the current model scores it below the review band",
};
const FIELDS = [["partner", "Partner"], ["dataset", "Dataset"], ["given_name", "Given name"],
  ["family_name", "Family name"], ["date_of_birth", "Date of birth"], ["sex", "Sex"],
  ["address", "Address"], ["postcode", "Postcode"]];
const COMPARISONS = { given_name: "Given name", family_name: "Family name",
  dob: "Date of birth", address: "Address", sex: "Sex", nhs_number: "NHS number",
  uprn: "UPRN", postcode: "Postcode" };

const query = new URLSearchParams(location.search);
// the status of the pair on show, before a decision changes it
let shownStatus = null;

function wantedStatus() {
  const status = query.get("status");
  return Object.hasOwn(STATUSES, status) ? status : "pending";
}

function name(record) {
  return [record.given_name, record.family_name].filter(Boolean).join(" ") || "No name";
}

function percent(probability) {
  return `${(probability * 100).toLocaleString("en-GB", { maximumFractionDigits: 1 })}%`;
}

function records(n) {
  return `${n.toLocaleString("en-GB")} record${n === 1 ? " was" : "s were"}`;
}

async function showQueue() {
  const status = wantedStatus();
  const number = wholeNumber("page");
  const offset = (number - 1) * PAGE;
  // a page and one more: the API gives no total, so the extra one says a next page exists
  const pairs = await api("pseudonymiser",
    `/v1/review?status=${status}&limit=${PAGE + 1}&offset=${offset}`);
  const shown = pairs.slice(0, PAGE);
  document.getElementById(`status-${status}`).checked = true;
  document.getElementById("queue-caption").textContent = `${STATUSES[status][0]}, page ${number}`;
  document.getElementById("queue-paging").textContent = shown.length
    ? `The queue comes a page at a time, ${PAGE} pairs to a page, oldest first: this page `
      + `shows pairs ${offset + 1} to ${offset + shown.length}.`
    : `The queue comes a page at a time, ${PAGE} pairs to a page, oldest first.`;
  document.querySelector("#queue-table tbody").replaceChildren(...shown.map((p) => row(
    cell(el("a", { class: "govuk-link", href: withQuery({ pair: p.pair_id }) },
      p.records.map(name).join(" and ")), { header: true }),
    cell(p.records.map((r) => r.dataset).join(" and ")),
    cell(percent(p.probability), { numeric: true }),
    cell(BANDS[p.band]),
    cell(when(p.created_at)),
    cell(tag(STATUSES[p.status][0], STATUSES[p.status][1])))));
  document.getElementById("queue-table").hidden = !shown.length;
  document.getElementById("queue-empty").hidden = Boolean(shown.length);
  pager("queue-pages", {
    previous: number > 1 ? withQuery({ page: number > 2 ? number - 1 : null }) : null,
    next: pairs.length > PAGE ? withQuery({ page: number + 1 }) : null,
  });
  document.getElementById("filter").onsubmit = (event) => {
    event.preventDefault();
    const chosen = document.querySelector("#filter input[name=status]:checked").value;
    location.assign(withQuery({ status: chosen === "pending" ? null : chosen, page: null }));
  };
  document.getElementById("queue").hidden = false;
}

function weight(value) {
  const text = Math.abs(value).toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return value > 0 ? `+${text}` : value < 0 ? `\u2212${text}` : text;
}

// the model's names for its levels, where they say little to a person
function level(text) {
  if (text === "All other comparisons") return "Different";
  if (/ is NULL$/.test(text)) return "Not given in one or both";
  return text;
}

function evidenceTag(value) {
  if (value > 0) return tag("For a match", "green");
  if (value < 0) return tag("Against", "red");
  return tag("No evidence", "grey");
}

function showPair(pair) {
  shownStatus = pair.status;
  const [label, colour] = STATUSES[pair.status];
  const status = pair.resolution
    ? [tag(label, colour), ` because ${RESOLUTIONS[pair.resolution]}`] : tag(label, colour);
  document.getElementById("pair-summary").replaceChildren(
    summaryRow("Status", status),
    summaryRow("Match probability", percent(pair.probability)),
    summaryRow("Band under the current thresholds", BANDS[pair.band]),
    summaryRow("Scored by model", el("code", {}, pair.model_version)),
    summaryRow("Queued", when(pair.created_at)),
    ...(pair.decided_by ? [summaryRow("Decided by", pair.decided_by),
      summaryRow("Decided", when(pair.decided_at))] : []));
  const [first, second] = pair.records;
  document.querySelector("#records-table tbody").replaceChildren(...FIELDS.map(([key, title]) =>
    row(cell(title, { header: true }),
      cell(first ? first[key] ?? "Not given" : "No longer held"),
      cell(second ? second[key] ?? "Not given" : "No longer held"))));
  document.querySelector("#evidence-table tbody").replaceChildren(...pair.evidence.map((e) =>
    row(cell(COMPARISONS[e.comparison] || e.comparison, { header: true }), cell(level(e.level)),
      cell(evidenceTag(e.match_weight)), cell(weight(e.match_weight), { numeric: true }))));
  document.getElementById("evidence-table").hidden = !pair.evidence.length;
  document.getElementById("evidence-note").hidden = !pair.evidence.length;
  document.getElementById("evidence-missing").hidden = Boolean(pair.evidence.length);
}

function showError(shown) {
  document.getElementById("decide-errors").hidden = !shown;
  document.getElementById("decision-error").hidden = !shown;
  document.getElementById("decision-group").classList.toggle("govuk-form-group--error", shown);
  document.getElementById("decision-fieldset").setAttribute("aria-describedby",
    shown ? "decision-hint decision-error" : "decision-hint");
  document.title = `${shown ? "Error: " : ""}${document.title.replace(/^Error: /, "")}`;
}

function outcomeText(decision, outcome) {
  if (outcome.changes && decision === "match") {
    return `The two records' persons were merged into one: ${records(outcome.reassigned)} `
      + "re-assigned, and the services holding their data were told.";
  }
  if (outcome.changes) {
    return `The person was split: ${records(outcome.reassigned)} re-assigned, and the `
      + "services holding their data were told.";
  }
  return decision === "match"
    ? "Nothing was merged: the records were already one person, or one of them is no "
      + "longer held. The decision binds every later linkage."
    : "Nothing was split: the records were already different people, or one of them is "
      + "no longer held. The decision keeps them apart in every later linkage.";
}

async function decide(pairId) {
  const wasPending = shownStatus === "pending";
  const chosen = document.querySelector("#decide input[name=decision]:checked");
  showError(!chosen);
  document.getElementById("decided").hidden = true;
  if (!chosen) {
    document.getElementById("decide-errors").focus();
    return;
  }
  const outcome = await api("pseudonymiser", `/v1/review/${encodeURIComponent(pairId)}`,
    { method: "POST", body: { decision: chosen.value } });
  showPair(outcome.pair);
  chosen.checked = false;
  document.getElementById("decided-heading").textContent = chosen.value === "match"
    ? "Recorded: a match" : "Recorded: not a match";
  document.getElementById("decided-text").textContent = outcomeText(chosen.value, outcome)
    + (wasPending ? " The pair has left the queue of pairs waiting for a decision." : "");
  const [next] = await api("pseudonymiser", "/v1/review?status=pending&limit=1");
  document.getElementById("decided-next").replaceChildren(next
    ? el("a", { class: "govuk-link govuk-notification-banner__link",
      href: withQuery({ pair: next.pair_id, status: null, page: null }) },
    "Review the next pair waiting for a decision")
    : "No pair is waiting for a decision.");
  const banner = document.getElementById("decided");
  banner.hidden = false;
  banner.focus();
}

page(async () => {
  const pairId = query.get("pair");
  if (!pairId) {
    await showQueue();
    return;
  }
  const pair = await api("pseudonymiser", `/v1/review/${encodeURIComponent(pairId)}`);
  showPair(pair);
  document.getElementById("back-to-queue").href = withQuery({ pair: null });
  document.getElementById("decide").onsubmit = guard(async (event) => {
    event.preventDefault();
    await decide(pairId);
  });
  document.getElementById("pair").hidden = false;
});
