// The extension pages' elements (popup, options, welcome, restored view), looked up in their own
// markup.

/** The element with this id in the page's markup, typed as a form control (the pages read and
 *  set the value, checked and disabled of their controls, and the text of the rest). @param {string} id */
export function $(id) {
  return /** @type {HTMLInputElement} */ (document.getElementById(id));
}
