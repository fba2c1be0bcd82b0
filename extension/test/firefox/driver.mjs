// Firefox run of the built extension (dist/firefox) for tests/browser/test_firefox.py: headless
// Firefox through WebDriver BiDi (puppeteer-core, no geckodriver), the extension installed as a
// temporary add-on, one spun page analysed by the real server. It reports what the page, the
// hovercard and the popup show as one JSON object on stdout; the pytest side compares that with
// the server's own answer. Progress and errors go to stderr.
//
//   node test/firefox/driver.mjs '<job JSON>'
//
// The job: {firefox, extension, uuid, settings, pageUrl, framePages, refused, timeoutS, artifacts,
// scripts: {marks, markRect}}; `uuid` is the moz-extension UUID the profile pins for the add-on (the server must
// allow moz-extension://<uuid>), `settings` go into storage.local before the page opens, and the
// scripts (source of `() => marks` and `index => rect`) read the marks in the page's main world.
// The report: {firefox (version), addon, firstRun: {tab, allowOrigin}, options: {allowOrigin},
// tab, state and article (the content script's answers), marks, hover: {mark, card},
// focus: {label, card} (card: the overlay's description of the hovercard), popup: {verdict,
// figures, server-status, site} (those elements' text), framePages: {name: {state, article,
// marks, painted}}, refused: {state, marks, popup: {server-status, verdict, figures,
// startHelpHidden, allowOrigin}}};
// allowOrigin: the --allow-origin help on that page, {hidden, text, command (its <code>)}.
// refused (optional) is {serverUrl, pageUrl}: a server started without --allow-origin, which
// refuses this install's origin; at the end the extension is pointed at it and pageUrl opened.
// framePages (optional) lists more pages whose article is in a frame or a shadow root:
// [{name, url, frameUrl}]: the marks are read in the frame whose address is frameUrl (the page
// itself when absent); `painted` says whether the first mark's pixels change when the
// highlights setting goes off (the ::highlight() styles reach the marks).
// Screenshots go to `artifacts` (firefox-hovercard.png, firefox-popup.png, firefox-<name>.png,
// firefox-popup-refused.png).
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const ADDON_ID = "unspin@unspin.invalid"; // browser_specific_settings.gecko.id (build.mjs)
const POLL_MS = 200;
const STEP_TIMEOUT_MS = 30000;
const TAB_PRESSES = 20; // the page's own links come before the marks

// A fresh profile must not reach out (the tests run without internet: refused connections slow
// start-up down or stall it). puppeteer's own profile already turns off updates, Normandy,
// safe browsing and health reports; these cover the rest.
const OFFLINE_PREFS = {
  "app.update.auto": false,
  "browser.discovery.enabled": false,
  "browser.ping-centre.telemetry": false,
  "browser.region.network.url": "",
  "browser.region.update.enabled": false,
  "browser.safebrowsing.update.enabled": false,
  "datareporting.policy.dataSubmissionEnabled": false,
  "extensions.blocklist.enabled": false,
  "extensions.getAddons.showPane": false,
  "extensions.systemAddon.update.enabled": false,
  "geo.provider.network.url": "",
  "identity.fxaccounts.enabled": false,
  "media.gmp-gmpopenh264.enabled": false,
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "network.dns.disablePrefetch": true,
  "network.prefetch-next": false,
  "network.trr.mode": 5,
  "security.remote_settings.crlite_filters.enabled": false,
  "security.remote_settings.intermediates.enabled": false,
  "services.settings.server": "http://127.0.0.1:9/remote-settings",
  "toolkit.telemetry.archive.enabled": false,
  "toolkit.telemetry.enabled": false,
  "toolkit.telemetry.server": "",
  "toolkit.telemetry.unified": false,
};

