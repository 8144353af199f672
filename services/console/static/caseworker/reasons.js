// Why an unlock released nothing, in words, from the reason reidentify gives (the same
// for the unlock's answer and the caller's own unlocks).
const REASONS = {
  "no-active-flag": "No rule flags this person in your districts for this purpose.",
  purpose: "Your sign-in does not hold this purpose, or the agreements the flag's data came "
    + "under do not allow it.",
  consent: "The person has opted out of their information being used for this.",
  rate: "You have made as many unlocks as you may in an hour. Try again later.",
  unavailable: "The identity service did not answer. Try again later.",
  "pseudonymiser-unavailable": "The identity service did not answer.",
  "pseudonymiser-refused": "The identity service refused the request.",
  "not-permitted": "Your sign-in does not allow unlocking.",
  "invalid-request": "The request was incomplete.",
  cancelled: "The request was cancelled before anything was released.",
  internal: "Something went wrong in the service.",
};

export function reasonText(reason) {
  return REASONS[reason] || reason || "";
}
