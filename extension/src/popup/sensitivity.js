// The popup's sensitivity scale, "Fewer marks ←→ More marks" (shared/sensitivity.js): moving right
// marks more, the model's default is marked on the scale, and while the reader moves it the popup
// says how many words the page's article would have marked at that point (the server's answer
// holds it for every point). The setting changes when the reader lets go, and the page asks
// again; the point of the model's default stores null (the model's own, whatever model serves).
import { setSettings } from "../shared/settings.js";
import { $ } from "../shared/controls.js";
import { number, plural, t } from "../shared/i18n.js";
import { positionOf, sameThreshold, scalePoints, spunWordsAt } from "../shared/sensitivity.js";

/** @type {number[]} */
let points = []; // the scale's thresholds, fewest marks first
/** @type {?number} */
let modelDefault = null; // the model's threshold (null: not known, the server not reached yet or at all)
let statusKnown = false; // whether the server was asked
/** @type {?number} */
let setting = null; // the reader's threshold (null: the model's)
/** @type {?import("../shared/summary.js").Summary} */
let summary = null; // the server's summary of the page's article

/** A threshold as the language writes it, two decimals. @param {number} value */
function thresholdText(value) {
  return number(value, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** Say what the slider's point is and what it would mark (also its accessible value). */
function describe() {
  const slider = /** @type {HTMLInputElement} */ ($("threshold"));
  const at = points[Number(slider.value)];
  const words = spunWordsAt(summary, at);
  const said = [t(sameThreshold(at, modelDefault) ? "popup_sensitivity_default" : "popup_sensitivity_point", thresholdText(at))];
  if (words != null) said.push(plural("popup_sensitivity_words", words));
  $("threshold-value").textContent = said.join(" · ");
  slider.setAttribute("aria-valuetext", said.join(", "));
}

/** Place the scale (again) for the setting, the model's default and the page's summary. */
function render() {
  const slider = /** @type {HTMLInputElement} */ ($("threshold"));
  const known = setting ?? modelDefault;
  slider.disabled = known == null; // the model's own threshold, and no server to say what it is
  $("threshold-default-mark").hidden = modelDefault == null;
  if (known == null) {
    $("threshold-value").textContent = t(statusKnown ? "popup_threshold_default_unreachable" : "popup_threshold_default");
    return;
  }
  points = scalePoints(modelDefault, setting);
  slider.max = String(points.length - 1);
  slider.value = String(positionOf(points, known));
  if (modelDefault != null) {
    const at = positionOf(points, modelDefault) / (points.length - 1);
    $("threshold-default-mark").style.insetInlineStart = `calc(${at} * (100% - 16px) + 8px)`; // the thumb's centre
  }
  describe();
}

/**
 * Show the scale: `threshold` the reader's setting (null: the model's), `status` the server's
 * (null while unknown: the model's default is not known yet).
 * @param {?number} threshold
 * @param {?import("../shared/message-types.js").ServerStatus} status
 */
export function showSensitivity(threshold, status) {
  setting = threshold;
  statusKnown = status != null;
  modelDefault = status?.ok ? (status.health.model?.threshold ?? null) : null;
  render();
}

/** The page's answer changed: what each point would mark. @param {?import("../shared/summary.js").Summary | undefined} pageSummary */
export function showSensitivityCounts(pageSummary) {
  summary = pageSummary ?? null;
  if (points.length && !$("threshold").disabled) describe();
}

/** Wire the scale and its Default button. */
export function initSensitivity() {
  $("threshold").addEventListener("input", describe);
  $("threshold").addEventListener("change", async () => {
    const at = points[Number($("threshold").value)];
    setting = sameThreshold(at, modelDefault) ? null : at;
    await setSettings({ threshold: setting });
  });
  $("threshold-reset").addEventListener("click", async () => {
    setting = null;
    await setSettings({ threshold: null });
    render();
  });
}
