// Dynamic pages: content added or removed later (infinite scroll, "read more") and
// single-page-app navigation (history.pushState, back/forward), debounced.

const DEBOUNCE_MS = 400;

/** @param {string} href */
function routeOf(href) {
  const url = new URL(href);
  // In-page anchors (#section) are no navigation; hash routers (#/path, #!/path) are.
  if (!/^#!?\//.test(url.hash)) url.hash = "";
  return url.href;
}

/** @typedef {undefined} Observer  (the feature "observer" has no interface) */

/**
 * Follows the page for the session (features.js): text removed drops its marks at once (cheap:
 * session.validate), any change re-scans after a pause (session.scan), a new route resets the
 * session (before the re-scan).
 * @param {import("./features.js").FeatureContext} context
 * @returns {Observer}
 */
export function init({ signal, features }) {
  const { session } = features;
  if (!session) throw new Error("no session");
  const { validate: onRemoved, scan: onChanged, reset: onNavigated } = session;
  let route = routeOf(location.href);
  let timer = 0;

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(onChanged, DEBOUNCE_MS);
  }

  function checkRoute() {
    const next = routeOf(location.href);
    if (next === route) return false;
    route = next;
    onNavigated();
    schedule();
    return true;
  }

  const observer = new MutationObserver((records) => {
    if (checkRoute()) return;
    let removed = false;
    for (const record of records) {
      if (record.removedNodes.length || record.type === "characterData") removed = true;
    }
    if (removed) onRemoved();
    schedule();
  });
  observer.observe(document.body || document.documentElement, { childList: true, subtree: true, characterData: true });

  // pushState in the page's own scripts is invisible to this isolated world except through
  // the Navigation API (where it exists) and the DOM changes that follow (handled above).
  window.navigation?.addEventListener("currententrychange", checkRoute, { signal });
  window.addEventListener("popstate", checkRoute, { signal });
  window.addEventListener("hashchange", checkRoute, { signal });

  signal.addEventListener("abort", () => {
    observer.disconnect();
    clearTimeout(timer);
  });
}
