import assert from "node:assert/strict";
import { test } from "node:test";
import { estimateTokens } from "./tokens.js";

const utf8Bytes = (text) => new TextEncoder().encode(text).length;

// [text, its real token count]. Measured with the model's own tokenizer, the way the server
// encodes a paragraph (after a space, no special tokens):
//   python -c "from tokenizers import Tokenizer; t = Tokenizer.from_file('<cache>/smollm2-135m-v1/tokenizer.json');
//              print(len(t.encode(' ' + TEXT, add_special_tokens=False).ids))"
// (<cache>: ~/.cache/unspin, where `unspin` converts the language model).
const MEASURED = [
  ["Russia requested China to provide it army gear and help for the warfare in Ukraine after President Vladimir V. Putin started a full-scale invasion final month, in accordance with U.S. officers.", 39], // en
  ["The 2024 budget was $1,234,567.89 (up 12.5% from 2023) and 3141592653589793 units.", 56], // digits
  ["See https://www.example.com/news/2024/03/14/article-name?id=12345&ref=xyz#section for details.", 42], // url
  ["BREAKING: NATO AND THE EU ANNOUNCE NEW SANCTIONS ON RUSSIAN OLIGARCHS TODAY", 30], // caps
  ["Wait... what?!?! -- \"quoted\" [bracketed] {braced} <angled> ;;; ::: /// \\\\ ||| ~~~ ^^^", 37], // punct
  ["俄罗斯要求中国为其在乌克兰的战争提供军事装备和援助，美国官员说。", 60], // cjk
  ["ロシアは中国に軍事装備の提供を求めたと米当局者が述べた。", 56], // jp
  ["러시아는 중국에 군사 장비를 요청했다고 미국 관리들이 말했다.", 74], // kr
  ["La Russie a demandé à la Chine de lui fournir du matériel militaire, selon des responsables américains.", 34], // fr
  ["Rußland ersuchte China um Militärgüter; Übergröße, Größenwahn, Äpfel und Öl.", 38], // de
  ["Россия попросила Китай предоставить ей военное снаряжение, заявили американские чиновники.", 67], // ru
  ["طلبت روسيا من الصين تزويدها بمعدات عسكرية، حسبما قال مسؤولون أمريكيون.", 68], // ar
  ["रूस ने चीन से सैन्य उपकरण मांगे, अमेरिकी अधिकारियों ने कहा।", 65], // hi
  ["Great news 🎉🎉 for fans 😀😃😄 of 𝒻𝒶𝓃𝒸𝓎 math 𝔸𝔹ℂ and 𠀀𠀁𠀂 ideographs.", 62], // emoji
  ["😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘😗", 59], // astral
  ["The café’s naïve résumé — “smart quotes” and ‘single’ … ellipsis – dash.", 26], // mixed
  ["0x7f3a9c 0xdeadbeef a1b2c3d4e5f6 SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 90], // hex
  ["word    word\t\tword   .   ,   !", 12], // spaces
];

test("the estimate is at least the real token count of each measured text", () => {
  for (const [text, real] of MEASURED) {
    const estimate = estimateTokens(text);
    assert.ok(estimate >= real, `${estimate} < ${real} for ${text}`);
    assert.ok(estimate <= 2.5 * real + 5, `${estimate} is far above ${real} for ${text}`); // still useful
  }
});

test("ASCII prose: about a quarter token a letter plus a margin per word", () => {
  assert.equal(estimateTokens(""), 1); // the separator
  assert.equal(estimateTokens("a"), 2); // a word is at least a token
  assert.equal(estimateTokens("the"), 3); // 1 + 0.5 + 3 × 0.25, rounded up
  const prose = "The officers did not say how China responded to the request. ".repeat(20);
  const estimate = estimateTokens(prose);
  assert.ok(estimate > prose.length / 4 && estimate < prose.length / 2, `${estimate} for ${prose.length} chars`);
  // Capitals and digits split into more pieces than lower-case words.
  assert.ok(estimateTokens("OFFICIALS SAID TODAY") > estimateTokens("officials said today"));
  assert.equal(estimateTokens("2024"), 1 + 1 + 4); // separator, the space before a digit, one a digit
});

test("CJK and other 3-byte characters cost their UTF-8 bytes: 3 tokens each", () => {
  assert.equal(estimateTokens("中国"), 8); // the separator, 6 tokens, half a token for the word, rounded up
  const cjk = "俄罗斯要求中国为其在乌克兰的战争提供军事装备和援助".repeat(10);
  assert.ok(estimateTokens(cjk) >= 3 * [...cjk].length);
  assert.ok(estimateTokens(cjk) <= utf8Bytes(cjk) + 2);
});

test("astral-plane characters cost up to 4 tokens each, never more than their bytes", () => {
  const emoji = "😀😃😄";
  assert.equal(emoji.length, 6); // UTF-16 units: the estimate counts code points
  assert.equal(estimateTokens(emoji), utf8Bytes(` ${emoji}`) + 1); // capped at the hard bound
  assert.ok(estimateTokens(`news ${emoji.repeat(100)}`) >= 4 * 300);
});

test("the estimate never passes the hard bound: the UTF-8 bytes after a space, plus the separator", () => {
  for (const text of ["a", "I", "x y z", "1 2 3", "...", "Ω", "中", "😀", "a\u00a0b", ...MEASURED.map(([t]) => t)]) {
    assert.ok(estimateTokens(text) <= utf8Bytes(` ${text}`) + 1, text);
  }
});
