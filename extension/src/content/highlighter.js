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
const NAME = (level) => `unspin-${level}`;

/** Confidence shade of a span score (cut-offs: server/mark-levels.json, shared with the scan report). */
export function levelOf(score) {
  return SHADES.levels.find((level) => score >= level.min)?.name ?? SHADES.otherwise;
}

/**
 * @returns {{add(marks), remove(marks), marksAt(node), setActive(mark), setVisible(bool), marks: Set, readonly visible: boolean}}
 * A mark is {range: Range, nodes: Text[], span, paragraph, level}.
 */
export function init(signal) {
  const highlights = Object.fromEntries(LEVELS.map((level) => [level, new Highlight()]));
  const active = new Highlight();
  active.priority = 1;
  const marks = new Set();
  const byNode = new Map(); // Text -> Set<mark>
  let visible = false;

  function setVisible(on) {
    visible = on;
    for (const level of LEVELS) {
      if (on) CSS.highlights.set(NAME(level), highlights[level]);
      else CSS.highlights.delete(NAME(level));
    }
    if (on) CSS.highlights.set(NAME("active"), active);
    else CSS.highlights.delete(NAME("active"));
  }

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

  function setActive(mark) {
    active.clear();
    if (mark) active.add(mark.range);
  }

  signal.addEventListener("abort", () => {
    setVisible(false);
    marks.clear();
    byNode.clear();
  });

  return {
    marks,
    add,
    remove,
    setActive,
    setVisible,
    get visible() {
      return visible;
    },
    marksAt: (node) => byNode.get(node) || null,
  };
}
