// ESLint (flat config): the recommended rules over the extension's source, its build script and
// the Firefox test driver, and the project's own rule (lint/): no UI text in code, every word the
// reader meets comes from _locales. Types are tsc's (tsconfig.json); formatting is not checked here.
import js from "@eslint/js";
import globals from "globals";
import noUiLiterals from "./lint/no-ui-literals.js";

export default [
  { ignores: ["dist/", "node_modules/"] },
  js.configs.recommended,
  {
    files: ["src/**/*.js"],
    languageOptions: {
      globals: { ...globals.browser, __BROWSER__: "readonly", __TEST_BUILD__: "readonly" },
    },
    rules: {
      "no-unused-vars": ["error", { args: "none", caughtErrors: "none", ignoreRestSiblings: true }],
      eqeqeq: ["error", "smart"],
      "prefer-const": "error",
      "no-var": "error",
    },
  },
  {
    // The reader's words are messages (src/_locales, shared/i18n.js): lint/no-ui-literals.js.
    files: ["src/**/*.js"],
    ignores: ["src/**/*.test.js"],
    plugins: { unspin: { rules: { "no-ui-literals": noUiLiterals } } },
    rules: { "unspin/no-ui-literals": "error" },
  },
  {
    // Content scripts run inside web pages: they never read the server's secret (settings.js).
    files: ["src/content/**/*.js"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [{ name: "../shared/settings.js", importNames: ["getConnection", "setSecret"],
                  message: "content scripts never hold the server's secret" }],
      }],
    },
  },
  {
    files: ["src/**/*.test.js", "build.mjs", "manifest.mjs", "test/**/*.mjs", "lint/**/*.js", "eslint.config.js"],
    languageOptions: { globals: globals.node },
  },
  {
    // The driver's page and extension callbacks run in the browser.
    files: ["test/firefox/*.mjs"],
    languageOptions: { globals: { ...globals.browser, browser: "readonly" } },
  },
];
