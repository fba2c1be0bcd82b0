// Content script entry: registers the page features (features.js: one init(context) each, one
// guard), starts them when Unspin works in this page and stops them all with one AbortController
// (site disabled, tab paused); answers the popup's and the background's messages for the page.
import browser from "webextension-polyfill";
import { listen, MESSAGES, sendPageState } from "../shared/messages.js";
import { STATUS } from "../shared/page-status.js";
import { DEFAULTS, getSettings } from "../shared/settings.js";
import * as features from "./features.js";
import * as frames from "./frames.js";
import * as gate from "./gate.js";
import * as dismissals from "./dismissals.js";
import * as highlighter from "./highlighter.js";
import * as hovercard from "./hovercard.js";
import * as observer from "./observer.js";
import * as indicator from "./reading-indicator.js";
import * as session from "./session.js";

// In this order: each reads those before it at start, and those after only when called.
features.add("highlighter", highlighter.init);
features.add("hovercard", hovercard.init);
features.add("dismissals", dismissals.init);
features.add("indicator", indicator.init);
features.add("session", session.init);
features.add("observer", observer.init);

// Set on this script's own global (the isolated world, which page scripts cannot reach) by the
// first copy in a page: a second injection leaves the page to it.
const RUNNING = "__unspinContentScript";

/** @type {import("../shared/settings.js").Settings} */
let settings = DEFAULTS;
/** @type {?{controller: AbortController, features: import("./features.js").Features, session: import("./session.js").Session}} */
let run = null;
/** @type {import("../shared/message-types.js").PageState} */
let lastState = { status: STATUS.STARTING };

/** @param {import("../shared/message-types.js").PageState} state */
function report(state) {
  lastState = state;
  const speaks = frames.speaksForTab(state.status);
  run?.features.indicator?.update(speaks ? state : { status: STATUS.NO_ARTICLE }); // shown by the frame that speaks
  if (!speaks) return; // the article is in a child frame: it reports
  sendPageState({ ...state, hostname: location.hostname, url: location.href });
}

function start() {
  const controller = new AbortController();
  const started = features.start({ signal: controller.signal, settings, report });
  if (!started.session) {
    controller.abort(); // without the session there is nothing to show (features.js logged why)
    return;
  }
  run = { controller, features: started, session: started.session };
  run.session.scan();
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

/** @param {Record<string, import("webextension-polyfill").Storage.StorageChange>} changes @param {string} area */
function onStorageChanged(changes, area) {
  if (area !== "local") return;
  const changed = Object.entries(changes).filter(([key]) => Object.hasOwn(DEFAULTS, key));
  settings = { ...settings, ...Object.fromEntries(changed.map(([key, { newValue }]) => [key, newValue ?? DEFAULTS[/** @type {keyof DEFAULTS} */ (key)]])) };
  if (gate.GATE_SETTINGS.some((key) => key in changes)) update();
  if (!run) return;
  if ("highlights" in changes) {
    run.features.highlighter?.setVisible(settings.highlights);
    run.features.hovercard?.setVisible(settings.highlights);
  }
  if ("serverUrl" in changes || "threshold" in changes || "ignore" in changes) run.session.refresh();
}

/** @type {import("../shared/message-types.js").Handlers<import("../shared/message-types.js").RuntimeMessages, unknown>} */
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
    overlay: run?.features.hovercard?.describe?.() ?? null, // test builds only
    hostname: location.hostname,
    url: location.href,
  }),
  [MESSAGES.GET_ARTICLE]: async () => (run ? run.session.article() : null),
  [MESSAGES.RESCAN]: async () => {
    run?.session.refresh();
    return true;
  },
  [MESSAGES.MOVE_MARK]: async ({ direction }) => run?.features.hovercard?.moveMark(direction < 0 ? -1 : 1) ?? false,
  [MESSAGES.SHOW_MARK]: async ({ index }) => (Number.isInteger(index) && run?.features.hovercard?.showMark(index)) || false,
};

// Messages every frame acts on; the rest ask about the tab, and only the frame that speaks for
// it answers them (frames.js).
/** @type {Set<string>} */
const FOR_EVERY_FRAME = new Set([MESSAGES.RESCAN, MESSAGES.ANALYZE_PAGE, MESSAGES.SET_PAUSED]);

/** The handlers of messages about the tab answer only in the frame that speaks for it.
 *  @param {typeof handlers} all @returns {typeof handlers} */
function forTab(all) {
  const status = () => (run ? run.session.state() : lastState).status;
  return Object.fromEntries(
    Object.entries(all).map(([type, handler]) => [
      type,
      FOR_EVERY_FRAME.has(type)
        ? handler
        : (/** @type {unknown} */ message, /** @type {unknown} */ sender) =>
          (frames.speaksForTab(status()) ? /** @type {(message: unknown, sender: unknown) => unknown} */ (handler)(message, sender) : undefined),
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
