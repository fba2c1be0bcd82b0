// Options: the lists of sites where Unspin is off (every-site mode) and on (opt-in mode): view,
// remove, add. Entries are sites (registrable domains, shared/sites.js): what is typed (a host
// name or an address) is stored as its site. Follows changes made elsewhere (the popup's switch).
import browser from "webextension-polyfill";
import { getSettings, setSettings } from "../shared/settings.js";
import { SITE_MODES, siteOf } from "../shared/sites.js";
import { $ } from "../shared/controls.js";
import { t } from "../shared/i18n.js";

/** @typedef {"disabledSites"|"enabledSites"} SiteListKey */

/** @type {Record<SiteListKey, string>} */
const LISTS = { disabledSites: "disabled-sites", enabledSites: "enabled-sites" }; // setting -> element id prefix
const KEYS = /** @type {SiteListKey[]} */ (Object.keys(LISTS));

/** @param {SiteListKey} key @param {string[]} sites */
function render(key, sites) {
  const prefix = LISTS[key];
  const list = $(`${prefix}-list`);
  list.replaceChildren(
    ...sites.map((site) => {
      const item = document.createElement("li");
      const remove = Object.assign(document.createElement("button"), { type: "button", textContent: t("options_remove") });
      remove.setAttribute("aria-label", t("options_remove_label", site));
      remove.addEventListener("click", async () => {
        const { [key]: now } = await getSettings();
        await setSettings({ [key]: now.filter((s) => s !== site) });
      });
      item.append(Object.assign(document.createElement("span"), { className: "site", textContent: site }), " ", remove);
      return item;
    }),
  );
  $(`${prefix}-empty`).hidden = sites.length > 0;
}

/** Show the list the mode uses (the other one is kept, hidden). @param {string} mode */
export function showSiteLists(mode) {
  $("disabled-sites").hidden = mode === SITE_MODES.OPT_IN;
  $("enabled-sites").hidden = mode !== SITE_MODES.OPT_IN;
}

export async function initSiteLists() {
  const settings = await getSettings();
  for (const key of KEYS) {
    const prefix = LISTS[key];
    render(key, settings[key]);
    $(`${prefix}-form`).addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = $(`${prefix}-input`);
      const site = siteOf(input.value);
      const message = $(`${prefix}-result`);
      if (!site) {
        message.textContent = t("options_type_a_site");
        return;
      }
      const { [key]: now } = await getSettings();
      if (!now.includes(site)) await setSettings({ [key]: [...now, site] });
      input.value = "";
      message.textContent = t("options_site_added", site);
    });
  }
  browser.storage.onChanged.addListener((changes, area) => {
    if (area !== "local") return;
    for (const key of KEYS) if (key in changes) render(key, /** @type {string[] | undefined} */ (changes[key].newValue) ?? []);
  });
}
