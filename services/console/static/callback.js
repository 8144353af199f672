// Back from the identity provider: the code is exchanged for the tokens (with the PKCE
// verifier), kept in this tab's storage, and the user goes on to where they were going.
import { Problem, manager, returnPath, showProblem } from "/static/console.js";

try {
  const user = await manager.signinRedirectCallback();
  location.replace(returnPath(user.state && user.state.returnTo));
} catch (error) {
  // the provider's own words (access denied, an expired request), never a token
  showProblem(new Problem(0, "Sign-in did not finish",
    error && error.message ? error.message : "Try signing in again."));
}
