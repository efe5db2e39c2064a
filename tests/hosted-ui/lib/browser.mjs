// Debian's Chromium driven by playwright-core (no browser download: executablePath), and the checks every step of the
// page gets: axe-core in the light and the dark scheme (no serious or critical violation), no horizontal scrolling at
// 320 px, screenshots at 390 and 1280 px written to CHALLENGES_ARTIFACTS, and no CSP violation on the page.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium } from "playwright-core";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const executablePath = process.env.CHALLENGES_CHROMIUM || "/usr/bin/chromium";
export const artifacts = process.env.CHALLENGES_ARTIFACTS || path.resolve("artifacts");

/** Every axe result of the run: step, scheme, violations by impact. */
export const axeLog = [];

export async function launch() {
  return chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

/** The tenant's logo (Tenants__0__HostedPage__LogoUrl); offline, so every page is served this image at that URL. */
export const logoUrl = process.env.CHALLENGES_LOGO_URL;
const logoSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">
<rect width="40" height="40" rx="8" fill="#0b6e4f"/><text x="48" y="27" font-family="sans-serif" font-size="18" fill="#0b6e4f">Bank</text></svg>`;

/**
 * A page in a fresh context (its own cookies and storage), watching for CSP violations and script errors. The logo's
 * URL is answered by the test (Chromium checks the page's CSP before the request reaches this handler, so the policy is
 * the real one); every `securitypolicyviolation` event is kept in `window.cspViolations`.
 */
export async function newPage(browser, { locale = "en-GB", viewport = { width: 1280, height: 900 } } = {}) {
  const context = await browser.newContext({ locale, viewport });
  if (logoUrl) {
    await context.route(logoUrl, (route) => route.fulfill({ status: 200, contentType: "image/svg+xml", body: logoSvg }));
  }
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource/.test(message.text())) {
      page.problems.push(message.text());
    }
  });
  page.on("pageerror", (error) => page.problems.push(String(error)));
  return page;
}

/** Checks the step on screen (name: a file-safe label) and saves its screenshots. */
export async function checkStep(page, scenario, name) {
  const dir = path.join(artifacts, scenario);
  mkdirSync(dir, { recursive: true });
  const original = page.viewportSize();
  // axe-core is evaluated through the DevTools protocol, which the page's CSP does not govern (it allows no inline script).
  if (!(await page.evaluate(() => Boolean(window.axe)))) {
    await page.evaluate(axeSource);
  }
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    const violations = await page.evaluate(async () => {
      const run = await window.axe.run(document, { resultTypes: ["violations"] });
      return run.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) }));
    });
    const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    axeLog.push({ scenario, step: name, scheme, serious: serious.length, all: violations.map((v) => `${v.id}:${v.impact}`) });
    assert.deepEqual(serious, [], `axe found serious or critical violations on ${scenario}/${name} (${scheme})`);
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.screenshot({ path: path.join(dir, `${name}-${width}-${scheme}.png`), fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 320, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${scenario}/${name} scrolls sideways at 320 px by ${overflow} px`);
  await page.setViewportSize(original);
  assert.deepEqual(page.problems, [], `the page reported errors on ${scenario}/${name}`);
  assert.deepEqual(await cspViolations(page), [], `CSP violations on ${scenario}/${name}`);
}

/** The page's CSP violations so far: directive and blocked URL. */
export const cspViolations = (page) => page.evaluate(() => window.cspViolations);

/** The element that has focus: its id, or its tag and text. */
export const focused = (page) => page.evaluate(() => document.activeElement?.id || `${document.activeElement?.tagName}:${document.activeElement?.textContent}`);
