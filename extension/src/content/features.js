// The content script's page features, registered uniformly (as Refined GitHub's `features.add`):
// each is a name and an `init(context)` that returns its interface. `start` runs them in the
// order they were added, each inside the one guard: a feature that throws is logged and left
// out, and the page and the other features carry on without it. One AbortSignal in the context
// tears them all down (main.js: the site switched off, the tab paused).

/**
 * The started features' interfaces, by name (one that failed, or has not started yet, is absent).
 * @typedef {object} Features
 * @property {import("./highlighter.js").Highlighter} [highlighter]  paints the marks
 * @property {import("./dismissals.js").Dismissals} [dismissals]  the wordings the reader dismissed
 * @property {import("./hovercard.js").Hovercard} [hovercard]  the card, keyboard access
 * @property {import("./reading-indicator.js").Indicator} [indicator]  "Unspin is reading"
 * @property {import("./session.js").Session} [session]  the article and its marks
 * @property {import("./observer.js").Observer} [observer]  follows a dynamic page
 */

/**
 * What every feature's init gets.
 * @typedef {object} FeatureContext
 * @property {AbortSignal} signal  aborted when the features stop: each removes what it added
 * @property {import("../shared/settings.js").Settings} settings  the settings when they started
 * @property {(state: import("../shared/message-types.js").PageState) => void} report  the page's state
 *   changed (to the badge and the popup)
 * @property {Features} features  the features started before this one, and later ones once they
 *   have (so read those when called, not at init)
 */

/** @typedef {keyof Features} FeatureName */

/** @template {FeatureName} K @typedef {(context: FeatureContext) => Features[K]} FeatureInit */

/** @type {{name: FeatureName, init: (context: FeatureContext) => unknown}[]} */
const registry = [];

/**
 * Register a feature; `start` runs them in this order.
 * @template {FeatureName} K @param {K} name @param {FeatureInit<K>} init
 */
export function add(name, init) {
  registry.push({ name, init });
}

/**
 * Start every registered feature, each guarded: an error in one must not break the others (it is
 * logged, and the feature is left out).
 * @param {Omit<FeatureContext, "features">} context
 * @returns {Features} the interfaces of those that started
 */
export function start(context) {
  /** @type {Features} */
  const features = {};
  /** @type {Record<string, unknown>} */
  const started = features;
  for (const { name, init } of registry) {
    try {
      started[name] = init({ ...context, features });
    } catch (error) {
      console.debug(`Unspin: ${name} failed`, error);
    }
  }
  return features;
}
