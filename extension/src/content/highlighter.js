// Paints spans with the CSS Custom Highlight API (::highlight(), styles in content.css).
//
// Why not wrapper elements (<mark>, a custom tag): they split the page's text nodes (which
// breaks pages whose scripts own that DOM, e.g. React), page CSS can hide or restyle them
// (`mark {display:none}`, `p > *`, `::before`), and they can change layout. A Highlight
// paints registered Ranges without touching the DOM: no layout change, nothing for page CSS
// to select, and a Range over removed text collapses, so removed content leaves no mark.
// Keyboard and pointer access live in hovercard.js.

import SHADES from "../../../server/mark-levels.json" with { type: "json" };
import { styleShadowRootOf } from "./shadow-styles.js";

export const LEVELS = [SHADES.otherwise, ...SHADES.levels.map((level) => level.name)];
/** @param {string} level */
const NAME = (level) => `unspin-${level}`;

/** Confidence shade of a span score (cut-offs: server/mark-levels.json, shared with the scan report).
 *  @param {number} score @returns {string} */
export function levelOf(score) {
  return SHADES.levels.find((level) => score >= level.min)?.name ?? SHADES.otherwise;
}

/** @typedef {import("./marks.js").Mark} Mark */

/**
 * The page's marks as painted highlights (the feature "highlighter", features.js).
 * @typedef {object} Highlighter
 * @property {Set<Mark>} marks  every mark painted
 * @property {(marks: Mark[]) => void} add
 * @property {(marks: Mark[]) => void} remove
 * @property {(mark: ?Mark) => void} setActive  the mark whose card is open (null: none)
 * @property {(on: boolean) => void} setVisible  show or hide every mark (the reader's setting)
 * @property {boolean} visible
 * @property {(node: Node) => ?Set<Mark>} marksAt  the marks over a text node
 */

/** @param {import("./features.js").FeatureContext} context @returns {Highlighter} */
export function init({ signal, settings }) {
  /** @type {Record<string, Highlight>} */
  const highlights = Object.fromEntries(LEVELS.map((level) => [level, new Highlight()]));
  const active = new Highlight();
  active.priority = 1;
  /** @type {Set<Mark>} */
  const marks = new Set();
  /** @type {Map<Node, Set<Mark>>} */
  const byNode = new Map();
  let visible = false;

  /** @param {boolean} on */
  function setVisible(on) {
    visible = on;
    for (const level of LEVELS) {
      if (on) CSS.highlights.set(NAME(level), highlights[level]);
      else CSS.highlights.delete(NAME(level));
    }
    if (on) CSS.highlights.set(NAME("active"), active);
    else CSS.highlights.delete(NAME("active"));
  }

  /** @param {Mark[]} list */
  function add(list) {
    for (const mark of list) {
      marks.add(mark);
      highlights[mark.level].add(mark.range);
      styleShadowRootOf(mark.range.startContainer);
      for (const node of mark.nodes) {
        let set = byNode.get(node);
        if (!set) byNode.set(node, (set = new Set()));
        set.add(mark);
      }
    }
  }

  /** @param {Mark[]} list */
  function remove(list) {
    for (const mark of list) {
      marks.delete(mark);
      highlights[mark.level].delete(mark.range);
      active.delete(mark.range);
      for (const node of mark.nodes) {
        const set = byNode.get(node);
        set?.delete(mark);
        if (set && !set.size) byNode.delete(node);
      }
    }
  }

  /** @param {?Mark} mark */
  function setActive(mark) {
    active.clear();
    if (mark) active.add(mark.range);
  }

  signal.addEventListener("abort", () => {
    setVisible(false);
    marks.clear();
    byNode.clear();
  });
  setVisible(settings.highlights);

  return {
    marks,
    add,
    remove,
    setActive,
    setVisible,
    get visible() {
      return visible;
    },
    marksAt: (node) => byNode.get(node) ?? null,
  };
}
