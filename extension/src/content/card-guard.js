// The card's defence against a page that steers the reader's clicks into it (clickjacking). The
// page cannot read or restyle what is inside the card's closed shadow root, but it owns the light
// DOM around the card's host element, and its own elements can lie over the card.
// - keepHost: the host's style attribute is put back whenever the page changes it, and the host
//   itself whenever the page removes it.
// - readiness: an action counts only once the card has been shown, unobstructed, for READY_MS, so
//   a click meant for a decoy that the card pops up under (or a double click) does nothing. In
//   Chromium, IntersectionObserver v2 (`trackVisibility`) says whether anything covers, fades,
//   filters or transforms the card (even an overlay with pointer-events: none); the wait starts
//   again each time it is clear. Firefox has no such signal: there the wait and the confirmation
//   of "Never flag" are the defence (docs/privacy-and-security.md says what remains).

/** ms a card (or a control that just appeared on it) must have been shown before it acts. */
export const READY_MS = 500;

/** Keep `host` styled with `style` and attached to `parent` until `signal` aborts.
 *  @param {Element} host @param {string} style @param {Element} parent @param {AbortSignal} signal */
export function keepHost(host, style, parent, signal) {
  const put = () => {
    if (signal.aborted) return;
    if (host.getAttribute("style") !== style) host.setAttribute("style", style);
    if (host.parentNode !== parent) parent.append(host);
  };
  const styleWatch = new MutationObserver(put);
  styleWatch.observe(host, { attributes: true });
  const placeWatch = new MutationObserver(put);
  placeWatch.observe(parent, { childList: true });
  signal.addEventListener("abort", () => {
    styleWatch.disconnect();
    placeWatch.disconnect();
  });
}

const TRACKS_VISIBILITY = typeof IntersectionObserverEntry !== "undefined" && "isVisible" in IntersectionObserverEntry.prototype;

/**
 * @typedef {{now: () => number, shown(): void, hidden(): void, ready(since?: number): boolean}} Readiness
 *   Whether the card's actions count now (readiness).
 */

/**
 * Readiness of `target` (the card): {shown(), hidden(), ready(since?) -> boolean}. shown() and
 * hidden() as the card opens and closes; ready(since) is true when the card has been open and
 * (where the browser can tell) unobstructed for READY_MS, and `since` (ms on `now`'s clock: when
 * a control appeared on the card, see `appeared`) is READY_MS old. `now`: the clock, ms.
 * @param {Element} target @param {AbortSignal} signal @param {() => number} [now]
 * @returns {Readiness}
 */
export function readiness(target, signal, now = () => performance.now()) {
  /** @type {?number} */
  let openedAt = null; // when the card was last shown
  /** @type {?number} */
  let clearSince = TRACKS_VISIBILITY ? null : 0; // when it was last seen unobstructed (0: cannot tell)
  if (TRACKS_VISIBILITY) {
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isVisible) clearSince = null;
        else clearSince ??= now();
      }
    }, { trackVisibility: true, delay: 100 });
    observer.observe(target);
    signal.addEventListener("abort", () => observer.disconnect());
  }
  return {
    now,
    shown() {
      openedAt = now();
    },
    hidden() {
      openedAt = null;
    },
    ready(since = 0) {
      return now() - Math.max(openedAt ?? Infinity, clearSince ?? Infinity, since) >= READY_MS;
    },
  };
}

/** Record on `control` that it appeared now (guard: a readiness); `appearedAt(control)` reads it.
 *  @param {HTMLElement} control @param {Readiness} guard */
export function appeared(control, guard) {
  control.dataset.appeared = String(guard.now());
}

/** When `control` appeared on the card (0: with the card). @param {HTMLElement} control */
export function appearedAt(control) {
  return Number(control.dataset.appeared || 0);
}