const started = Date.now();
const log = (message) => console.error(`[firefox ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Run one named step within `ms`; a step that takes longer fails with its name. */
async function step(name, fn, ms = STEP_TIMEOUT_MS) {
  log(name);
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s: ${name}`)), ms);
  });
  try {
    return await Promise.race([fn(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Poll `fn` until it returns a truthy value; the last value goes into the timeout message. */
async function until(what, fn, ms = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(POLL_MS);
  }
  throw new Error(`timed out after ${ms / 1000} s waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** Evaluate a function given as source text (owned by the pytest side) with one argument. */
function evaluateSource(page, source, arg) {
  return page.evaluate(`(${source})(${JSON.stringify(arg ?? null)})`);
}

function launch(job) {
  return puppeteer.launch({
    browser: "firefox",
    executablePath: job.firefox,
    headless: true,
    // Lets BiDi navigate a tab to moz-extension:// pages (the popup, as the Chromium tests open it).
    args: ["--remote-allow-system-access"],
    extraPrefsFirefox: {
      ...OFFLINE_PREFS,
      // Firefox picks a random UUID per install; the test pins it to know the extension's origin.
      "extensions.webextensions.uuids": JSON.stringify({ [ADDON_ID]: job.uuid }),
    },
    timeout: STEP_TIMEOUT_MS,
    protocolTimeout: STEP_TIMEOUT_MS,
  });
}

/**
 * A new tab showing an extension page. page.goto() waits for navigation events Firefox does not
 * send when a tab moves into the extension's process, so the tab navigates through BiDi directly
 * (browsingContext.navigate, wait "none") and then waits for the page's document.
 */
async function openExtensionPage(browser, url, viewport) {
  const page = await browser.newPage();
  if (viewport) await page.setViewport(viewport);
  await page.mainFrame().browsingContext.navigate(url, "none");
  await page.waitForFunction((want) => location.href === want && document.readyState === "complete", { timeout: STEP_TIMEOUT_MS }, url);
  return page;
}

/**
 * The --allow-origin help (the element `id`) on the extension page open in a tab at `url`, once
 * that page filled it in. Read through `ext` (an extension page), from the extension's own view
 * of its pages: puppeteer cannot see into tabs the extension opened itself (the first-run page).
 */
function allowOriginHelp(ext, url, id) {
  return until(`#${id} on ${url}`, () =>
    ext.evaluate((url, id) => {
      const view = browser.extension.getViews({ type: "tab" }).find((w) => w.location.href === url);
      const help = view?.document.readyState === "complete" && view.document.getElementById(id);
      if (!help || (!help.hidden && !help.textContent)) return null; // not there or not filled in yet
      return { hidden: help.hidden, text: help.innerText, command: help.querySelector("code")?.textContent ?? null };
    }, url, id),
  );
}

async function run(browser, job, report) {
  const origin = `moz-extension://${job.uuid}`;
  report.firefox = await browser.version();
  report.addon = await step("install the extension", () => browser.installExtension(job.extension));

  // An extension page is where the tests reach the extension's APIs (storage, tabs).
  const ext = await step("open the options page", () => openExtensionPage(browser, `${origin}/options.html`));
  // It shows the --allow-origin command, as does the first-run page (opened on install).
  report.options = { allowOrigin: await allowOriginHelp(ext, `${origin}/options.html`, "allow-origin") };
  const welcome = `${origin}/welcome.html`;
  report.firstRun = {
    tab: await step("the first-run page's tab", () => tabOf(ext, welcome)),
    allowOrigin: await allowOriginHelp(ext, welcome, "allow-origin"),
  };
  await step("apply the settings", () => ext.evaluate((settings) => browser.storage.local.set(settings), job.settings));
  const toTab = (tabId, message) => ext.evaluate((id, m) => browser.tabs.sendMessage(id, m), tabId, message);

  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 800 });
  await step(`open ${job.pageUrl}`, () => page.goto(job.pageUrl));
  report.tab = await until("the page's tab", () =>
    ext.evaluate(async (url) => (await browser.tabs.query({})).find((tab) => tab.url === url)?.id, job.pageUrl),
  );
  report.state = await until("the analysis", async () => {
    const state = await toTab(report.tab, { type: "get-state" }).catch(() => null); // content script not ready yet
    if (state?.status === "error") throw new Error(`the page reports an error: ${JSON.stringify(state.error)}`);
    return state?.status === "done" && state;
  }, 120000);
  report.article = await toTab(report.tab, { type: "get-article" });
  report.marks = await step("read the marks", () => evaluateSource(page, job.scripts.marks));

  // The hovercard by pointer: over the first mark, then away. The overlay's shadow root is
  // closed, so the card is read from the content script's description of it (its state).
  const overlay = async () => (await toTab(report.tab, { type: "get-state" })).overlay;
  const openedBy = (by) => until(`the hovercard opened by ${by}`, async () => {
    const now = await overlay();
    return now.card.open && now.card.by === by && now;
  });
  const rect = await evaluateSource(page, job.scripts.markRect, 0);
  await page.mouse.move(rect.x, rect.y);
  report.hover = { mark: rect.text, card: (await openedBy("hover")).card };
  await page.screenshot({ path: join(job.artifacts, "firefox-hovercard.png") });
  await page.mouse.move(5, 5);
  await until("the hovercard to close", async () => !(await overlay()).card.open);

  // The hovercard by keyboard: Tab from the top of the page reaches the first mark.
  await page.mouse.click(2, 2);
  let presses = 0;
  while (!(await page.evaluate(() => document.activeElement?.localName === "unspin-overlay"))) {
    if (++presses > TAB_PRESSES) throw new Error(`Tab never reached a mark in ${TAB_PRESSES} presses`);
    await page.keyboard.press("Tab");
  }
  const focused = await openedBy("focus");
  report.focus = { label: focused.label, card: focused.card };

  // The popup, opened as a page for the tab (as the Chromium tests do).
  const popup = await step("open the popup", () =>
    openExtensionPage(browser, `${origin}/popup.html?tab=${report.tab}`, { width: 360, height: 520 }),
  );
  report.popup = await popupTexts(popup, ["verdict", "figures", "server-status", "site"]);
  await popup.screenshot({ path: join(job.artifacts, "firefox-popup.png") });
  await popup.close();

  report.framePages = {};
  for (const framePage of job.framePages ?? []) {
    report.framePages[framePage.name] = await step(`the article in ${framePage.url}`, () => framed(browser, job, ext, framePage), 150000);
  }
  if (job.refused) report.refused = await step("a server that refuses this origin", () => refused(browser, job, ext, origin), 150000);
}

/** The popup's elements' text (by id), once it knows the server's status. */
async function popupTexts(popup, ids) {
  await until("the popup's server status", () =>
    popup.evaluate(() => document.getElementById("server-status").textContent !== "Server: checking…"),
  );
  return popup.evaluate((ids) => Object.fromEntries(ids.map((id) => [id, document.getElementById(id).innerText])), ids);
}

/** The extension pointed at job.refused.serverUrl (a server without --allow-origin): what the
 *  page at job.refused.pageUrl and its popup show. */
async function refused(browser, job, ext, origin) {
  const { serverUrl, pageUrl } = job.refused;
  await ext.evaluate((url) => browser.storage.local.set({ serverUrl: url }), serverUrl);
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 800 });
  await page.goto(pageUrl);
  const tab = await tabOf(ext, pageUrl);
  const state = await until("the page's answer from the refusing server", async () => {
    const now = await ext.evaluate((id) => browser.tabs.sendMessage(id, { type: "get-state" }), tab).catch(() => null);
    return ["done", "error"].includes(now?.status) && now;
  }, 120000);
  const marks = await evaluateSource(page, job.scripts.marks);
  const popupUrl = `${origin}/popup.html?tab=${tab}`;
  const popup = await openExtensionPage(browser, popupUrl, { width: 360, height: 520 });
  const texts = await popupTexts(popup, ["server-status", "verdict", "figures"]);
  const shown = {
    ...texts,
    startHelpHidden: await popup.evaluate(() => document.getElementById("start-help").hidden),
    allowOrigin: await allowOriginHelp(ext, popupUrl, "allow-origin-help"),
  };
  await popup.screenshot({ path: join(job.artifacts, "firefox-popup-refused.png"), fullPage: true });
  await popup.close();
  await page.close();
  return { state, marks, popup: shown };
}

