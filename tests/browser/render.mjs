// Render Mermaid diagrams in headless Chromium, as GitHub draws them in a
// pull request: `node render.mjs DIAGRAMS.json [SCREENSHOT.png]`.
//
// DIAGRAMS.json is an array of {"name": ..., "text": ...}. For each one,
// mermaid.render() runs in a page of Debian's Chromium (no browser is
// downloaded: CHROMIUM or /usr/bin/chromium), and one JSON line per
// diagram goes to stdout: {"name", "ok", "error", "svg_bytes"}. With a
// second argument, the first diagram is also shown alone in the page and
// screenshotted into that PNG. Exit 0 when every diagram rendered, 1
// otherwise, 2 when the browser could not start.

import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launch } from "./chromium.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const [input, screenshot] = process.argv.slice(2);
const diagrams = JSON.parse(readFileSync(input, "utf8"));
const { browser, close } = await launch("mermaid");

let failed = 0;
try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.setContent("<!doctype html><html><body><div id=out></div></body></html>");
  await page.addScriptTag({
    path: join(here, "node_modules/mermaid/dist/mermaid.min.js"),
  });
  // GitHub renders with strict security: no scripts, no click handlers.
  await page.evaluate(() =>
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" }),
  );
  for (const [i, { name, text }] of diagrams.entries()) {
    const result = await page.evaluate(
      async ({ id, text }) => {
        try {
          // parse() throws on a syntax error; render() draws the picture.
          await window.mermaid.parse(text);
          const { svg } = await window.mermaid.render(id, text);
          // An error can also come back drawn as Mermaid's error picture.
          const bad = svg.includes('aria-roledescription="error"');
          return { ok: !bad, error: bad ? "error picture" : null, svg_bytes: svg.length, svg };
        } catch (err) {
          return { ok: false, error: String(err && err.message ? err.message : err), svg_bytes: 0 };
        }
      },
      { id: `d${i}`, text },
    );
    if (!result.ok) failed += 1;
    if (i === 0 && screenshot && result.ok) {
      await page.evaluate((svg) => {
        document.getElementById("out").innerHTML = svg;
      }, result.svg);
      await page.setViewportSize({ width: 1400, height: 900 });
      await page.locator("#out svg").screenshot({ path: screenshot });
    }
    delete result.svg;
    console.log(JSON.stringify({ name, ...result }));
  }
} finally {
  await close();
}
process.exit(failed === 0 ? 0 : 1);
