import assert from "node:assert/strict";
import { test } from "node:test";
import { codePoints, documentKey, fittingPrefix, LIMITS, sameTexts } from "./document.js";

test("counts code points like the server, not UTF-16 units", () => {
  assert.equal(codePoints(""), 0);
  assert.equal(codePoints("abc"), 3);
  assert.equal(codePoints("🙂 ok"), 4); // one surrogate pair
  assert.equal(codePoints("\ud83d"), 1); // a lone surrogate is one
  assert.equal(codePoints("a\ude42\ud83d"), 3);
});

test("the whole document fits within the limits", () => {
  assert.equal(fittingPrefix([]), 0);
  assert.equal(fittingPrefix(["one", "two"]), 2);
  assert.equal(fittingPrefix(["abc", "de"], { chars: 5, paragraphs: 10 }), 2);
});

test("a document over the limits gives the longest prefix of whole paragraphs", () => {
  assert.equal(fittingPrefix(["abc", "def", "g"], { chars: 5, paragraphs: 10 }), 1);
  assert.equal(fittingPrefix(["abcdef", "g"], { chars: 5, paragraphs: 10 }), 0); // the first is too long
  assert.equal(fittingPrefix(["a", "b", "c"], { chars: 100, paragraphs: 2 }), 2);
  assert.equal(fittingPrefix(["🙂🙂", "🙂"], { chars: 3, paragraphs: 10 }), 2); // code points, not units
  assert.equal(fittingPrefix(Array(LIMITS.paragraphs + 5).fill("x")), LIMITS.paragraphs);
  const long = "x".repeat(LIMITS.chars / 4);
  assert.equal(fittingPrefix([long, long, long, long, "y"]), 4);
});

test("a document is keyed on its paragraph texts in order", () => {
  assert.equal(documentKey(["a b", "c"]), "a b\u0000c");
  assert.notEqual(documentKey(["a", "b"]), documentKey(["b", "a"]));
  assert.notEqual(documentKey(["a b"]), documentKey(["a", "b"]));
  assert.ok(sameTexts(["a", "b"], ["a", "b"]));
  assert.ok(!sameTexts(["a", "b"], ["a"]));
  assert.ok(!sameTexts(["a", "b"], ["a", "c"]));
  assert.ok(sameTexts([], []));
});
