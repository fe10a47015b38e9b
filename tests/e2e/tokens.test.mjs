// The Token and Diagnose views: paste a token and see its checks; paste a failing request, let
// the app send it, and see why the API refused it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, paste, sandboxIssuer, shots } from "./driver.mjs";

let app;
let issuer;
before(async () => {
  app = await launch();
  issuer = await sandboxIssuer(app.browser);
});
after(async () => {
  await app?.close();
});

async function serviceToken(scope) {
  const r = await fetch(`${issuer}/token`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from("sandbox-service:sandbox-service-secret").toString("base64")}` },
    body: new URLSearchParams({ grant_type: "client_credentials", scope }),
  });
  return (await r.json()).access_token;
}

async function fill(b, testid, text, element) {
  await paste(b, element ?? (await b.$(`[data-testid="${testid}"]`)), text);
}

test("Token view: a pasted sandbox token is verified against the issuer's JWKS, a missing scope is named", async () => {
  const b = app.browser;
  await (await b.$('[data-testid="nav-token"]')).click();
  await fill(b, "token-input", await serviceToken("orders.read"));
  await fill(b, "token-issuer", issuer);
  await fill(b, "token-scope", "orders.read");
  await (await b.$('[data-testid="inspect"]')).click();
  const verdict = await b.$('[data-testid="verdict"]');
  await verdict.waitForDisplayed({ timeout: 15000 });
  assert.match(await verdict.getText(), /JWT · access_token — valid/);
  const checks = [];
  for (const c of await b.$$('[data-testid="check"]')) checks.push(await c.getProperty("textContent"));
  assert.ok(checks.some((c) => c.includes("✔ pass") && c.includes("signature")), checks.join("\n"));

  await fill(b, "token-scope", "orders.write");
  await (await b.$('[data-testid="inspect"]')).click();
  await b.waitUntil(async () => (await verdict.getText()).includes("insufficient_scope"), { timeout: 15000 });
  await b.saveScreenshot(join(shots, "desktop-token.png"));
});

test("Diagnose view: send a request the API refuses and get insufficient_scope first", async () => {
  const b = app.browser;
  await (await b.$('[data-testid="nav-diagnose"]')).click();
  const token = await serviceToken("orders.read");
  await fill(b, "diag-request", `POST ${issuer}/api/orders HTTP/1.1\nAuthorization: Bearer ${token}\n`);
  await (await b.$('[data-testid="diagnose"]')).click();
  const causes = await b.$('[data-testid="causes"]');
  await causes.waitForDisplayed({ timeout: 15000 });
  const first = await (await b.$$('[data-testid="cause"]'))[0].getText();
  assert.match(first, /^insufficient_scope/);
  assert.match(await (await b.$('[data-testid="diag-response"]')).getValue(), /HTTP\/1\.1 403/);
  await b.saveScreenshot(join(shots, "desktop-diagnose.png"));
});

test("Diagnose view: a token taken from a saved session goes into the request", async () => {
  const b = app.browser;
  // A run whose token may read orders but not create them.
  await (await b.$('[data-testid="nav-flows"]')).click();
  await (await b.$('[data-testid="tab-client_credentials"]')).click();
  const scope = await b.$("label*=Scope").$("input");
  await fill(b, null, "orders.read", scope);
  await (await b.$('[data-testid="run"]')).click();
  await b.waitUntil(async () => /Flow succeeded — saved as session #1/.test(await (await b.$('[data-testid="saved"]')).getText()), { timeout: 20000 });

  await (await b.$('[data-testid="nav-diagnose"]')).click();
  await fill(b, "diag-request", `POST ${issuer}/api/orders HTTP/1.1\n`);
  await fill(b, "diag-response", "");
  const pick = await b.$('[data-testid="diag-session"]');
  await pick.click();
  await b.waitUntil(async () => (await pick.$$("option")).length > 1, { timeout: 10000, timeoutMsg: "the session is offered" });
  await pick.selectByAttribute("value", "1");
  await (await b.$('[data-testid="diag-use-token"]')).click();
  // A placeholder the app fills as it sends: the token itself never enters the window.
  await b.waitUntil(async () => /Authorization: Bearer \{\{session:1:access_token\}\}/.test(await (await b.$('[data-testid="diag-request"]')).getValue()), { timeout: 10000 });
  await (await b.$('[data-testid="diagnose"]')).click();
  await b.waitUntil(async () => /^insufficient_scope/.test(await (await b.$$('[data-testid="cause"]'))[0]?.getText?.() ?? ""), {
    timeout: 15000,
    timeoutMsg: "the session's token lacks orders.write",
  });
  // What comes back shows the placeholder where the token went.
  const shown = await b.execute(() => document.documentElement.outerHTML);
  assert.match(await (await b.$('[data-testid="diag-response"]')).getValue(), /HTTP\/1\.1 403/);
  assert.ok(!/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{20,}/.test(shown), "no JWT anywhere in the page");
});
