// What esbuild (build.mjs) gives the extension's code besides JavaScript, for the type check.

/** The browser a bundle is built for (build.mjs `define`). */
declare const __BROWSER__: "chromium" | "firefox";

/** Whether this is a test build (build.mjs --test), with hooks the browser tests read. */
declare const __TEST_BUILD__: boolean;

/** A stylesheet imported as text (build.mjs: the "text" loader for .css). */
declare module "*.css" {
  const text: string;
  export default text;
}

// Browser APIs the extension uses where they exist, newer than TypeScript's DOM library.
interface Window {
  /** The Navigation API (Chromium; Firefox 147 on): its events only. */
  navigation?: EventTarget;
}

/** Intersection Observer v2 (Chromium): whether the target is seen unobstructed. */
interface IntersectionObserverEntry {
  readonly isVisible?: boolean;
}
interface IntersectionObserverInit {
  trackVisibility?: boolean;
  delay?: number;
}

/** ES2024 (Chromium 111, Firefox 119): a lone surrogate becomes U+FFFD. */
interface String {
  toWellFormed?(): string;
}

/** Set by the content script that owns the page (content/main.js): a second copy stays out. */
declare var __unspinContentScript: boolean | undefined;
