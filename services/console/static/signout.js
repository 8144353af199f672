// Sign out: the token leaves this tab, then the identity provider ends its session where
// it offers to.
import { guard, manager } from "/static/console.js";

await guard(async () => {
  const user = await manager.getUser();
  await manager.removeUser();
  const endSession = await manager.metadataService.getEndSessionEndpoint().catch(() => undefined);
  if (endSession) {
    await manager.signoutRedirect({ id_token_hint: user ? user.id_token : undefined });
  } else {
    location.replace("/signed-out");
  }
})();