/** The tab id of the page at `url`. */
function tabOf(ext, url) {
  return until(`the tab of ${url}`, () => ext.evaluate(async (want) => (await browser.tabs.query({})).find((tab) => tab.url === want)?.id, url));
}

/** A page whose article is in a frame or a shadow root (job.framePages): what it shows. */
async function framed(browser, job, ext, { name, url, frameUrl }) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 800 });
  await page.goto(url);
  const tab = await tabOf(ext, url);
  const toTab = (message) => ext.evaluate((id, m) => browser.tabs.sendMessage(id, m), tab, message);
  const state = await until(`the analysis of ${name}`, async () => {
    const now = await toTab({ type: "get-state" }).catch(() => null);
    if (now?.status === "error") throw new Error(`${name} reports an error: ${JSON.stringify(now.error)}`);
    return now?.status === "done" && now;
  }, 120000);
  const article = await toTab({ type: "get-article" });
  const frame = frameUrl ? await until(`the frame ${frameUrl}`, () => page.frames().find((f) => f.url() === frameUrl)) : page.mainFrame();
  const marks = await evaluateSource(frame, job.scripts.marks);
  // Painted: the first mark's pixels with the highlights on, then off.
  const clipOf = async () => {
    const rect = await evaluateSource(frame, job.scripts.markRect, 0);
    const box = frameUrl ? await (await frame.frameElement()).boundingBox() : { x: 0, y: 0 };
    return { x: box.x + rect.left, y: box.y + rect.top, width: rect.width, height: rect.height };
  };
  const clip = await clipOf();
  const on = await page.screenshot({ clip });
  await page.screenshot({ path: join(job.artifacts, `firefox-${name}.png`) });
  await ext.evaluate(() => browser.storage.local.set({ highlights: false }));
  await until(`${name}: highlights off`, async () => (await evaluateSource(frame, job.scripts.marks)).length === 0);
  const off = await page.screenshot({ clip });
  await ext.evaluate(() => browser.storage.local.set({ highlights: true }));
  await page.close();
  return { state, article, marks, painted: !Buffer.from(on).equals(Buffer.from(off)) };
}

/** Close Firefox (which removes puppeteer's temporary profile); kill it when it does not close. */
async function shutdown(browser) {
  if (!browser) return;
  const closed = await Promise.race([browser.close().then(() => true, () => false), sleep(10000).then(() => false)]);
  if (!closed) {
    console.error("[firefox] Firefox did not close: killing it");
    browser.process()?.kill("SIGKILL");
  }
}

async function main() {
  const job = JSON.parse(process.argv[2]);
  const report = {};
  let browser = null;
  // The whole run has a deadline too: Firefox is closed and the reason printed before the caller
  // gives up on this process.
  const deadline = setTimeout(() => {
    console.error(`[firefox] the run took longer than ${job.timeoutS} s`);
    process.exitCode = 1;
    shutdown(browser).finally(() => process.exit(1));
  }, job.timeoutS * 1000);
  try {
    browser = await step("start Firefox", () => launch(job), 60000);
    await run(browser, job, report);
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } catch (error) {
    console.error(`[firefox] failed: ${error.stack || error}`);
    console.error(`[firefox] seen so far: ${JSON.stringify(report)}`);
    process.exitCode = 1;
  } finally {
    clearTimeout(deadline);
    await shutdown(browser);
  }
}

await main();
