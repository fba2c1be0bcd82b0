// The rule unspin/no-ui-literals (no-ui-literals.js) on the ways UI text reaches the reader, and on
// what it must leave alone.
import { describe, it } from "node:test";
import { RuleTester } from "eslint";
import rule from "./no-ui-literals.js";

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({ languageOptions: { ecmaVersion: 2024, sourceType: "module" } });
const error = { messageId: "literal" };

tester.run("no-ui-literals", rule, {
  valid: [
    'element.textContent = t("popup_retry");',
    'element.textContent = "";',
    'element.textContent = `${count}`;',
    'element.textContent = plural("count_spans", n);',
    'element.append(" ", button);',
    'element.replaceChildren(...parts("popup_start_help", a, b));',
    'element.setAttribute("role", "status");',
    'element.setAttribute("aria-label", t("card_label"));',
    'element.className = "unspin-card";',
    'Object.assign(document.createElement("a"), { href: url, download: "list.txt" });',
    'const CSS = "div { color: red }"; style.textContent = CSS;',
    'const article = { title: "Headline", paragraphs: [] };',
    'params.append("tab", "12");',
    'el("div", "unspin-foot");',
    'console.error("no message");',
    'throw new Error("options.html: siteMode has no value x");',
    'new ServerError("down", t("error_down", origin));',
    'element.insertAdjacentText("beforeend", t("popup_retry"));',
    'function label(x) { return t("a", x); } button.textContent = label(span);',
  ],
  invalid: [
    { code: 'element.textContent = "Retry";', errors: [error] },
    { code: "element.textContent = `Server: ${url}`;", errors: [error] },
    { code: 'element.textContent += " · analysing…";', errors: [error] },
    { code: 'element.title = ok ? t("a") : "Not allowed";', errors: [error] },
    { code: 'element.placeholder = "or type the original";', errors: [error] },
    { code: 'document.title = `${title} · restored`;', errors: [error] },
    { code: 'element.textContent = `${x}${def ? " (model default)" : ""}`;', errors: [error] },
    { code: 'element.textContent = name || "Article";', errors: [error] },
    { code: 'element.textContent = t("a") + ".";', errors: [error] },
    { code: 'element.setAttribute("aria-label", `Remove ${site}`);', errors: [error] },
    { code: 'element.setAttribute("title", "Options");', errors: [error] },
    { code: 'help.append("Start it: ", code, ".");', errors: [error, error] },
    { code: 'list.replaceChildren("None.");', errors: [error] },
    { code: 'element.insertAdjacentText("beforeend", "Loading…");', errors: [error] },
    { code: 'document.createTextNode("Loading…");', errors: [error] },
    { code: 'Object.assign(document.createElement("p"), { textContent: "Not available" });', errors: [error] },
    { code: 'Object.assign(button, { type: "button", title: "Use the default" });', errors: [error] },
    { code: 'doc.error = { kind: "error", message: "Reload the page" };', errors: [error] },
    { code: 'el("div", "unspin-alts", `Also: ${alts}`);', errors: [error] },
    { code: 'say("Type the original wording first.");', errors: [error] },
    { code: 'alert("Saved");', errors: [error] },
    { code: 'throw new api.ServerError("busy", `Busy: retry in ${s} s`);', errors: [error] },
    { code: 'action.setTitle({ tabId, title: "Unspin: off on this site" });', errors: [error] },
    // Through local constants, local functions' results and local wrappers of a sink.
    { code: 'const IGNORED = "Ignored: try again."; say(IGNORED);', errors: [error] },
    { code: 'function note(ok) { return ok ? "Sent." : t("x"); } status.textContent = note(true);', errors: [error] },
    { code: 'const action = (text) => el("button", "unspin-action", text); action("Not spun");', errors: [error] },
    { code: 'function set(node, text) { node.textContent = text; } function show(x) { set(node, x); } show("Hello");', errors: [error] },
  ],
});
