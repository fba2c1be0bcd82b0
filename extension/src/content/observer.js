// Dynamic pages: content added or removed later (infinite scroll, "read more") and
// single-page-app navigation (history.pushState, back/forward), debounced.

const DEBOUNCE_MS = 400;

function routeOf(href) {
  const url = new URL(href);
  // In-page anchors (#section) are no navigation; hash routers (#/path, #!/path) are.
  if (!/^#!?\//.test(url.hash)) url.hash = "";
  return url.href;
}

/**
 * @param {{onRemoved(): void, onChanged(): void, onNavigated(): void}} handlers
 *   onRemoved: at once (cheap: drop marks whose text left the page),
 *   onChanged: debounced re-scan, onNavigated: the route changed (before the re-scan).
 */
export function init(signal, handlers) {
  const { onRemoved, onChanged, onNavigated } = handlers;
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
