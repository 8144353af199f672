// The access log's verification, run by reidentify when asked: the chain, the signed heads
// in each copy, and the pseudonymiser's releases.
import { api, el, guard, page } from "/static/console.js";
import { summaryRow, tag, when } from "/static/govuk.js";

const PROBLEMS = {
  chain: "an entry was changed, removed or moved (the chain breaks)",
  truncated: "the log ends before an entry a signed head vouches for",
  "head-mismatch": "an entry differs from what its signed head says",
  "head-signature": "a signed head's signature does not hold",
  "head-key": "a head is signed by a key that is not trusted",
  "heads-missing": "entries older than the signing interval have no signed head, or one copy lacks heads the other holds",
  "heads-differ": "the copies of the signed heads disagree",
  "heads-unavailable": "a copy of the signed heads could not be read",
  "release-unlogged": "the pseudonymiser released an identity the log does not account for",
  "releases-unavailable": "the pseudonymiser's record of releases could not be read",
};
const COPIES = { file: "reidentify's export", gateway: "the gateway's copy", other: "the exported copy" };

function counted(value, none = "Could not be read") {
  return value === null || value === undefined ? none : value.toLocaleString("en-GB");
}

function signedHeads(result) {
  const problems = result.problems.filter((p) => p.startsWith("head") || p === "truncated");
  if (problems.length) {
    return [tag("Not verified", "red"),
      ` ${result.bad_signed_heads.toLocaleString("en-GB")} do not hold: ${problems.join(", ")}`];
  }
  if (!Object.values(result.copies).some(Boolean)) return "None yet";
  return tag("Verified", "green");
}

function show(result) {
  const chainBroken = result.problems.includes("chain");
  document.getElementById("verification").replaceChildren(
    summaryRow("Result", result.valid ? tag("Valid", "green") : tag("Not valid", "red")),
    summaryRow("Checked", when(result.verified_at, { seconds: true })),
    summaryRow("Entries in the log", counted(result.entries)),
    summaryRow("Chain", chainBroken
      ? [tag("Broken", "red"), ` from entry ${result.first_bad_seq}`]
      : tag("Intact", "green")),
    summaryRow("Newest entry's hash", result.head ? el("code", { class: "app-break-all" }, result.head) : "No entries"),
    summaryRow("Signed heads", signedHeads(result)),
    ...Object.entries(result.copies).map(([name, heads]) =>
      summaryRow(`Heads in ${COPIES[name] || name}`, counted(heads))),
    summaryRow("Newest signed entry", result.last_signed_seq ?? "None yet"),
    summaryRow("Entries not signed yet", counted(result.unsigned_entries)),
    summaryRow("Heads one copy lacks", counted(result.missing_heads)),
    summaryRow("Releases checked against the log", counted(result.releases_checked, "Not checked")),
    summaryRow("Releases the log does not account for", counted(result.unlogged_releases, "Not checked")));
  document.getElementById("problems").replaceChildren(...result.problems.map((p) =>
    el("li", {}, `${p}: ${PROBLEMS[p] || "see docs/security.md"}`)));
  document.getElementById("invalid").hidden = result.valid;
}

async function verify() {
  const result = await api("reidentify", "/v1/access-log/verify");
  show(result);
  return result;
}

page(async () => {
  await verify();
  document.getElementById("verify-again").onclick = guard(async () => {
    const banner = document.getElementById("verified");
    banner.hidden = true;
    const result = await verify();
    document.getElementById("verified-text").textContent =
      `Verified again at ${when(result.verified_at, { seconds: true })}: the log is ${result.valid ? "valid" : "not valid"}.`;
    banner.hidden = false;
    banner.focus();
  });
});
