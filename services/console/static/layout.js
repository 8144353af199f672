// Every page: GOV.UK Frontend's components, the navigation entries the user's roles allow,
// and sign-in or sign-out.
import { initAll } from "/assets/govuk/govuk-frontend.min.js";
import { offered, session } from "/static/console.js";

const current = await session;
const here = `${location.pathname}${location.search}`;
// every way to sign in comes back here
for (const link of document.querySelectorAll('a[href="/sign-in"]')) {
  link.href = `/sign-in?return=${encodeURIComponent(here)}`;
}
document.getElementById("account-signed-out").hidden = Boolean(current);
document.getElementById("account-signed-in").hidden = !current;
for (const item of document.querySelectorAll("#navigation [data-roles]")) {
  item.hidden = !current || !offered(item, current.claims);
}
if (current) {
  const who = document.getElementById("signed-in-as");
  const roles = current.claims.roles.length ? current.claims.roles.join(", ") : "none";
  const partner = current.claims.partner ? ` Partner: ${current.claims.partner}.` : "";
  who.textContent = `Signed in as ${current.claims.name}. Roles: ${roles}.${partner}`;
  who.hidden = false;
}
initAll();
