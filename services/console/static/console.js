// The console in the browser: sign-in with the council's identity provider (oidc-client-ts,
// authorisation code with PKCE), the user's roles read from the token as the services read
// them, calls to each service's API with the user's token, and problems shown by their
// title and detail alone. The console's server never sees the token or the data.
//
// Plain ES modules, no bundler: a handful of small files the browser loads as they are,
// so what runs is what is in the repository.

const config = await fetch("/config.json", { headers: { Accept: "application/json" } })
  .then((response) => response.json());

// oidc-client-ts's browser build, loaded by the layout before any module runs
const { UserManager, WebStorageStateStore } = window.oidc;

export const manager = new UserManager({
  authority: config.issuer,
  client_id: config.client_id,
  redirect_uri: `${location.origin}/callback`,
  post_logout_redirect_uri: `${location.origin}/signed-out`,
  response_type: "code",
  scope: config.scope,
  // the tab's own storage: gone when the tab closes, never sent to any server
  userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
  loadUserInfo: false,
  monitorSession: false,
  automaticSilentRenew: false,
});

export class Problem extends Error {
  // `extra`: the problem's other members (an unlock's reason and access_id)
  constructor(status, title, detail = "", service = "", extra = {}) {
    super(title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.service = service;
    this.extra = extra;
  }
}

function at(payload, path) {
  let value = payload;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object" || !(part in value)) return undefined;
    value = value[part];
  }
  return value;
}

function decode(token) {
  const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(part.padEnd(Math.ceil(part.length / 4) * 4, "="));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
}

function strings(value) {
  return Array.isArray(value) ? value.filter((v) => typeof v === "string") : [];
}

function bearer(user) {
  return config.bearer === "id_token" ? user.id_token : user.access_token;
}

// the token's claims under Tessera's names, through the deployment's claim mapping (the
// services' TOKEN_CLAIMS); they choose what the console offers, the services decide
export function claimsOf(user) {
  let payload = {};
  try {
    payload = decode(bearer(user));
  } catch {
    payload = {};
  }
  const mapping = config.claims;
  let roles = strings(at(payload, mapping.roles));
  const values = mapping.role_values || {};
  if (Object.keys(values).length) roles = roles.map((r) => values[r]).filter(Boolean);
  const profile = user.profile || {};
  // a scope claim is a space-separated string (RFC 9068) or a list, as the services read it
  const scope = at(payload, mapping.scopes);
  const partner = at(payload, mapping.partner);
  return {
    sub: typeof payload.sub === "string" ? payload.sub : "",
    name: profile.name || profile.preferred_username || payload.sub || "",
    roles: [...new Set(roles)].sort(),
    districts: strings(at(payload, mapping.districts)),
    purposes: strings(at(payload, mapping.purposes)),
    partner: typeof partner === "string" ? partner : "",
    scopes: typeof scope === "string" ? scope.split(" ").filter(Boolean) : strings(scope),
  };
}

export const session = (async () => {
  const user = await manager.getUser();
  if (!user || user.expired) {
    if (user) await manager.removeUser();
    return null;
  }
  return { user, claims: claimsOf(user) };
})();

export function allows(roles, claims, scopes = []) {
  return roles.some((role) => claims.roles.includes(role))
    || scopes.some((scope) => claims.scopes.includes(scope));
}

function words(value) {
  return (value || "").split(" ").filter(Boolean);
}

// whether a page or a link to it (its data-roles and data-scopes) is for this sign-in
export function offered(element, claims) {
  return allows(words(element.dataset.roles), claims, words(element.dataset.scopes));
}

// an element with text children only: data from an API never becomes markup
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// a count the disclosure rule hid (null) says so in words
export function count(value) {
  if (value === null || value === undefined) return el("span", { class: "app-hidden-count" }, "hidden");
  return value.toLocaleString("en-GB");
}

export function disclosureNote(note) {
  return `Counts from 1 to ${note.threshold - 1} are hidden, and more where a hidden one `
    + `could be worked out from those shown: ${note.hidden} of the ${note.counts} counts `
    + `here are hidden, ${note.secondary} of them to protect others.`;
}

