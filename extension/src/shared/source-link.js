// The likely source of a page from the reader's scans (background/find-original.js pageSource),
// as the popup, the restored view and the card show it first: its title, linked to its address
// (http or https only), and how much of the text the two have in common. Text goes in as text.
import { parts, percent } from "./i18n.js";
import { isWebAddress } from "./sites.js";

/** @param {import("./message-types.js").PageSource} source @returns {(Node|string)[]} */
export function sourceLine(source) {
  const link = document.createElement("a");
  if (isWebAddress(source.url)) link.href = source.url;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.textContent = source.title || source.url;
  return parts("page_source", link, percent(source.overlap));
}
