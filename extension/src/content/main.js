// Content script entry: starts the page features (highlighter, hovercard, session, observer),
// each with init(signal); one AbortController tears them all down (site disabled, etc.).
import browser from "webextension-polyfill";
import { listen, MESSAGES, sendPageState } from "../shared/messages.js";
import { STATUS } from "../shared/page-status.js";
import { DEFAULTS, getSettings } from "../shared/settings.js";
import * as frames from "./frames.js";
import * as gate from "./gate.js";
import * as dismissalsFeature from "./dismissals.js";
import * as highlighterFeature from "./highlighter.js";
import * as hovercardFeature from "./hovercard.js";
import * as observerFeature from "./observer.js";
import * as indicatorFeature from "./reading-indicator.js";
import * as sessionFeature from "./session.js";

// Set on this script's own global (the isolated world, which page scripts cannot reach) by the
// first copy in a page: a second injection leaves the page to it.
const RUNNING = "__unspinContentScript";

let settings = null;
let run = null; // {controller, highlighter, hovercard, session, indicator}
let lastState = { status: STATUS.STARTING };

function report(state) {
  lastState = state;
  const speaks = frames.speaksForTab(state.status);
  run?.indicator?.update(speaks ? state : { status: STATUS.NO_ARTICLE }); // shown by the frame that speaks
  if (!speaks) return; // the article is in a child frame: it reports
  sendPageState({ ...state, hostname: location.hostname, url: location.href });
}

/** An error in one feature must not break the others: log it, carry on without it. */
function safely(name, fn) {
  try {
    return fn();
  } catch (error) {
    console.debug(`Unspin: ${name} failed`, error);
    return null;
  }
}

function start() {
  const controller = new AbortController();
  const { signal } = controller;
  const highlighter = highlighterFeature.init(signal);
  highlighter.setVisible(settings.highlights);
  let session = null;
  const hovercard = safely("hovercard", () =>
    hovercardFeature.init(signal, highlighter, () => session?.ordered() ?? [], (mark) => session?.needSuggestions(mark)));
  hovercard?.setVisible(settings.highlights);
  const dismissals = dismissalsFeature.init(signal, settings.dismissed, () => session?.refilter());
  const indicator = safely("indicator", () => indicatorFeature.init(signal));
  session = sessionFeature.init(signal, { highlighter, hovercard, report, hides: dismissals.hides });
  safely("observer", () =>
    observerFeature.init(signal, { onRemoved: session.validate, onChanged: session.scan, onNavigated: session.reset }),
  );
  run = { controller, highlighter, hovercard, session, indicator };
  session.scan();
}

function stop() {
  run?.controller.abort();
  run = null;
}

/** Start or stop by the site switch, the tab's pause and on-demand mode (gate.js). */
function update() {
  const idle = gate.idleStatus(settings, !!run);
  if (idle) {
    stop();
    report({ status: idle });
  } else if (!run) start();
}

function onStorageChanged(changes, area) {
  if (area !== "local") return;
  for (const [key, { newValue }] of Object.entries(changes)) settings[key] = newValue ?? DEFAULTS[key];
  if (gate.GATE_SETTINGS.some((key) => key in changes)) update();
  if (!run) return;
  if ("highlights" in changes) {
    run.highlighter.setVisible(settings.highlights);
    run.hovercard?.setVisible(settings.highlights);
  }
  if ("serverUrl" in changes || "threshold" in changes || "ignore" in changes) run.session.refresh();
}

const handlers = {
  [MESSAGES.ANALYZE_PAGE]: async () => {
    gate.request();
    if (run) run.session.scan();
    else update();
    return !!run;
  },
  [MESSAGES.SET_PAUSED]: async ({ paused }) => {
    gate.setPaused(paused);
    update();
    return true;
  },
  [MESSAGES.GET_STATE]: async () => ({
    ...(run ? run.session.state() : lastState),
    overlay: run?.hovercard?.describe?.() ?? null, // test builds only
    hostname: location.hostname,
    url: location.href,
  }),
  [MESSAGES.GET_ARTICLE]: async () => (run ? run.session.article() : null),
  [MESSAGES.RESCAN]: async () => {
    run?.session.refresh();
    return true;
  },
  [MESSAGES.MOVE_MARK]: async ({ direction }) => run?.hovercard?.moveMark(direction < 0 ? -1 : 1) ?? false,
  [MESSAGES.SHOW_MARK]: async ({ index }) => (Number.isInteger(index) && run?.hovercard?.showMark(index)) || false,
};

// Messages every frame acts on; the rest ask about the tab, and only the frame that speaks for
// it answers them (frames.js).
/** @type {Set<string>} */
const FOR_EVERY_FRAME = new Set([MESSAGES.RESCAN, MESSAGES.ANALYZE_PAGE, MESSAGES.SET_PAUSED]);

function forTab(all) {
  const status = () => (run ? run.session.state() : lastState).status;
  return Object.fromEntries(
    Object.entries(all).map(([type, handler]) => [
      type,
      FOR_EVERY_FRAME.has(type) ? handler : (message, sender) => (frames.speaksForTab(status()) ? handler(message, sender) : undefined),
    ]),
  );
}

async function boot() {
  if (globalThis[RUNNING]) return; // injected twice: the first copy owns the page
  globalThis[RUNNING] = true;
  if (!frames.mayHoldArticle()) return; // a frame without the tab's article stays silent
  settings = await getSettings();
  listen(forTab(handlers));
  browser.storage.onChanged.addListener(onStorageChanged);
  update();
}

if (typeof CSS !== "undefined" && CSS.highlights) boot();
