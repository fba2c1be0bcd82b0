// Firefox run of the extension's test build (dist/test/firefox) for tests/browser/test_firefox.py: headless
// Firefox through WebDriver BiDi (puppeteer-core, no geckodriver), the extension installed as a
// temporary add-on, one spun page analysed by the real server. It reports what the page, the
// hovercard and the popup show as one JSON object on stdout; the pytest side compares that with
// the server's own answer. Progress and errors go to stderr.
//
//   node test/firefox/driver.mjs '<job JSON>'
//
// The job: {firefox, extension, uuid, settings, pageUrl, slider, commands, wordsPageUrl, framePages,
// refused, timeoutS, artifacts, scripts: {marks, markRect, markEdges}}; `uuid` is the moz-extension
// UUID the profile pins for the add-on (the server must allow moz-extension://<uuid>), `settings`
// go into storage.local before the page opens, and the scripts (source of `() => marks`,
// `index => rect` and `() => [{text, before, after}]`: each mark's text and the characters next to
// it in its block) read the marks in the page's main world.
// The report: {firefox (version), addon, firstRun: {tab, allowOrigin}, options: {allowOrigin},
// tab, state and article (the content script's answers), marks, hover: {mark, card},
// focus: {label, card} (card: the overlay's description of the hovercard), popup: {verdict,
// figures, server-status, site} (those elements' text), slider, commands, words,
// framePages: {name: {state, article, marks, painted}}, refused: {state, marks,
// popup: {server-status, verdict, figures, startHelpHidden, allowOrigin}}};
// allowOrigin: the --allow-origin help on that page, {hidden, text, command (its <code>)}.
// slider (optional) is {index}: with the popup still open on the page's tab, its sensitivity
// slider moves to that point of its scale; reported: {preview (what it says there before it is let
// go), state (the page's, once answered at that threshold), verdict, figures, threshold-value}
// (what the open popup then shows). The settings go back afterwards.
// nextSteps (optional, true): in the open popup, "Find the original" then "Copy report" clicked;
// reported: {searchesBefore, searches (the queries the search API got, kept by the test build),
// tabsBefore, tabsAfter, findStatus, report (the copied text, kept by the test build), copyStatus}.
// commands (optional) is {pageUrl, sequence: [command name]}: on a fresh page, each command in
// turn through the background's own dispatch (unspin.onCommand, what Firefox calls for the
// shortcut), reached from an extension page with runtime.getBackgroundPage(); reported: {article,
// steps: [{command, returned, overlay, active (the page's focused element's name)}],
// escapeClosesCard}.
// wordsPageUrl (optional): a page analysed on its own; reported: {state, article, marks (markEdges)}.
// slider, commands and words report {error} instead when they fail, and the run goes on.
// refused (optional) is {serverUrl, pageUrl}: a server started without --allow-origin, which
// refuses this install's origin; at the end the extension is pointed at it and pageUrl opened.
// refused also takes the secret of that server (the extension checks a server knows its secret
// before it sends any text).
// home (optional): the home folder Firefox runs with (`unspin browser-host install` put the browser
// host's manifest there); host (optional) is {serverUrl, pageUrl}: last, with no server at
// serverUrl and no secret known, pageUrl opened: the browser host starts the server; reported:
// {statuses: [status, indicator shown] as polled, state, marks, indicatorAfter (the indicator
// still on the page once the marks arrived), secretKept}.
// reading (optional) is {serverUrl, secret, pageUrl}: a server that holds each analysis a while;
// reported: {statuses (as for host), state, indicatorAfter}.
// locale (optional): the language Firefox runs in ("de": its language pack must be installed,
// Debian's firefox-esr-l10n-de); reported: i18n: {uiLanguage (the extension's
// i18n.getUILanguage()), lang and dir (the options page's <html>), title (its title), commands:
// {name: description}}.
// framePages (optional) lists more pages whose article is in a frame or a shadow root:
// [{name, url, frameUrl}]: the marks are read in the frame whose address is frameUrl (the page
// itself when absent); `painted` says whether the first mark's pixels change when the
// highlights setting goes off (the ::highlight() styles reach the marks).
// Screenshots go to `artifacts` (firefox-hovercard.png, firefox-popup.png: job.shots, when given,
// instead of "firefox" in those two names; firefox-<name>.png,
// firefox-popup-refused.png, firefox-starting.png, firefox-reading.png).
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const ADDON_ID = "unspin@unspin.invalid"; // browser_specific_settings.gecko.id (build.mjs)
const POLL_MS = 200;
const STEP_TIMEOUT_MS = 30000;
const ANALYSIS_TIMEOUT_MS = 120000; // the server on a busy machine
const SECTION_TIMEOUT_MS = 150000;
const PAGE_VIEWPORT = { width: 1100, height: 800 };
const POPUP_VIEWPORT = { width: 360, height: 520 };
const STEADY_MS = 2000; // the open popup's texts unchanged this long: it has settled
const POPUP_FOLLOW_MS = 30000;
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

