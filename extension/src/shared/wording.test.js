import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_ALLOW_LIST } from "./api-contract.js";
import { cleanAllowList, formatAllowList, parseAllowList, wordingKey } from "./wording.js";

test("a wording is keyed by its words in lower case, as the server keys it", () => {
  assert.equal(wordingKey("  Final\u00a0 Month "), "final month");
  assert.equal(wordingKey("War\u00adfare, "), wordingKey("warfare")); // dismissing one hides the other
  assert.equal(wordingKey("don't (full-scale)"), "don't full-scale");
});

test("the allow-list file: one wording per line, comments and blanks skipped, no repeats", () => {
  const text = "# my list\r\nofficers\n\n  final   month \nOfficers\n#not this\nwarfare";
  assert.deepEqual(parseAllowList(text), ["officers", "final month", "warfare"]);
  assert.equal(formatAllowList(["officers", "final month"]), "officers\nfinal month\n");
  assert.deepEqual(parseAllowList(formatAllowList(["a b", "c"])), ["a b", "c"]);
  assert.equal(formatAllowList([]), "");
});

test("what the server refuses never goes in the list", () => {
  assert.deepEqual(cleanAllowList(["ok", 3, null, "", "x".repeat(201), "y".repeat(200)]), ["ok", "y".repeat(200)]);
  assert.deepEqual(cleanAllowList(["😀".repeat(200)]), ["😀".repeat(200)]); // code points, as the server counts
  assert.equal(cleanAllowList(Array.from({ length: 1500 }, (_, i) => `w${i}`)).length, MAX_ALLOW_LIST);
  assert.deepEqual(cleanAllowList("officers"), []);
});
