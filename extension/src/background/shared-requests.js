// The same document asked for by several tabs while in flight is requested once (the key holds
// the asking site: tabs of different sites never share a request, see cache.js). Each asker
// brings its own AbortSignal; the request itself is aborted (the server sees the disconnect)
// only when every asker has given up on it.

/** @typedef {{promise: Promise<unknown>, controller: AbortController, askers: number, settled: boolean}} Entry */

/** @type {Map<string, Entry>} */
const pending = new Map();

class Abandoned extends Error {
  constructor() {
    super("Abandoned");
    this.kind = "aborted";
  }
}

/**
 * The result of `start(signal)` for `key`, shared with anyone who asks for the same key while it
 * runs. Rejects at once when `signal` aborts (with kind "aborted").
 * @template T @param {string} key @param {(signal: AbortSignal) => Promise<T>} start @param {AbortSignal} signal
 * @returns {Promise<T>}
 */
export function join(key, start, signal) {
  if (signal.aborted) return Promise.reject(new Abandoned());
  let entry = pending.get(key);
  if (!entry) {
    const controller = new AbortController();
    const fresh = /** @type {Entry} its promise follows */ ({ controller, askers: 0, settled: false });
    fresh.promise = Promise.resolve()
      .then(() => start(controller.signal))
      .finally(() => {
        fresh.settled = true;
        if (pending.get(key) === fresh) pending.delete(key);
      });
    pending.set(key, fresh);
    entry = fresh;
  }
  const shared = entry;
  shared.askers += 1;
  return new Promise((resolve, reject) => {
    const leave = () => {
      shared.askers -= 1;
      if (!shared.askers && !shared.settled) {
        shared.controller.abort();
        if (pending.get(key) === shared) pending.delete(key);
      }
      reject(new Abandoned());
    };
    signal.addEventListener("abort", leave, { once: true });
    /** @type {Promise<T>} the same key, the same request */ (shared.promise).then(resolve, reject).finally(() => signal.removeEventListener("abort", leave));
  });
}

/** How many requests are in flight (the background keeps itself alive meanwhile). */
export function size() {
  return pending.size;
}
