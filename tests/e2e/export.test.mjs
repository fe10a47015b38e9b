// The Sessions view's export with and without "include secrets": what lands in the file, for a
// client-credentials run whose request carried the client secret and whose response a token.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import { launch } from "./driver.mjs";

const SECRET = "sandbox-service-secret";
// The default client authentication is client_secret_basic: the secret travels base64-encoded.
const BASIC = Buffer.from(`sandbox-service:${SECRET}`).toString("base64");

let app;
// A confirm() is open when the driver can read its text.
const alertOpen = (b) => b.getAlertText().then(() => true, () => false);

const exported = {}; // "json" / "json-secrets" / ... → { path, text }
before(async () => {
  app = await launch();
});
after(async () => {
  await app?.close();
});

/** Picks the format, ticks or unticks "include secrets", exports; returns the path and content. */
async function exportAs(b, format, includeSecrets) {
  await (await b.$('[data-testid="export-format"]')).selectByAttribute("value", format);
  const box = await b.$("label*=include secrets").$('input[type="checkbox"]');
  if ((await box.isSelected()) !== includeSecrets) await box.click();
  const notice = await b.$('[data-testid="notice"]');
  const before = (await notice.isExisting()) ? await notice.getText() : "";
  await (await b.$('[data-testid="export"]')).click();
  if (includeSecrets) {
    // The app asks first; WebDriver answers the confirm() as the user would.
    await b.waitUntil(() => alertOpen(b), { timeout: 10000, timeoutMsg: "expected a confirmation before exporting secrets" });
    assert.match(await b.getAlertText(), /secrets, tokens and codes in the clear/);
    await b.acceptAlert();
  }
  await b.waitUntil(async () => (await notice.isExisting()) && (await notice.getText()) !== before, { timeout: 10000, timeoutMsg: `a notice for the ${format} export` });
  const text = await notice.getText();
  const m = text.match(/^Exported (\(redacted\)|WITH SECRETS) to (\/\S+)$/);
  assert.ok(m, `unexpected notice: ${text}`);
  assert.equal(m[1], includeSecrets ? "WITH SECRETS" : "(redacted)");
  const path = m[2];
  assert.ok(existsSync(path), `the notice names ${path}, which does not exist`);
  return { path, text: readFileSync(path, "utf8") };
}

test("export from the Sessions view: redacted by default, secrets only when 'include secrets' is ticked and confirmed", async () => {
  const b = app.browser;
  await (await b.$('[data-testid="provider"]')).waitForDisplayed({ timeout: 20000 });
  await (await b.$('[data-testid="run"]')).click();
  const saved = await b.$('[data-testid="saved"]');
  await saved.waitForDisplayed({ timeout: 20000 });
  assert.match(await saved.getText(), /Flow succeeded — saved as session #1/);

  await (await b.$('[data-testid="nav-sessions"]')).click();
  const row = await b.$('[data-testid="session-row"] button.row');
  await row.waitForDisplayed({ timeout: 10000 });
  await row.click();

  // Ticked but not confirmed: nothing is written.
  const box = await b.$("label*=include secrets").$('input[type="checkbox"]');
  await box.click();
  await (await b.$('[data-testid="export"]')).click();
  await b.waitUntil(() => alertOpen(b), { timeout: 10000, timeoutMsg: "expected a confirmation before exporting secrets" });
  await b.dismissAlert();
  assert.equal(await (await b.$('[data-testid="notice"]')).isExisting(), false, "a dismissed confirmation exports nothing");
  await box.click();

  // Each export goes to a path of its own (format and redaction are in the name), so none
  // overwrites another.
  for (const format of ["json", "har"]) {
    exported[format] = await exportAs(b, format, false);
    exported[`${format}-secrets`] = await exportAs(b, format, true);
  }
  const paths = Object.values(exported).map((e) => e.path);
  assert.equal(new Set(paths).size, paths.length, `four distinct paths: ${paths.join(", ")}`);
  for (const e of Object.values(exported)) assert.ok(basename(e.path).startsWith("oauth-session-1"), e.path);

  // With secrets: the client credentials and the whole access token, signature included.
  const full = JSON.parse(exported["json-secrets"].text);
  assert.equal(full.redacted, false);
  assert.equal(JSON.parse(exported.json.text).redacted, true);
  const accessToken = full.session?.tokens?.access_token ?? "";
  const [, , signature] = accessToken.split(".");
  assert.ok(signature && !signature.includes("redacted"), `a signed access token in the unredacted export: ${accessToken.slice(0, 80)}`);
  for (const kind of ["json-secrets", "har-secrets"]) {
    assert.ok(exported[kind].text.includes(BASIC), `${kind}: the Basic client credentials are there`);
    assert.ok(exported[kind].text.includes(signature), `${kind}: the access token's signature is there`);
  }

  // Without: neither the secret (in any encoding) nor the token's signature, but the markers.
  for (const kind of ["json", "har"]) {
    const { text } = exported[kind];
    assert.ok(!text.includes(SECRET) && !text.includes(BASIC), `${kind}: the client secret is redacted`);
    assert.ok(!text.includes(signature), `${kind}: the access token is redacted`);
    assert.match(text, /<redacted:client_credentials>/, `${kind}: redaction is marked`);
  }
  assert.equal(JSON.parse(exported.har.text).log.version, "1.2");
  assert.equal(JSON.parse(exported["har-secrets"].text).log.version, "1.2");
});

// Unredacted exports are created 0600 (inspector_store::export::file::write_export).
test("an unredacted export is readable by its owner only (0600)", () => {
  assert.ok(exported["json-secrets"], "needs the export test");
  for (const kind of ["json-secrets", "har-secrets"]) {
    const mode = statSync(exported[kind].path).mode & 0o777;
    assert.equal(mode.toString(8), "600", `${kind} at ${exported[kind].path}`);
  }
});
