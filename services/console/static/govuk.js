// GOV.UK Design System components filled from API data, as text only (el()): summary list
// rows, tags, table rows and cells, dates, and a form's errors (the error summary and each
// field's message).
import { ErrorSummary } from "/assets/govuk/govuk-frontend.min.js";
import { el } from "/static/console.js";

export function summaryRow(key, value) {
  return el("div", { class: "govuk-summary-list__row" },
    el("dt", { class: "govuk-summary-list__key" }, key),
    el("dd", { class: "govuk-summary-list__value" }, value));
}

export function tag(text, colour = "") {
  return el("strong", { class: `govuk-tag${colour ? ` govuk-tag--${colour}` : ""}` }, text);
}

export function row(...cells) {
  return el("tr", { class: "govuk-table__row" }, cells);
}

export function cell(content, { header = false, numeric = false } = {}) {
  const kind = header ? "govuk-table__header" : "govuk-table__cell";
  return el(header ? "th" : "td", {
    class: `${kind}${numeric ? ` ${kind}--numeric` : ""}`,
    scope: header ? "row" : undefined,
  }, content);
}

// a moment the API gave (ISO 8601) as people in England read it, in England's time; logs
// and audit trails show the second too
export function when(iso, { seconds = false } = {}) {
  if (!iso) return "";
  return new Date(iso).toLocaleString("en-GB", {
    day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
    ...(seconds ? { second: "2-digit" } : {}), timeZone: "Europe/London",
  });
}

export function day(iso) {
  return new Date(iso).toLocaleDateString("en-GB", {
    day: "numeric", month: "long", year: "numeric", timeZone: "Europe/London",
  });
}

// An identifier shown whole (a pseudonym, a batch id): it wraps, never truncated, and a
// triple click selects it to copy.
export function identifier(value) {
  return el("code", { class: "app-identifier" }, value);
}

// Marks a form's fields in error and puts the error summary before the form, focused, as
// the Design System's validation pattern says; `errors` are { id, message } in the
// order of the fields (`id`: the input the summary links to). No errors clears them.
export function showErrors(form, errors) {
  const holder = document.getElementById(`${form.id}-errors`);
  for (const group of form.querySelectorAll(".govuk-form-group--error")) {
    group.classList.remove("govuk-form-group--error");
  }
  for (const message of form.querySelectorAll(".govuk-error-message")) message.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.classList.remove("govuk-input--error", "govuk-textarea--error", "govuk-select--error");
  }
  for (const input of form.querySelectorAll("[data-described]")) {
    input.setAttribute("aria-describedby", input.dataset.described);
    input.removeAttribute("data-described");
  }
  document.title = document.title.replace(/^Error: /, "");
  holder.replaceChildren();
  if (!errors.length) return;
  document.title = `Error: ${document.title}`;
  for (const { id, message } of errors) {
    const input = document.getElementById(id);
    const group = input.closest(".govuk-form-group");
    group.classList.add("govuk-form-group--error");
    const messageId = `${group.dataset.field || id}-error`;
    const text = el("p", { class: "govuk-error-message", id: messageId },
      el("span", { class: "govuk-visually-hidden" }, "Error:"), ` ${message}`);
    // the message goes after the label or legend and hint, before the field
    const before = group.querySelector(".govuk-textarea, .govuk-input, .govuk-select, .govuk-radios");
    before.before(text);
    const described = group.querySelectorAll(".govuk-textarea, .govuk-input, .govuk-select, fieldset");
    for (const field of described) {
      field.dataset.described = field.getAttribute("aria-describedby") || "";
      field.setAttribute("aria-describedby", `${field.dataset.described} ${messageId}`.trim());
    }
    if (input.matches(".govuk-input, .govuk-textarea, .govuk-select")) {
      input.classList.add(`${input.classList[0]}--error`);
      input.setAttribute("aria-invalid", "true");
    }
  }
  const summary = el("div", { class: "govuk-error-summary", "data-module": "govuk-error-summary" },
    el("div", { role: "alert" },
      el("h2", { class: "govuk-error-summary__title" }, "There is a problem"),
      el("div", { class: "govuk-error-summary__body" },
        el("ul", { class: "govuk-list govuk-error-summary__list" },
          errors.map(({ id, message }) => el("li", {}, el("a", { href: `#${id}` }, message)))))));
  holder.replaceChildren(summary);
  // GOV.UK Frontend's own: it takes focus, and its links move to the field and its label
  new ErrorSummary(summary);
}
