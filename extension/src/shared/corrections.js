// The reader's corrections in storage.local: marks dismissed per site and the allow-list. The one
// place that writes them (the card, the popup and the options page call these); how sites and
// wordings are keyed: wording.js.
import { getSettings, setSettings } from "./settings.js";
import { siteOf } from "./sites.js";
import { cleanAllowList, wordingKey } from "./wording.js";

/** The wordings dismissed on `site` (a site from siteOf).
 *  @param {import("./settings.js").Settings["dismissed"] | undefined} dismissed  as stored (checked here) @param {string} site */
export function dismissedOn(dismissed, site) {
  const list = dismissed && typeof dismissed === "object" ? dismissed[site] : null;
  return new Set(Array.isArray(list) ? list.filter((w) => typeof w === "string") : []);
}

/** "Not spun": hide this wording on the page's site from now on. @param {string} hostname @param {string} text */
export async function dismiss(hostname, text) {
  const site = siteOf(hostname);
  const { dismissed } = await getSettings();
  const words = dismissedOn(dismissed, site);
  words.add(wordingKey(text));
  await setSettings({ dismissed: { ...dismissed, [site]: [...words] } });
}

/** Undo: show these wordings on the site again. @param {string | undefined} hostname @param {string[]} wordings */
export async function undismiss(hostname, wordings) {
  const site = siteOf(hostname);
  const { dismissed } = await getSettings();
  const gone = new Set(wordings.map(wordingKey));
  const left = [...dismissedOn(dismissed, site)].filter((w) => !gone.has(w));
  const next = { ...dismissed };
  if (left.length) next[site] = left;
  else delete next[site];
  await setSettings({ dismissed: next });
}

/** "Never flag": add a wording to the allow-list. @param {string} text */
export async function neverFlag(text) {
  const { ignore } = await getSettings();
  await setSettings({ ignore: cleanAllowList([...cleanAllowList(ignore), text]) });
}

/** Replace the allow-list (the options page). @param {unknown} list  anything typed (cleanAllowList)
 *  @returns {Promise<string[]>} the list as stored */
export async function setAllowList(list) {
  const ignore = cleanAllowList(list);
  await setSettings({ ignore });
  return ignore;
}
