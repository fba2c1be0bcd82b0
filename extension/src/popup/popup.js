// Toolbar popup: the page verdict, highlight/threshold/site controls, server status,
// restored view. Opened as a page, ?tab=<id> names the tab to describe.
// Every figure and the verdict are the server's summary of the article (never recounted here);
// the popup follows the page's state reports live, so it changes as soon as the page does.
import browser from "webextension-polyfill";
import { listen, MESSAGES, requestPageState, requestRescan, requestServerStatus } from "../shared/messages.js";
import { retrySeconds, STATUS, statusText } from "../shared/page-status.js";
import { getSettings, setSettings, START_COMMANDS } from "../shared/settings.js";
import { initRunControls, showRunControls } from "./run-controls.js";
import { refusedBrowser, showAllowOrigin } from "../shared/allow-origin.js";
import { initDismissed, showDismissed } from "./dismissed.js";
import { showMarks } from "./marks-list.js";
import { $ } from "../shared/controls.js";

async function targetTab() {
  const param = new URLSearchParams(location.search).get("tab");
  if (param) return Number(param);
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

function percent(x) {
  return `${Math.round(x * 100)}%`;
}

let busyTick = 0;

function showState(state) {
  clearTimeout(busyTick); // a busy server: the seconds count down until the page reports again
  if (state?.status === STATUS.BUSY) busyTick = setTimeout(() => showState(state), retrySeconds(state) > 1 ? 1000 : 250);
  const box = $("verdict-box");
  if (!state) {
    $("verdict").textContent = "Unspin does not run on this page";
    $("figures").textContent = "Only web pages (http and https) are checked.";
    return;
  }
  const s = state.summary; // the server's
  if (s && state.status !== STATUS.DISABLED) {
    box.dataset.verdict = s.verdict;
    $("verdict").textContent = s.verdict[0].toUpperCase() + s.verdict.slice(1);
    const spanWord = s.spans === 1 ? "span" : "spans";
    $("figures").textContent = `${percent(s.spun_ratio)} of words spun · ${s.spans} ${spanWord} · ${s.words} words`;
    if (state.skipped) {
      const some = state.skipped === 1 ? "1 paragraph" : `${state.skipped} paragraphs`;
      $("figures").textContent += ` · ${some} not analysed (the article is too long)`;
    }
    if (state.status === STATUS.ANALYSING) $("figures").textContent += " · analysing…";
    if (state.status === STATUS.BUSY) $("figures").textContent += ` · ${statusText(state).toLowerCase()}`;
  } else {
    delete box.dataset.verdict;
    $("verdict").textContent = statusText(state);
    $("figures").textContent = state.status === STATUS.ERROR && state.error ? state.error.message : "";
  }
  showRunControls(state);
  const hasText = state.status !== STATUS.DISABLED && (state.paragraphs || 0) > 0 && (state.analysed || 0) > 0;
  $("restored").disabled = !hasText;
}

/** The server's status (null: not known yet), with what the page's last request met (state). */
function showServer(status, state) {
  if (!status) return;
  const refused = refusedBrowser(status, state);
  const launching = !status.ok && state?.status === STATUS.LAUNCHING; // the browser host is starting it
  $("server").dataset.ok = launching ? "starting" : String(status.ok && !refused); // starting: not an error
  $("server-help").hidden = (status.ok && !refused) || launching;
  $("start-help").hidden = refused; // it runs: it needs a restart with this browser allowed
  if (refused) {
    $("server-status").textContent = `The server at ${status.serverUrl} refused this browser.`;
  } else if (launching) {
    $("server-status").textContent = `Server: starting at ${status.serverUrl}…`;
  } else if (status.ok) {
    const model = status.health.model || {};
    $("server-status").textContent = `Server: running at ${status.serverUrl} · model ${model.name || "?"} ${model.version || ""}`.trim();
  } else {
    $("server-status").textContent =
      status.error.kind === "down" ? `Server not reachable at ${status.serverUrl}` : `Server problem: ${status.error.message}`;
  }
  // Firefox: the server refuses this install's origin until it is allowed.
  if (refused) showAllowOrigin($("allow-origin-help"), browser.runtime.getURL(""));
  else $("allow-origin-help").hidden = true;
}

/** How to start the server, from the one list of start commands (settings.js). */
function showStartCommands() {
  const [first, ...others] = START_COMMANDS.map((command) => Object.assign(document.createElement("code"), { textContent: command }));
  first.id = "start-command";
  const help = $("start-help");
  help.replaceChildren("Start it on this computer, from the Unspin folder: ", first);
  for (const other of others) help.append(" (or, once installed: ", other, ")");
  help.append(".");
}

/**
 * The threshold setting; null: the model's own, which only the server knows (status: the server
 * status, null while unknown). Without a reachable server there is no default to show.
 */
function showThreshold(threshold, status) {
  const slider = $("threshold");
  const known = threshold ?? (status?.ok ? status.health.model?.threshold : null);
  slider.disabled = typeof known !== "number";
  if (typeof known !== "number") {
    $("threshold-value").textContent = status ? "model default (server not reachable)" : "model default";
    return;
  }
  slider.value = String(known);
  $("threshold-value").textContent = `${known.toFixed(2)}${threshold == null ? " (model default)" : ""}`;
}

async function main() {
  const tabId = await targetTab();
  // The page's corrections and marks follow its state too (the toolbar popup closes once a mark
  // is chosen, so the page has the focus).
  const showCorrections = (state) => {
    showDismissed(state);
    showMarks(tabId, !new URLSearchParams(location.search).has("tab"));
  };
  initDismissed();
  const settings = await getSettings();
  $("highlights").checked = settings.highlights;
  showStartCommands();
  showThreshold(settings.threshold, null);

  let status = null; // the server's, once known
  let state = null; // the page's
  // The page reports every change of its state (analysing, answered, disabled): follow it.
  listen({
    [MESSAGES.PAGE_STATE]: (message, sender) => {
      if (tabId != null && sender.tab?.id === tabId) {
        const wasLaunching = state?.status === STATUS.LAUNCHING;
        state = message.state;
        showState(state);
        showCorrections(state);
        showServer(status, state);
        // The browser host has started the server (or failed to): ask it again.
        if (wasLaunching && state.status !== STATUS.LAUNCHING) {
          requestServerStatus().then((now) => {
            status = now;
            showServer(status, state);
          });
        }
      }
    },
  });
  state = tabId != null ? await requestPageState(tabId) : null;
  showState(state);
  showCorrections(state);
  initRunControls(tabId, settings, state);

  status = await requestServerStatus();
  showServer(status, state);
  showThreshold(settings.threshold, status);
  // The server came back since the page gave up: try the page again (not when it refused this
  // browser: that takes a restart with --allow-origin, then Retry).
  if (status.ok && state?.status === STATUS.ERROR && !refusedBrowser(status, state)) requestRescan(tabId);

  $("highlights").addEventListener("change", () => setSettings({ highlights: $("highlights").checked }));
  $("threshold").addEventListener("input", () => ($("threshold-value").textContent = Number($("threshold").value).toFixed(2)));
  $("threshold").addEventListener("change", () => {
    settings.threshold = Number($("threshold").value);
    setSettings({ threshold: settings.threshold });
  });
  $("threshold-reset").addEventListener("click", async () => {
    settings.threshold = null;
    await setSettings({ threshold: null });
    showThreshold(null, status);
  });
  $("retry").addEventListener("click", async () => {
    status = await requestServerStatus();
    showServer(status, state);
    showThreshold(settings.threshold, status);
    await requestRescan(tabId);
  });
  $("restored").addEventListener("click", () => browser.tabs.create({ url: browser.runtime.getURL(`restored.html?tab=${tabId}`) }));
}

main();
