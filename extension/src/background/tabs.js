// Work per tab: one request in flight at a time, each frame's newest document only, and one
// budget for the tab across all its frames.
//   - A frame (a content script's page port) that sends a newer document supersedes its older
//     one: that job is aborted (its fetch too, so the server drops the work) or, when it has not
//     started, dropped; its answer is never delivered.
//   - Jobs of a tab run one after the other (sibling frames with an article each wait their turn).
//   - Each job gets what its frame may still use of the tab's budget: the frames' last documents
//     together stay within it (a frame that goes away gives its share back).

/** @typedef {{tokens: number, paragraphs: number}} Used  of the tab's budget */
/**
 * One document of a frame to ask about. frame: any key of the frame (its page port); promise:
 * settles with `work`'s, or rejects with Superseded.
 * @typedef {{frame: object, work: (signal: AbortSignal, others: Used) => Promise<{used?: Used}>, controller: AbortController,
 *   promise: Promise<unknown>, resolve: (result: unknown) => void, reject: (error: unknown) => void}} Job
 */
/** @typedef {{running: ?Job, queue: Job[], frames: Map<object, {job: ?Job, used: Used}>}} Tab */

/** @type {Map<number, Tab>} */
const tabs = new Map();

const NOTHING = Object.freeze({ tokens: 0, paragraphs: 0 });

/** A job's answer will never come: a newer document of its frame, or the frame went away. */
export class Superseded extends Error {
  constructor() {
    super("Superseded by a newer document");
    this.kind = "superseded";
  }
}

/** @param {number} tabId @returns {Tab} */
function tabOf(tabId) {
  if (!tabs.has(tabId)) tabs.set(tabId, { running: null, queue: [], frames: new Map() });
  return /** @type {Tab} set above */ (tabs.get(tabId));
}

/** What the other frames of the tab use: {tokens, paragraphs}. @param {Tab} tab @param {object} frame @returns {Used} */
function usedByOthers(tab, frame) {
  let tokens = 0;
  let paragraphs = 0;
  for (const [other, slot] of tab.frames) {
    if (other === frame) continue;
    tokens += slot.used.tokens;
    paragraphs += slot.used.paragraphs;
  }
  return { tokens, paragraphs };
}

/** @param {Tab} tab @param {Job} job */
function cancel(tab, job) {
  job.controller.abort();
  const waiting = tab.queue.indexOf(job);
  if (waiting >= 0) tab.queue.splice(waiting, 1);
  job.reject(new Superseded());
}

/** Start the tab's next job, unless one runs. @param {number} tabId @param {Tab} tab */
function pump(tabId, tab) {
  if (tab.running || !tab.queue.length) return;
  const job = /** @type {Job} the queue has one */ (tab.queue.shift());
  tab.running = job;
  const { signal } = job.controller;
  Promise.resolve()
    .then(() => job.work(signal, usedByOthers(tab, job.frame)))
    .then(
      (result) => {
        const slot = tab.frames.get(job.frame);
        if (!signal.aborted && slot) slot.used = result.used ?? NOTHING;
        job.resolve(result);
      },
      (error) => job.reject(error),
    )
    .finally(() => {
      tab.running = null;
      const slot = tab.frames.get(job.frame);
      if (slot?.job === job) slot.job = null;
      if (tabs.get(tabId) !== tab) return;
      if (!tab.frames.size && !tab.queue.length) tabs.delete(tabId); // its frames went meanwhile
      else pump(tabId, tab);
    });
}

/**
 * Run `work(signal, others)` for a frame's newest document, after the tab's other jobs; `others`:
 * {tokens, paragraphs} the tab's other frames use of its budget. `work` resolves to a result
 * with `used` ({tokens, paragraphs} of its own document) and must settle soon after `signal`
 * aborts. Resolves to the result; rejects with Superseded when a newer document of the frame
 * (or its going away) cancels it.
 * @template {{used?: Used}} R
 * @param {number} tabId @param {object} frame any key of the frame (its page port)
 * @param {(signal: AbortSignal, others: Used) => Promise<R>} work @returns {Promise<R>}
 */
export function submit(tabId, frame, work) {
  const tab = tabOf(tabId);
  if (!tab.frames.has(frame)) tab.frames.set(frame, { job: null, used: NOTHING });
  const slot = /** @type {{job: ?Job, used: Used}} set above */ (tab.frames.get(frame));
  if (slot.job) cancel(tab, slot.job);
  const job = /** @type {Job} its promise, resolve and reject follow */ ({ frame, work: /** @type {Job["work"]} */ (work), controller: new AbortController() });
  job.promise = new Promise((resolve, reject) => Object.assign(job, { resolve, reject }));
  job.promise.catch(() => {}); // a caller that no longer waits must not leave it unhandled
  slot.job = job;
  tab.queue.push(job);
  pump(tabId, tab);
  return /** @type {Promise<R>} */ (job.promise);
}

/** The frame dropped its document (no article any more): cancel its job, give its share back.
 *  @param {number} tabId @param {object} frame */
export function clearFrame(tabId, frame) {
  const tab = tabs.get(tabId);
  const slot = tab?.frames.get(frame);
  if (!tab || !slot) return;
  if (slot.job) cancel(tab, slot.job);
  slot.job = null;
  slot.used = NOTHING;
}

/** The frame went away (its page port closed). @param {number} tabId @param {object} frame */
export function forgetFrame(tabId, frame) {
  clearFrame(tabId, frame);
  const tab = tabs.get(tabId);
  tab?.frames.delete(frame);
  if (tab && !tab.frames.size && !tab.running) tabs.delete(tabId);
}

/** The tab closed. @param {number} tabId */
export function forgetTab(tabId) {
  const tab = tabs.get(tabId);
  if (!tab) return;
  for (const frame of [...tab.frames.keys()]) forgetFrame(tabId, frame);
  tabs.delete(tabId);
}

/** Whether any tab has work running or waiting (the background keeps itself alive meanwhile). */
export function busy() {
  for (const tab of tabs.values()) if (tab.running || tab.queue.length) return true;
  return false;
}

/** {tabId: {running, waiting, frames: [{tokens, paragraphs}]}} (DevTools console, browser tests). */
export function describe() {
  return Object.fromEntries(
    [...tabs].map(([tabId, tab]) => [tabId, { running: !!tab.running, waiting: tab.queue.length, frames: [...tab.frames.values()].map((s) => ({ ...s.used })) }]),
  );
}
