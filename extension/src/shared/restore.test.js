import assert from "node:assert/strict";
import { test } from "node:test";
import { restoreSegments, restoreText } from "./restore.js";
import { coversWholeWords, WORD_RE } from "./words.js";

const text = "Putin started a full-scale invasion final month, officials said.";
const spans = [{ start: 36, end: 47, text: "final month", score: 0.9, suggestions: [{ text: "last month" }] }];

test("restores the top suggestion and keeps the spun wording", () => {
  assert.equal(restoreText(text, spans), "Putin started a full-scale invasion last month, officials said.");
  assert.deepEqual(restoreSegments(text, spans)[1], { text: "last month", original: "final month" });
});

const soft = "Its pro\u00adgress\u00ading worry grew.";

test("a soft hyphen or zero-width character is inside a word", () => {
  assert.deepEqual(soft.match(WORD_RE), ["Its", "pro\u00adgress\u00ading", "worry", "grew"]);
  assert.deepEqual("war\u200bfare a\u2060b c\u200cd e\u200df".match(WORD_RE), ["war\u200bfare", "a\u2060b", "c\u200cd", "e\u200df"]);
  const start = soft.indexOf("pro");
  const end = soft.indexOf(" worry");
  assert.ok(coversWholeWords(soft, start, end));
  assert.ok(!coversWholeWords(soft, start, soft.indexOf("\u00ading"))); // ends inside the word
  assert.ok(!coversWholeWords(soft, soft.indexOf("gress"), end)); // begins inside it
  assert.ok(coversWholeWords("🙂final", 2, 7));
});

test("suggestions replace whole words only", () => {
  const start = soft.indexOf("pro");
  const whole = { start, end: soft.indexOf(" worry"), suggestions: [{ text: "growing" }] };
  assert.equal(restoreText(soft, [whole]), "Its growing worry grew.");
  assert.deepEqual(restoreSegments(soft, [whole])[1], { text: "growing", original: "pro\u00adgress\u00ading" });
  const part = { start: soft.indexOf("gress"), end: soft.indexOf("\u00ading"), suggestions: [{ text: "x" }] };
  assert.equal(restoreText(soft, [part]), soft);
  assert.deepEqual(restoreSegments(text, [{ ...spans[0], start: 37 }]), [{ text }]); // "inal month": not applied
});
