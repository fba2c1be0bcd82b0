// Options: where and when Unspin runs. The site mode (every site except those turned off, or
// only the sites turned on: shared/sites.js) and when it analyses (each article as it opens, or
// only when asked: the popup's "Analyse this page" or the analyze-page command).
import { ANALYSE_ON, getSettings, setSettings } from "../shared/settings.js";
import { SITE_MODES } from "../shared/sites.js";
import { showSiteLists } from "./site-lists.js";

/** @type {{siteMode: string[], analyseOn: string[]}} */
const CHOICES = { siteMode: Object.values(SITE_MODES), analyseOn: Object.values(ANALYSE_ON) };

export async function initRunOptions() {
  const settings = await getSettings();
  for (const [key, values] of Object.entries(CHOICES)) {
    for (const input of document.querySelectorAll(`input[name="${key}"]`)) {
      if (!(input instanceof HTMLInputElement)) continue;
      if (!values.includes(input.value)) throw new Error(`options.html: ${key} has no value ${input.value}`);
      input.checked = input.value === settings[/** @type {keyof typeof CHOICES} */ (key)];
      input.addEventListener("change", async () => {
        if (!input.checked) return;
        await setSettings({ [key]: input.value });
        if (key === "siteMode") showSiteLists(input.value);
      });
    }
  }
  showSiteLists(settings.siteMode);
}
