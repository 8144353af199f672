// Unlocking a flagged person: the purpose (one the sign-in holds) and a justification,
// checked here first so an incomplete request makes no unlock; the identity reidentify
// releases is shown on this page alone, once, and kept nowhere.
import { api, el, guard, page, Problem } from "/static/console.js";
import { day, identifier, showErrors, summaryRow } from "/static/govuk.js";
import { reasonText } from "/static/caseworker/reasons.js";

const form = document.getElementById("unlock");
// reidentify's limits for the body (UnlockBody)
const PSEUDONYM_MAX = 64;
const JUSTIFICATION_MIN = 20;
const JUSTIFICATION_MAX = 2000;

function purposeRadios(purposes) {
  return purposes.map((purpose, index) => {
    const id = `purpose-${index}`;
    return el("div", { class: "govuk-radios__item" },
      el("input", { class: "govuk-radios__input", id, name: "purpose", type: "radio", value: purpose }),
      el("label", { class: "govuk-label govuk-radios__label", for: id }, purpose));
  });
}

function checked() {
  const pseudonym = document.getElementById("pseudonym").value.trim();
  const purpose = form.querySelector("input[name=purpose]:checked")?.value || "";
  const justification = document.getElementById("justification").value.trim();
  const errors = [];
  if (!pseudonym) errors.push({ id: "pseudonym", message: "Enter the pseudonym of the person to unlock" });
  else if (pseudonym.length > PSEUDONYM_MAX) {
    errors.push({ id: "pseudonym", message: `The pseudonym must be ${PSEUDONYM_MAX} characters or fewer` });
  }
  if (!purpose) errors.push({ id: "purpose-0", message: "Choose the purpose of this unlock" });
  if (!justification) {
    errors.push({ id: "justification", message: "Enter why you need this person's identity" });
  } else if (justification.length < JUSTIFICATION_MIN) {
    errors.push({ id: "justification", message: `The justification must be ${JUSTIFICATION_MIN} characters or more` });
  } else if (justification.length > JUSTIFICATION_MAX) {
    errors.push({ id: "justification", message: `The justification must be ${JUSTIFICATION_MAX} characters or fewer` });
  }
  return { errors, body: { pseudonym, purpose, justification } };
}

function identityCard(subject, index, total) {
  const held = (value) => value || "Not held";
  return el("div", { class: "govuk-summary-card" },
    el("div", { class: "govuk-summary-card__title-wrapper" },
      el("h3", { class: "govuk-summary-card__title" },
        total > 1 ? `Person ${index + 1} of ${total}` : "Person")),
    el("div", { class: "govuk-summary-card__content" },
      el("dl", { class: "govuk-summary-list" },
        summaryRow("Given name", held(subject.given_name)),
        summaryRow("Family name", held(subject.family_name)),
        summaryRow("Date of birth", subject.date_of_birth ? day(subject.date_of_birth) : "Not held"),
        summaryRow("Address", held(subject.address)),
        summaryRow("Postcode", held(subject.postcode)))));
}

function released(pseudonym, reply) {
  document.getElementById("released-text").textContent =
    `This unlock is entry ${reply.access_id} in the access log.`;
  document.getElementById("identity-pseudonym").replaceChildren(identifier(pseudonym));
  document.getElementById("identity-cards").replaceChildren(...(reply.subjects.length
    ? reply.subjects.map((s, i) => identityCard(s, i, reply.subjects.length))
    : [el("p", { class: "govuk-body" }, "The identity service holds no identity for this pseudonym.")]));
  document.getElementById("unlock-section").hidden = true;
  document.getElementById("identity").hidden = false;
  const banner = document.getElementById("released");
  banner.hidden = false;
  banner.focus();
}

function refused(problem) {
  const { reason, access_id: entry } = problem.extra;
  document.getElementById("refused-reason").textContent = reasonText(reason) || problem.detail;
  document.getElementById("refused-entry").textContent =
    `This attempt is entry ${entry} in the access log.`;
  const banner = document.getElementById("refused");
  banner.hidden = false;
  banner.focus();
}

page(async ({ claims }) => {
  const wanted = new URLSearchParams(location.search).get("pseudonym");
  if (wanted) document.getElementById("pseudonym").value = wanted;
  document.getElementById("purposes").replaceChildren(...purposeRadios(claims.purposes || []));
  const none = !(claims.purposes || []).length;
  document.getElementById("no-purposes").hidden = !none;
  form.hidden = none;
  form.onsubmit = guard(async (event) => {
    event.preventDefault();
    document.getElementById("refused").hidden = true;
    const { errors, body } = checked();
    showErrors(form, errors);
    if (errors.length) return;
    try {
      released(body.pseudonym, await api("reidentify", "/v1/unlock", { method: "POST", body }));
    } catch (problem) {
      // an attempt reidentify logged and refused: said here, beside the form
      if (problem instanceof Problem && problem.extra.access_id !== undefined) return refused(problem);
      throw problem;
    }
  });
});
