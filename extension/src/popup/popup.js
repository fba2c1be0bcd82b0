// Toolbar popup: the page verdict, highlight/threshold/site controls, server status,
// restored view and search. Opened as a page, ?tab=<id> names the tab to describe.
import browser from "webextension-polyfill";
import { leadSentence, restoreText } from "../shared/restore.js";
import { requestArticle, requestPageState, requestRescan, requestServerStatus } from "../shared/messages.js";
import { getSettings, setSettings, START_COMMANDS } from "../shared/settings.js";

const $ = (id) => document.getElementById(id);
const STATUS_TEXT = {
  starting: "Checking this page…",
  analysing: "Analysing…",
  "no-article": "No article found on this page",
  "too-long": "This article is too long to analyse",
  disabled: "Unspin is off on this site",
  error: "Could not analyse this page",
};

async function targetTab() {
  const param = new URLSearchParams(location.search).get("tab");
  if (param) return Number(param);
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

function percent(x) {
  return `${Math.round(x * 100)}%`;
}

function showState(state) {
  const box = $("verdict-box");
  if (!state) {
    $("verdict").textContent = "Unspin does not run on this page";
    $("figures").textContent = "Only web pages (http and https) are checked.";
    return;
  }
  const s = state.summary;
  if (state.status === "done" || (s && s.paragraphs > 0 && state.status !== "disabled")) {
    box.dataset.verdict = s.verdict;
    $("verdict").textContent = s.verdict[0].toUpperCase() + s.verdict.slice(1);
    const spanWord = s.spans === 1 ? "span" : "spans";
    $("figures").textContent = `${percent(s.spunRatio)} of words spun · ${s.spans} ${spanWord} · ${s.words} words`;
    if (state.skipped) {
      const last = state.skipped === 1 ? "the last paragraph" : `the last ${state.skipped} paragraphs`;
      $("figures").textContent += ` · ${last} not analysed (the article is too long)`;
    }
    if (state.status === "analysing") $("figures").textContent += " · analysing…";
  } else {
    delete box.dataset.verdict;
    $("verdict").textContent = STATUS_TEXT[state.status] || state.status;
    $("figures").textContent = state.status === "error" && state.error ? state.error.message : "";
  }
  if (state.hostname) $("site").textContent = state.hostname;
  $("disable-site").disabled = !state.hostname;
  const hasText = state.status !== "disabled" && (state.paragraphs || 0) > 0 && (state.analysed || 0) > 0;
  $("restored").disabled = !hasText;
  $("search").disabled = !hasText;
}

function showServer(status, threshold) {
  $("server").dataset.ok = String(status.ok);
  $("server-help").hidden = status.ok;
  if (status.ok) {
    const model = status.health.model || {};
    $("server-status").textContent = `Server: running at ${status.serverUrl} · model ${model.name || "?"} ${model.version || ""}`.trim();
    if (threshold == null && typeof model.threshold === "number") setThresholdView(model.threshold, true);
  } else {
    $("server-status").textContent =
      status.error.kind === "down" ? `Server not running at ${status.serverUrl}` : `Server problem: ${status.error.message}`;
    $("start-command").textContent = START_COMMANDS[0];
  }
}

function setThresholdView(value, isDefault) {
  $("threshold").value = String(value);
  $("threshold-value").textContent = `${Number(value).toFixed(2)}${isDefault ? " (model default)" : ""}`;
}

/** Headline (or the lead sentence) with every top suggestion applied. */
function restoredQuery(article) {
  const headline = article.paragraphs.find((p) => p.kind === "headline");
  if (headline) return restoreText(headline.text, headline.spans);
  const body = article.paragraphs.find((p) => p.kind === "body");
  return body ? leadSentence(restoreText(body.text, body.spans)) : article.title;
}

async function main() {
  const tabId = await targetTab();
  const settings = await getSettings();
  $("highlights").checked = settings.highlights;
  setThresholdView(settings.threshold ?? 0.5, settings.threshold == null);

  const state = tabId != null ? await requestPageState(tabId) : null;
  showState(state);
  $("disable-site").checked = state?.status === "disabled";

  const status = await requestServerStatus();
  showServer(status, settings.threshold);
  // The server came back since the page gave up: try the page again.
  if (status.ok && state?.status === "error") requestRescan(tabId);

  $("highlights").addEventListener("change", (e) => setSettings({ highlights: e.target.checked }));
  $("threshold").addEventListener("input", (e) => setThresholdView(e.target.value, false));
  $("threshold").addEventListener("change", (e) => setSettings({ threshold: Number(e.target.value) }));
  $("threshold-reset").addEventListener("click", async () => {
    await setSettings({ threshold: null });
    const model = status.ok ? status.health.model : null;
    setThresholdView(model?.threshold ?? 0.5, true);
  });
  $("disable-site").addEventListener("change", async (e) => {
    const { disabledSites } = await getSettings();
    const site = state.hostname;
    const next = e.target.checked ? [...new Set([...disabledSites, site])] : disabledSites.filter((s) => s !== site);
    await setSettings({ disabledSites: next });
    setTimeout(async () => showState(await requestPageState(tabId)), 300);
  });
  $("retry").addEventListener("click", async () => {
    showServer(await requestServerStatus(), settings.threshold);
    await requestRescan(tabId);
    setTimeout(async () => showState(await requestPageState(tabId)), 1500);
  });
  $("restored").addEventListener("click", () => browser.tabs.create({ url: browser.runtime.getURL(`restored.html?tab=${tabId}`) }));
  $("search").addEventListener("click", async () => {
    const article = await requestArticle(tabId);
    if (!article) return;
    const { searchUrl } = await getSettings();
    browser.tabs.create({ url: searchUrl.replace("%s", encodeURIComponent(restoredQuery(article))) });
  });

  // Keep the verdict current while the server works.
  if (state && state.status === "analysing") {
    const timer = setInterval(async () => {
      const next = await requestPageState(tabId);
      showState(next);
      if (!next || next.status !== "analysing") clearInterval(timer);
    }, 700);
  }
}

main();
