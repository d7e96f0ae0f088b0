// Headless Chromium for the browser tests: Debian's Chromium (no browser is
// downloaded: CHROMIUM or /usr/bin/chromium) in a fresh profile, with the
// same flags for every script (no sandbox in containers, no network or
// first-run work of its own). A persistent context is how playwright takes
// a fresh --user-data-dir.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// Start the browser with `options` added (a viewport, say). Returns the
// browser and a `close` that also removes the profile; when Chromium cannot
// start, says why, runs `onFailure` and exits with 2.
export async function launch(name, options = {}, onFailure = () => {}) {
  const profile = mkdtempSync(join(tmpdir(), `oc2otel-${name}-`));
  const removeProfile = () => rmSync(profile, { recursive: true, force: true });
  try {
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      headless: true,
      args: FLAGS,
      ...options,
    });
    const close = async () => {
      await browser.close();
      removeProfile();
    };
    return { browser, close };
  } catch (err) {
    console.error(`cannot start chromium: ${err.message}`);
    onFailure();
    removeProfile();
    process.exit(2);
  }
}
