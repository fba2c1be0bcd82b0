import assert from "node:assert/strict";
import { test } from "node:test";
import { BUDGET, documentKey, sameTexts, withinBudget } from "./document.js";

const small = { paragraphs: 3, paragraphChars: 5, chars: 8 };

test("a page within the budget goes whole", () => {
  assert.deepEqual(withinBudget([]), []);
  assert.deepEqual(withinBudget(["one", "two"]), [0, 1]);
  assert.deepEqual(withinBudget(["abc", "de"], small), [0, 1]);
});

test("a paragraph over the per-paragraph budget is left out, the rest still goes", () => {
  assert.deepEqual(withinBudget(["ab", "abcdef", "cd"], small), [0, 2]);
  assert.deepEqual(withinBudget(["x".repeat(200000), "a b c d"]), [1]);
});

test("the selection ends at the paragraph count or before the total passes the budget", () => {
  assert.deepEqual(withinBudget(["a", "b", "c", "d"], small), [0, 1, 2]);
  assert.deepEqual(withinBudget(["abcd", "abcd", "a"], small), [0, 1]);
  assert.deepEqual(withinBudget(["abcd", "abcde", "a"], small), [0]);
  const many = Array.from({ length: 5000 }, (_, i) => `paragraph ${i}`);
  assert.equal(withinBudget(many).length, BUDGET.paragraphs);
  const long = Array(100).fill("x".repeat(BUDGET.paragraphChars));
  const chosen = withinBudget(long);
  assert.ok(chosen.length * BUDGET.paragraphChars <= BUDGET.chars);
  assert.ok((chosen.length + 1) * BUDGET.paragraphChars > BUDGET.chars);
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
