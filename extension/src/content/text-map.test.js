// node --test src/   (pure helpers; the browser tests cover the DOM side)
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildTextMap, spanToPositions } from "./text-map.js";

test("collapses whitespace and maps back across pieces", () => {
  const pieces = [{ text: "\n  Russia asked for army " }, { text: "gear" }, { text: " and  help.\n" }];
  const map = buildTextMap(pieces);
  assert.equal(map.text, "Russia asked for army gear and help.");
  const start = map.text.indexOf("army gear");
  const pos = spanToPositions(map, start, start + "army gear".length);
  assert.deepEqual(pos, { startPiece: 0, startOffset: 20, endPiece: 1, endOffset: 4 });
  assert.equal(pieces[0].text.slice(pos.startOffset) + pieces[1].text.slice(0, pos.endOffset), "army gear");
});

test("a block boundary between pieces becomes one space", () => {
  const map = buildTextMap([{ text: "line one" }, { text: "line two", breakBefore: true }]);
  assert.equal(map.text, "line one line two");
});

test("offsets are UTF-16 units, as the API's utf16 unit", () => {
  const map = buildTextMap([{ text: "🙂 final month" }]);
  assert.equal(map.text.indexOf("final"), 3);
  assert.deepEqual(spanToPositions(map, 3, 14), { startPiece: 0, startOffset: 3, endPiece: 0, endOffset: 14 });
});

test("out-of-range and blank spans give null", () => {
  const map = buildTextMap([{ text: "a b" }]);
  assert.equal(spanToPositions(map, 1, 2), null);
  assert.equal(spanToPositions(map, 0, 9), null);
});

test("soft hyphens and zero-width characters stay in the text, inside their word", () => {
  const pieces = [{ text: "its pro\u00adgress" }, { text: "\u00ading wor\u200bry" }];
  const map = buildTextMap(pieces);
  assert.equal(map.text, "its pro\u00adgress\u00ading wor\u200bry");
  const start = map.text.indexOf("pro");
  const end = map.text.indexOf(" wor");
  assert.deepEqual(spanToPositions(map, start, end), { startPiece: 0, startOffset: 4, endPiece: 1, endOffset: 4 });
  const worry = spanToPositions(map, end + 1, map.text.length);
  assert.equal(pieces[1].text.slice(worry.startOffset, worry.endOffset), "wor\u200bry");
});
