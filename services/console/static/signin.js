// Sign in: to the identity provider (authorisation code with PKCE), then back to the page
// the user came from.
import { guard, manager, returnPath } from "/static/console.js";

const returnTo = returnPath(new URLSearchParams(location.search).get("return"));
await guard(() => manager.signinRedirect({ state: { returnTo } }))();
