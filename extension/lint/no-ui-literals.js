// ESLint rule unspin/no-ui-literals: the extension's words come from _locales (shared/i18n.js), so
// a string or template literal with text in it is an error where it would reach the reader:
//   - assigned to an element's text or a text attribute's property (textContent, title,
//     placeholder, ariaLabel, ...), also through Object.assign(element, {...});
//   - set as a text attribute: setAttribute("aria-label" | "title" | "placeholder" | ..., text);
//   - inserted as a text node: append, prepend, before, after, replaceChildren, replaceWith,
//     insertAdjacentText, createTextNode (but not URLSearchParams', Headers' or FormData's append,
//     known by the name of what it is called on: params, headers, form, query);
//   - given to the functions that show text: el(tag, class, text) (content/dom.js), say(text)
//     (the card's status line, the announcer), alert/confirm/prompt, new ServerError(kind, text)
//     (the background's errors, shown in the popup), action.setTitle({title});
//   - the `message` of an object literal (the errors and correction results the popup and the
//     card show) and, in any object literal, textContent, innerText, placeholder, ariaLabel.
// Text means anything but white space: punctuation between messages is text too (a language may
// want it elsewhere). Conditional, logical and + expressions are looked into; calls are not (t()
// returns the message). Debug output (console), internal errors (new Error) and data (class
// names, commands inside messages, passed to t() as substitutions) are not UI text.

const TEXT_PROPERTIES = new Set([
  "textContent", "innerText", "outerText", "innerHTML", "outerHTML", "title", "placeholder", "alt", "label",
  "ariaLabel", "ariaDescription", "ariaPlaceholder", "ariaRoleDescription", "ariaValueText",
]);
/** Text wherever an object literal has them ("title" and "label" are data in most objects). */
const OBJECT_TEXT_PROPERTIES = new Set(["textContent", "innerText", "innerHTML", "placeholder", "ariaLabel", "message"]);
const TEXT_ATTRIBUTES = new Set([
  "title", "placeholder", "alt", "label", "aria-label", "aria-description", "aria-placeholder",
  "aria-roledescription", "aria-valuetext",
]);
const INSERTING = new Set(["append", "prepend", "before", "after", "replaceChildren", "replaceWith", "createTextNode", "insertAdjacentText"]);
/** Objects with an append() of their own that takes names and values, not text (by their name). */
const NOT_NODES = /(params|headers|form|formdata|query)$/i;
/** Functions whose arguments at these positions are shown as they are. */
const SHOWING = new Map([
  ["el", [2]],
  ["say", [0]],
  ["alert", [0]],
  ["confirm", [0]],
  ["prompt", [0, 1]],
  ["ServerError", [1]],
]);

/** The name a call or `new` calls: f(...) and x.f(...) both give "f". */
function calleeName(callee) {
  if (callee.type === "Identifier") return callee.name;
  if (callee.type === "MemberExpression" && !callee.computed && callee.property.type === "Identifier") return callee.property.name;
  return null;
}

/** A non-computed property's name (obj.name, {name: ...}, {"name": ...}). */
function keyName(node, computed) {
  if (computed) return null;
  if (node.type === "Identifier") return node.name;
  if (node.type === "Literal" && typeof node.value === "string") return node.value;
  return null;
}

/** The function a local name stands for: function f() {} or const f = (...) => ... (else null). */
function functionOf(variable) {
  const def = variable?.defs[0];
  if (!def) return null;
  if (def.type === "FunctionName") return def.node;
  const init = def.type === "Variable" && def.parent?.kind === "const" ? def.node.init : null;
  return init && (init.type === "ArrowFunctionExpression" || init.type === "FunctionExpression") ? init : null;
}

const FUNCTIONS = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

/** What a function returns: its return statements' values (not those of functions inside it). */
function returned(fn) {
  if (fn.body.type !== "BlockStatement") return [fn.body];
  const values = [];
  const walk = (node) => {
    if (!node || typeof node.type !== "string" || (node !== fn.body && FUNCTIONS.has(node.type))) return;
    if (node.type === "ReturnStatement" && node.argument) values.push(node.argument);
    for (const [key, value] of Object.entries(node)) {
      if (key === "parent") continue;
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === "object") walk(value);
    }
  };
  walk(fn.body);
  return values;
}

