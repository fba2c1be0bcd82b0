import assert from "node:assert/strict";
import { test } from "node:test";
import { BUDGET, documentKey, documentTokens, limitBudget, sameTexts, withinBudget } from "./document.js";
import { estimateTokens } from "./tokens.js";

// "abc"-like words: 1 (separator) + 1 (a word is at least a token) = 2 tokens each.
const small = { paragraphs: 3, paragraphTokens: 3, tokens: 5 };

test("a page within the budget goes whole", () => {
  assert.deepEqual(withinBudget([]), []);
  assert.deepEqual(withinBudget(["one", "two"]), [0, 1]);
  assert.deepEqual(withinBudget(["abc", "de"], small), [0, 1]);
});

test("a paragraph over the per-paragraph budget is left out, the rest still goes", () => {
  assert.equal(estimateTokens("ab cd"), 3);
  assert.equal(estimateTokens("ab cd ef"), 4);
  assert.deepEqual(withinBudget(["ab", "ab cd ef", "cd"], small), [0, 2]);
  assert.deepEqual(withinBudget(["x".repeat(200000), "a b c d"]), [1]);
});

test("the selection ends at the paragraph count or before the total passes the budget", () => {
  assert.deepEqual(withinBudget(["a", "b", "c", "d"], { ...small, tokens: 100 }), [0, 1, 2]);
  assert.deepEqual(withinBudget(["a", "b", "c"], small), [0, 1]); // 2 + 2, then 6 > 5
  assert.deepEqual(withinBudget(["a", "b c d", "e"], { ...small, paragraphTokens: 4 }), [0]); // 2, then 2 + 4 > 5
  const many = Array.from({ length: 5000 }, (_, i) => `paragraph ${i}`);
  assert.equal(withinBudget(many).length, BUDGET.paragraphs);
  const long = Array(100).fill("word ".repeat(500).trim());
  const cost = estimateTokens(long[0]);
  assert.ok(cost <= BUDGET.paragraphTokens);
  const chosen = withinBudget(long);
  assert.ok(chosen.length * cost <= BUDGET.tokens);
  assert.ok((chosen.length + 1) * cost > BUDGET.tokens);
  assert.equal(documentTokens(chosen.map((i) => long[i])), chosen.length * cost);
});

test("a server's lower limits lower the budget; missing or odd limits leave it", () => {
  assert.deepEqual(limitBudget(undefined), { ...BUDGET });
  assert.deepEqual(limitBudget({}), { ...BUDGET });
  assert.deepEqual(limitBudget({ max_tokens: 16384, max_paragraphs: 2000 }), { ...BUDGET });
  assert.deepEqual(limitBudget({ max_tokens: 1000, max_paragraphs: 50 }), { paragraphs: 50, paragraphTokens: 1000, tokens: 1000 });
  assert.deepEqual(limitBudget({ max_tokens: "1000", max_paragraphs: -1 }), { ...BUDGET });
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