/** A part of the run that reports on its own: its result, or {error} when it fails or takes
 *  longer than `ms` (the rest of the run goes on). */
function section(name, fn, ms = SECTION_TIMEOUT_MS) {
  return step(name, fn, ms).catch((error) => {
    log(`failed: ${error.stack || error}`);
    return { error: String(error.message || error) };
  });
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
    ...(job.home ? { env: { ...process.env, HOME: job.home } } : {}),
    extraPrefsFirefox: {
      ...OFFLINE_PREFS,
      // Firefox picks a random UUID per install; the test pins it to know the extension's origin.
      "extensions.webextensions.uuids": JSON.stringify({ [ADDON_ID]: job.uuid }),
      // The language Firefox asks for: its own and its add-ons' (a language pack provides it).
      ...(job.locale ? { "intl.locale.requested": job.locale } : {}),
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
  if (job.locale) {
    report.i18n = await step("the extension's language", () =>
      ext.evaluate(async () => ({
        uiLanguage: browser.i18n.getUILanguage(),
        lang: document.documentElement.lang,
        dir: document.documentElement.dir,
        title: document.title,
        commands: Object.fromEntries((await browser.commands.getAll()).map((c) => [c.name, c.description])),
      })),
    );
  }
  // It shows the --allow-origin command, as does the first-run page (opened on install).
  report.options = { allowOrigin: await allowOriginHelp(ext, `${origin}/options.html`, "allow-origin") };
  const welcome = `${origin}/welcome.html`;
  report.firstRun = {
    tab: await step("the first-run page's tab", () => tabOf(ext, welcome)),
    allowOrigin: await allowOriginHelp(ext, welcome, "allow-origin"),
  };
  const applySettings = () => ext.evaluate((settings) => browser.storage.local.set(settings), job.settings);
  await step("apply the settings", applySettings);

  const { page, tab, state, article } = await openAnalysed(browser, ext, job.pageUrl);
  Object.assign(report, { tab, state, article });
  report.marks = await step("read the marks", () => evaluateSource(page, job.scripts.marks));

  // The hovercard by pointer: over the first mark, then away. The overlay's shadow root is
  // closed, so the card is read from the content script's description of it (its state).
  const overlay = () => overlayOf(ext, tab);
  const openedBy = (by) => until(`the hovercard opened by ${by}`, async () => {
    const now = await overlay();
    return now.card.open && now.card.by === by && now;
  });
  const rect = await evaluateSource(page, job.scripts.markRect, 0);
  await page.mouse.move(rect.x, rect.y);
  report.hover = { mark: rect.text, card: (await openedBy("hover")).card };
  await page.screenshot({ path: join(job.artifacts, `${job.shots ?? "firefox"}-hovercard.png`) });
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
  const popup = await step("open the popup", () => openExtensionPage(browser, `${origin}/popup.html?tab=${tab}`, POPUP_VIEWPORT));
  report.popup = await popupTexts(popup, ["verdict", "figures", "server-status", "site"]);
  await popup.screenshot({ path: join(job.artifacts, `${job.shots ?? "firefox"}-popup.png`) });
  if (job.nextSteps) report.nextSteps = await section("find the original, copy the report", () => nextSteps(ext, popup));
  if (job.slider) {
    report.slider = await section("the open popup follows its slider", () => followSlider(ext, popup, tab, state, job.slider.index));
    await step("apply the settings again", applySettings);
  }
  await popup.close();

  if (job.commands) report.commands = await section("the keyboard commands", () => commands(browser, ext, job));
  if (job.wordsPageUrl) report.words = await section(`the marks on ${job.wordsPageUrl}`, () => words(browser, ext, job));

  report.framePages = {};
  for (const framePage of job.framePages ?? []) {
    report.framePages[framePage.name] = await step(`the article in ${framePage.url}`, () => framed(browser, job, ext, framePage), SECTION_TIMEOUT_MS);
  }
  if (job.refused) report.refused = await step("a server that refuses this origin", () => refused(browser, job, ext, origin), SECTION_TIMEOUT_MS);
  if (job.reading) report.reading = await section("the page says Unspin is reading", () => watchReading(browser, job, ext, job.reading));
  if (job.host) report.host = await section("the browser host starts the server", () => watchReading(browser, job, ext, { ...job.host, secret: "" }), 2 * SECTION_TIMEOUT_MS);
}

/** With these settings ({serverUrl, secret}), `pageUrl` opened: the statuses and indicator seen
 *  until it is answered (job.host, job.reading; see the top). */
async function watchReading(browser, job, ext, { serverUrl, secret, pageUrl }) {
  await ext.evaluate((settings) => browser.storage.local.set(settings), { serverUrl, secret });
  const page = await browser.newPage();
  await page.setViewport(PAGE_VIEWPORT);
  await page.goto(pageUrl);
  const tab = await tabOf(ext, pageUrl);
  const indicator = () => page.evaluate(() => !!document.querySelector("unspin-indicator"));
  const statuses = [];
  const shot = new Set();
  const state = await until("the page's answer through the started server", async () => {
    const now = await sendToTab(ext, tab, { type: "get-state" }).catch(() => null);
    const shown = await indicator();
    statuses.push([now?.status ?? null, shown]);
    const name = { launching: "starting", analysing: "reading" }[now?.status];
    if (name && shown && !shot.has(name)) {
      shot.add(name);
      await page.screenshot({ path: join(job.artifacts, `firefox-${name}.png`) });
    }
    return ["done", "error"].includes(now?.status) && now;
  }, 2 * ANALYSIS_TIMEOUT_MS);
  const marks = state.status === "done" ? await until("the marks", async () => {
    const found = await evaluateSource(page, job.scripts.marks);
    return found.length && found;
  }) : [];
  const indicatorGone = await comesTrue("the indicator to go", async () => !(await indicator()), 10000);
  const secretKept = await ext.evaluate(async () => (await browser.storage.local.get("secret")).secret);
  await page.close();
  return { statuses, state, marks, indicatorAfter: !indicatorGone, secretKept };
}

/** Open `url` in a new tab and wait until the extension analysed it: {page, tab, state, article}. */
async function openAnalysed(browser, ext, url) {
  const page = await browser.newPage();
  await page.setViewport(PAGE_VIEWPORT);
  await step(`open ${url}`, () => page.goto(url));
  const tab = await tabOf(ext, url);
  const state = await until(`the analysis of ${url}`, async () => {
    const now = await sendToTab(ext, tab, { type: "get-state" }).catch(() => null); // content script not ready yet
    if (now?.status === "error") throw new Error(`${url} reports an error: ${JSON.stringify(now.error)}`);
    return now?.status === "done" && now;
  }, ANALYSIS_TIMEOUT_MS);
  // The marks' originals follow the marks (background/suggestions.js): wait for every one.
  const article = await until(`the originals of ${url}'s marks`, async () => {
    const now = await sendToTab(ext, tab, { type: "get-article" });
    return now.paragraphs.every((p) => p.spans.every((s) => s.suggestions !== null)) && now;
  }, ANALYSIS_TIMEOUT_MS);
  return { page, tab, state, article };
}

/** A message to the content script of `tab`, sent from the extension page `ext`; its answer. */
function sendToTab(ext, tab, message) {
  return ext.evaluate((id, m) => browser.tabs.sendMessage(id, m), tab, message);
}

/** The overlay (marks' keyboard stops, hovercard, live region) as the content script describes it. */
async function overlayOf(ext, tab) {
  return (await sendToTab(ext, tab, { type: "get-state" })).overlay;
}

/** Whether `fn` comes true within `ms` (false instead of a timeout error). */
function comesTrue(what, fn, ms) {
  return until(what, fn, ms).then(() => true, () => false);
}

/** The popup open on `tab` (whose page answered with `before`): its slider moved to its index-th
 *  point as a reader drags it (input: what it says there; then change); what it shows once the
 *  page answered anew. */
async function followSlider(ext, popup, tab, before, index) {
  const shown = () => popupTexts(popup, ["verdict", "figures", "threshold-value"]);
  const was = await shown();
  const preview = await popup.evaluate((value) => {
    const slider = document.getElementById("threshold");
    slider.value = String(value);
    slider.dispatchEvent(new Event("input"));
    return document.getElementById("threshold-value").textContent;
  }, index);
  await popup.evaluate(() => document.getElementById("threshold").dispatchEvent(new Event("change")));
  const state = await until(`the page's answer at the scale's point ${index}`, async () => {
    const now = await sendToTab(ext, tab, { type: "get-state" });
    return now.status === "done" && JSON.stringify(now.summary) !== JSON.stringify(before.summary) && now;
  }, ANALYSIS_TIMEOUT_MS);
  // The page's state reports reach the open popup, which passes through "Analysing…" on the way:
  // report what it shows once that differs from before and has held for STEADY_MS (what it still
  // shows after POPUP_FOLLOW_MS when it does not follow).
  const answer = ({ verdict, figures }) => JSON.stringify([verdict, figures]);
  let last = was;
  let since = Date.now();
  await comesTrue("the popup to settle on the new answer", async () => {
    const now = await shown();
    if (answer(now) !== answer(last)) since = Date.now();
    last = now;
    return answer(now) !== answer(was) && Date.now() - since >= STEADY_MS;
  }, POPUP_FOLLOW_MS);
  return { preview, state, ...last };
}

/** job.nextSteps in the open popup (see the top of this file). */
async function nextSteps(ext, popup) {
  const stored = (key) => ext.evaluate(async (k) => (await browser.storage.local.get(k))[k] ?? null, key);
  const tabs = () => ext.evaluate(async () => (await browser.tabs.query({})).length);
  const status = () => popup.evaluate(() => document.getElementById("action-status").textContent);
  await ext.evaluate(() => browser.storage.local.set({ testSearches: [], testReport: null }));
  const tabsBefore = await tabs();
  await until("Find the original to be offered", () => popup.evaluate(() => !document.getElementById("find-original").disabled));
  const searchesBefore = await stored("testSearches");
  await popup.click("#find-original");
  const searches = await until("the search", async () => (await stored("testSearches"))?.length && stored("testSearches"));
  const tabsAfter = await until("the search's tab", async () => (await tabs()) > tabsBefore && tabs());
  const findStatus = await until("the popup to say what it searched", status);
  await popup.bringToFront();
  await popup.click("#copy-report");
  const report = await until("the copied report", () => stored("testReport"));
  const copyStatus = await until("the popup to say it copied", async () => (await status()) !== findStatus && status());
  return { searchesBefore, searches, tabsBefore, tabsAfter, findStatus, report, copyStatus };
}

/** job.commands on a fresh page (see the top of this file). */
async function commands(browser, ext, job) {
  const { page, tab, article } = await openAnalysed(browser, ext, job.commands.pageUrl);
  await page.bringToFront(); // the focused tab, as where a reader presses the shortcut
  const steps = [];
  for (const command of job.commands.sequence) {
    const returned = await ext.evaluate(async (name, id) => (await browser.runtime.getBackgroundPage()).unspin.onCommand(name, { id }), command, tab);
    steps.push({
      command,
      returned,
      overlay: await overlayOf(ext, tab),
      active: await page.evaluate(() => document.activeElement?.localName ?? null),
    });
  }
  await page.keyboard.press("Escape");
  const escapeClosesCard = await comesTrue("Escape to close the card", async () => !(await overlayOf(ext, tab)).card.open, 10000);
  await page.close();
  return { article, steps, escapeClosesCard };
}

/** job.wordsPageUrl: what the extension sent and marked there, each mark with its neighbours. */
async function words(browser, ext, job) {
  const { page, state, article } = await openAnalysed(browser, ext, job.wordsPageUrl);
  const marks = await evaluateSource(page, job.scripts.markEdges);
  await page.screenshot({ path: join(job.artifacts, "firefox-words.png") });
  await page.close();
  return { state, article, marks };
}

/** The popup's elements' text (by id), once it knows the server's status (in any language). */
async function popupTexts(popup, ids) {
  await until("the popup's server status", () => popup.evaluate(() => "ok" in document.getElementById("server").dataset));
  return popup.evaluate((ids) => Object.fromEntries(ids.map((id) => [id, document.getElementById(id).innerText])), ids);
}

/** The extension pointed at job.refused.serverUrl (a server without --allow-origin): what the
 *  page at job.refused.pageUrl and its popup show. */
async function refused(browser, job, ext, origin) {
  const { serverUrl, pageUrl, secret } = job.refused;
  await ext.evaluate((settings) => browser.storage.local.set(settings), { serverUrl, secret });
  const page = await browser.newPage();
  await page.setViewport(PAGE_VIEWPORT);
  await page.goto(pageUrl);
  const tab = await tabOf(ext, pageUrl);
  const state = await until("the page's answer from the refusing server", async () => {
    const now = await sendToTab(ext, tab, { type: "get-state" }).catch(() => null);
    return ["done", "error"].includes(now?.status) && now;
  }, ANALYSIS_TIMEOUT_MS);
  const marks = await evaluateSource(page, job.scripts.marks);
  const popupUrl = `${origin}/popup.html?tab=${tab}`;
  const popup = await openExtensionPage(browser, popupUrl, POPUP_VIEWPORT);
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
  const { page, state, article } = await openAnalysed(browser, ext, url);
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
