// GOV.UK Frontend's tables and pagination for paged listings, filled from an API's data
// with text only (el()); summary rows and tags are govuk.js's.
import { el } from "/static/console.js";

export { summaryRow, tag } from "/static/govuk.js";

export function row(...cells) {
  return el("tr", { class: "govuk-table__row" }, cells);
}

export function cell(content, { numeric = false, header = false } = {}) {
  const kind = header ? "govuk-table__header" : "govuk-table__cell";
  return el(header ? "th" : "td", {
    class: `${kind}${numeric ? " govuk-table__cell--numeric app-numeric" : ""}`,
    ...(header ? { scope: "row" } : {}),
  }, content);
}

// a moment the API gave (ISO 8601), as people in the UK read it, to the second
export function when(value) {
  if (!value) return "";
  return new Date(value).toLocaleString("en-GB", {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    second: "2-digit", timeZone: "Europe/London",
  });
}

// The pagination of templates/pagination.html: a link is shown where there is a page to
// go to (previous, next: a URL or null)
export function pager(id, { previous = null, next = null }) {
  const nav = document.getElementById(id);
  for (const [part, href] of [["prev", previous], ["next", next]]) {
    const box = nav.querySelector(`.govuk-pagination__${part}`);
    box.hidden = !href;
    if (href) box.querySelector("a").href = href;
  }
  nav.hidden = !previous && !next;
}

// the page's own address with some query parameters changed (null removes one)
export function withQuery(changes) {
  const query = new URLSearchParams(location.search);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null || value === undefined) query.delete(name);
    else query.set(name, value);
  }
  const text = query.toString();
  return `${location.pathname}${text ? `?${text}` : ""}`;
}

// a positive whole number from the query (a page number), else the fallback
export function wholeNumber(name, fallback = 1) {
  const value = Number(new URLSearchParams(location.search).get(name));
  return Number.isInteger(value) && value >= 1 ? value : fallback;
}