const STANDBY = "urn:tessera:problem:standby";
const STANDBY_ATTEMPTS = 8;

export async function api(service, path, { method = "GET", body, accept = "application/json" } = {}) {
  const current = await session;
  if (!current) throw new Problem(401, "You are not signed in", "Sign in to see this page.");
  const base = config.services[service];
  if (!base) {
    throw new Problem(0, "Service not configured",
      `The console has no address for the ${service} service.`, service);
  }
  const headers = { Authorization: `Bearer ${bearer(current.user)}`, Accept: accept };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  // A pseudonymiser standby refuses the linkage writer's routes having done nothing, so
  // the request is sent again while the lease moves (Retry-After, a few times).
  for (let attempt = 1; ; attempt += 1) {
    let response;
    try {
      response = await fetch(base + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer",
      });
    } catch {
      throw new Problem(0, "Service unavailable",
        `The ${service} service could not be reached. Try again later.`, service);
    }
    if (response.ok) return accept.includes("json") ? response.json() : response.blob();
    let title = response.statusText || "Request failed";
    let detail = "";
    let extra = {};
    if ((response.headers.get("content-type") || "").includes("json")) {
      try {
        const problem = await response.json();
        if (typeof problem.title === "string") title = problem.title;
        if (typeof problem.detail === "string") detail = problem.detail;
        if (problem && typeof problem === "object") extra = problem;
      } catch {
        // not the problem+json every service sends: the status says enough
      }
    }
    if (response.status === 503 && extra.type === STANDBY && attempt < STANDBY_ATTEMPTS) {
      const wait = Math.min(Number(response.headers.get("Retry-After")) || 1, 5);
      await new Promise((done) => setTimeout(done, wait * 1000));
      continue;
    }
    throw new Problem(response.status, title, detail, service, extra);
  }
}

function state(name) {
  document.body.dataset.state = name;
}

// the error page for an API's problem: its title and detail (which name no person), the
// service and status, and a way on
export function showProblem(problem) {
  const box = document.getElementById("problem");
  const said = problem instanceof Problem ? problem
    : new Problem(0, "Sorry, there is a problem", "The page could not be shown. Try again later.");
  const ways = said.status === 401
    ? el("p", { class: "govuk-body" }, el("a", { class: "govuk-link", href: `/sign-in?return=${encodeURIComponent(location.pathname)}` }, "Sign in again"))
    : el("p", { class: "govuk-body" }, el("a", { class: "govuk-link", href: "/" }, "Go to the start page"));
  box.replaceChildren(
    el("h1", { class: "govuk-heading-l" }, said.title),
    said.detail ? el("p", { class: "govuk-body", id: "problem-detail" }, said.detail) : null,
    said.service ? el("p", { class: "govuk-body-s" },
      `The ${said.service} service answered${said.status ? ` with status ${said.status}` : " with nothing"}.`) : null,
    ways,
  );
  document.getElementById("content").hidden = true;
  box.hidden = false;
  state("problem");
}

// an event handler whose problems become the error page
export function guard(handler) {
  return async (...args) => {
    try {
      await handler(...args);
    } catch (error) {
      if (!(error instanceof Problem)) console.error(error);
      showProblem(error);
    }
  };
}

// Runs a role's page: signed out, or without one of the page's roles, the page says so
// and calls no API; otherwise `run` fetches and fills it. The body's data-state tells
// when it is done (tests and screen readers wait for the page, not a timer).
export async function page(run) {
  const current = await session;
  const body = document.getElementById("page");
  if (!current) {
    document.getElementById("page-signed-out").hidden = false;
    return state("signed-out");
  }
  if (!offered(body, current.claims)) {
    document.getElementById("page-refused").hidden = false;
    return state("refused");
  }
  try {
    await run({ claims: current.claims });
    body.hidden = false;
    state("ready");
  } catch (error) {
    if (!(error instanceof Problem)) console.error(error);
    showProblem(error);
  }
}

// where to go back to after signing in: a path on this console, nothing else
export function returnPath(value) {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//")
    && !value.includes("\\") ? value : "/";
}