export default {
  meta: {
    type: "problem",
    docs: { description: "UI text comes from _locales (shared/i18n.js), never from a literal in code" },
    schema: [],
    messages: {
      literal:
        "UI text in code ({{text}}): add a message to src/_locales/en/messages.json (and every other language) and show t(key) (shared/i18n.js)",
    },
  },
  create(context) {
    const source = context.sourceCode;
    const sinks = []; // values that reach the reader, checked once the file is read
    const calls = []; // calls of local functions: those that pass a parameter on to a sink are sinks too
    const wrappers = new Map(); // local function -> indexes of its parameters that reach a sink
    const reported = new Set();

    function variableOf(identifier) {
      for (let scope = source.getScope(identifier); scope; scope = scope.upper) {
        const variable = scope.set.get(identifier.name);
        if (variable) return variable;
      }
      return null;
    }

    /** Report the literals with text that `node` can be: looked for through ?:, ||, ??, &&, +,
     *  template literals, local constants and what local functions return. A parameter that gets
     *  there makes its function a wrapper of the sink. */
    function check(node, seen = new Set()) {
      if (!node || seen.has(node)) return;
      seen.add(node);
      switch (node.type) {
        case "Literal":
          if (typeof node.value === "string" && /\S/u.test(node.value)) report(node);
          return;
        case "TemplateLiteral":
          if (node.quasis.some((quasi) => /\S/u.test(quasi.value.cooked ?? quasi.value.raw))) report(node);
          else node.expressions.forEach((expression) => check(expression, seen));
          return;
        case "ConditionalExpression":
          check(node.consequent, seen);
          check(node.alternate, seen);
          return;
        case "LogicalExpression":
          check(node.left, seen);
          check(node.right, seen);
          return;
        case "BinaryExpression":
          if (node.operator === "+") {
            check(node.left, seen);
            check(node.right, seen);
          }
          return;
        case "Identifier": {
          const variable = variableOf(node);
          const def = variable?.defs[0];
          if (def?.type === "Variable" && def.parent?.kind === "const" && def.node.id === def.name) check(def.node.init, seen);
          else if (def?.type === "Parameter" && FUNCTIONS.has(def.node.type)) {
            const index = def.node.params.indexOf(def.name);
            if (index >= 0) {
              if (!wrappers.has(def.node)) wrappers.set(def.node, new Set());
              wrappers.get(def.node).add(index);
            }
          }
          return;
        }
        case "CallExpression":
          if (node.callee.type === "Identifier") {
            const fn = functionOf(variableOf(node.callee));
            if (fn) for (const value of returned(fn)) check(value, seen);
          }
          return;
        default:
          return;
      }
    }

    function report(literal) {
      if (reported.has(literal)) return;
      reported.add(literal);
      const text = source.getText(literal);
      context.report({ node: literal, messageId: "literal", data: { text: text.length > 40 ? `${text.slice(0, 37)}…` : text } });
    }

    function sinkObject(node, names) {
      if (node?.type !== "ObjectExpression") return;
      for (const property of node.properties) {
        if (property.type === "Property" && names.has(keyName(property.key, property.computed))) sinks.push(property.value);
      }
    }

    return {
      AssignmentExpression(node) {
        if (node.left.type !== "MemberExpression") return;
        const property = keyName(node.left.property, node.left.computed);
        if (!TEXT_PROPERTIES.has(property)) return;
        // A <style> element's text is CSS.
        if (property === "textContent" && /style|css/i.test(keyName(node.left.object, false) ?? "")) return;
        sinks.push(node.right);
      },
      ObjectExpression(node) {
        // Object.assign(element, {...}) sets the element's own properties: the full list applies.
        const parent = node.parent;
        const assigned = parent?.type === "CallExpression" && parent.arguments.includes(node) && parent.arguments[0] !== node &&
          parent.callee.type === "MemberExpression" && keyName(parent.callee.object, false) === "Object" && calleeName(parent.callee) === "assign";
        sinkObject(node, assigned ? new Set([...TEXT_PROPERTIES, ...OBJECT_TEXT_PROPERTIES]) : OBJECT_TEXT_PROPERTIES);
      },
      "CallExpression, NewExpression"(node) {
        const name = calleeName(node.callee);
        if (!name) return;
        if (node.type === "CallExpression" && node.callee.type === "Identifier") calls.push(node);
        if (node.type === "CallExpression" && INSERTING.has(name) && node.callee.type === "MemberExpression") {
          if (NOT_NODES.test(keyName(node.callee.object, false) ?? "")) return;
          sinks.push(...(name === "insertAdjacentText" ? node.arguments.slice(1) : node.arguments));
        } else if (name === "setAttribute" && node.arguments.length === 2) {
          const attribute = node.arguments[0];
          if (attribute.type === "Literal" && TEXT_ATTRIBUTES.has(String(attribute.value).toLowerCase())) sinks.push(node.arguments[1]);
        } else if (name === "setTitle") {
          sinkObject(node.arguments[0], new Set(["title"]));
        } else if (SHOWING.has(name)) {
          for (const index of SHOWING.get(name)) sinks.push(node.arguments[index]);
        }
      },
      "Program:exit"() {
        for (const sink of sinks) check(sink);
        // Local functions that pass a parameter on to a sink (card-actions.js: action(text)), and
        // those that pass one on to them.
        let known = -1;
        while (known !== [...wrappers.values()].reduce((n, indexes) => n + indexes.size, 0)) {
          known = [...wrappers.values()].reduce((n, indexes) => n + indexes.size, 0);
          for (const call of calls) {
            const indexes = wrappers.get(functionOf(variableOf(call.callee)));
            if (indexes) for (const index of indexes) check(call.arguments[index]);
          }
        }
      },
    };
  },
};
