// Paging a listing: GOV.UK Frontend's pagination and the page's query (its rows and cells
// are govuk.js's).
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
