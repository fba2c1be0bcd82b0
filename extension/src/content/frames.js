// The content script runs in every frame (manifest: all_frames), but a tab has one article and
// it goes to the server in one request: the frame that holds it analyses it and speaks for the
// tab (page state, badge, popup); the others stay silent.
//   - The top frame holds the article unless it has none of its own and a same-origin child
//     frame (at any depth) has one.
//   - A child frame holds it when it has an article and none of its ancestors has one; every
//     ancestor must be same-origin (reachable). Cross-origin frames (ads, embeds, widgets) are
//     never analysed.
// Checked on the live documents: a child frame decides once, when its script starts; the top
// frame asks each time it would say "no article".
import { STATUS } from "../shared/page-status.js";
import { hasArticle } from "./extract.js";

const isTop = window === window.top;

/** The document of a same-origin window, else null. @param {?Window} win @returns {?Document} */
function reachable(win) {
  try {
    return win && win.location.origin === location.origin ? win.document : null;
  } catch {
    return null; // cross-origin
  }
}

/** The documents of this frame's ancestors, or null when one is out of reach. */
function ancestorDocuments() {
  const docs = [];
  for (let win = /** @type {Window} */ (window); win !== win.parent; ) {
    win = win.parent;
    const doc = reachable(win);
    if (!doc) return null;
    docs.push(doc);
  }
  return docs;
}

/** The documents of the same-origin frames inside `doc`, depth first. @param {Document} doc @returns {Document[]} */
function childDocuments(doc) {
  return [...doc.querySelectorAll("iframe, frame")].flatMap((frame) => {
    const child = reachable(/** @type {HTMLIFrameElement | HTMLFrameElement} */ (frame).contentWindow);
    return child ? [child, ...childDocuments(child)] : [];
  });
}

/** Whether this frame's script may hold the tab's article at all (checked once, at start). */
export function mayHoldArticle() {
  if (isTop) return true;
  const ancestors = ancestorDocuments();
  return !!ancestors && hasArticle(document) && !ancestors.some(hasArticle);
}

/** Whether this frame speaks for the tab, given its status: not when it is the top frame with
 *  no article while a child frame holds one. @param {import("../shared/page-status.js").Status} status */
export function speaksForTab(status) {
  return !(isTop && status === STATUS.NO_ARTICLE && childDocuments(document).some(hasArticle));
}
