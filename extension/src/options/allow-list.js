// Options page: the allow-list, words and phrases never to flag (setting `ignore`, sent to the
// server with every analyze request; open pages are checked again when it changes). Edit it as
// text (one wording per line) or remove entries one by one; import and export it as a plain text
// file, the format `unspin analyze --ignore FILE` reads (shared/wording.js).
import browser from "webextension-polyfill";
import { setAllowList } from "../shared/corrections.js";
import { getSettings } from "../shared/settings.js";
import { cleanAllowList, formatAllowList, parseAllowList } from "../shared/wording.js";
import { $ } from "../shared/controls.js";
import { plural, quote, t } from "../shared/i18n.js";

const EXPORT_NAME = "unspin-allow-list.txt";

/** @param {string[]} list  clean (cleanAllowList) */
function show(list) {
  $("allow-list").value = formatAllowList(list);
  $("allow-list-items").replaceChildren(
    ...list.map((wording) => {
      const item = document.createElement("li");
      const text = document.createElement("span");
      text.textContent = wording;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = t("options_remove");
      remove.setAttribute("aria-label", t("options_remove_label", quote(wording)));
      remove.addEventListener("click", () => save(list.filter((w) => w !== wording), t("options_removed", quote(wording))));
      item.append(text, remove);
      return item;
    }),
  );
}

/** Store the allow-list, show it and say `message`. @param {string[]} list @param {string} message */
async function save(list, message) {
  show(await setAllowList(list));
  $("allow-list-result").textContent = message;
}

function exportList() {
  const url = URL.createObjectURL(new Blob([$("allow-list").value], { type: "text/plain" }));
  const link = Object.assign(document.createElement("a"), { href: url, download: EXPORT_NAME });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** @param {File} file */
async function importList(file) {
  const imported = parseAllowList(await file.text());
  const { ignore } = await getSettings();
  const merged = cleanAllowList([...cleanAllowList(ignore), ...imported]);
  await save(merged, plural("options_imported", imported.length, file.name));
}

export async function initAllowList() {
  show(cleanAllowList((await getSettings()).ignore));
  $("allow-list-save").addEventListener("click", () => {
    const list = parseAllowList($("allow-list").value);
    save(list, plural("options_saved_list", list.length));
  });
  $("allow-list-export").addEventListener("click", exportList);
  $("allow-list-import").addEventListener("change", () => {
    const [file] = /** @type {FileList} a file input's */ ($("allow-list-import").files);
    if (file) importList(file);
    $("allow-list-import").value = "";
  });
  // Added from a card ("Never flag") while this page is open.
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === "local" && "ignore" in changes) show(cleanAllowList(changes.ignore.newValue));
  });
}
