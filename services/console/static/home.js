// The start page: signed in, the pages the user's roles allow, by section.
import { offered, session } from "/static/console.js";

const current = await session;
if (current) {
  document.getElementById("signed-out-intro").hidden = true;
  document.getElementById("signed-in-intro").hidden = false;
  let any = false;
  for (const section of document.querySelectorAll("[data-section]")) {
    let shown = false;
    for (const item of section.querySelectorAll("[data-roles]")) {
      item.hidden = !offered(item, current.claims);
      shown ||= !item.hidden;
    }
    section.hidden = !shown;
    any ||= shown;
  }
  document.getElementById("no-pages").hidden = any;
}
document.body.dataset.state = "ready";
