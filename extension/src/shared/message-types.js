// The shapes of what the extension's parts say to each other (messages.js, port-messages.js): the
// data they carry, and each message, by its wire name (MESSAGES). Types only.

export {};

/** @typedef {any} Unchecked  JSON as another program sent it, not checked yet: its reader checks each field */

/**
 * @typedef {{start: number, end: number, text: string, score: number, suggestions: ?{text: string, score: number}[]}} Span
 *   A marked passage of a paragraph (server/openapi.json: Span); offsets in UTF-16 units;
 *   suggestions null: not restored yet (shared/suggestions.js)
 * @typedef {Span & {paragraph: number}} PlacedSpan  A span and the index of its paragraph in the document.
 * @typedef {{score: number, spans: Span[]}} ParagraphResult  The server's answer for one paragraph.
 * @typedef {import("./summary.js").Summary} Summary
 * @typedef {{kind: string, message: string, status?: ?number}} Failure
 *   kind: "down" | "timeout" | "error" | "bad-answer" | "not-loopback" | "busy" (still busy after
 *   the retries) | "too-large" (over the server's token limit even after shrinking) | "no-secret"
 *   (the server's secret is unknown here) | "impostor" (what answers at the address does not
 *   know the secret: nothing was sent) | "start-failed" (the browser host could not start it);
 *   status: the HTTP status of an error answer (403: the server refuses this browser, see
 *   allow-origin.js; 401: the secret is wrong)
 * @typedef {{x: number, y: number, width: number, height: number}} Rect  In CSS pixels of the viewport.
 * @typedef {{tag: string, name: string, rect: Rect, ready: boolean}} CardAction
 *   A control of the card: its element name, accessible name, box, and whether a click counts now.
 * @typedef {{open: boolean, by: ?string, role: ?string, text: string, rect: ?Rect, label: ?string,
 *   actions: CardAction[], ready: boolean, active: ?string, status: string, colours: object[]}} CardState
 *   by: "hover" | "focus"; ready: its actions would count now (card-guard.js); active: the
 *   accessible name of the control with focus; status: the card's status line; colours: the text
 *   and background colours of its text (contrast.js).
 * @typedef {{visible: boolean, focused: ?string, label: ?string, live: {role: ?string, ariaLive: ?string, text: ?string}, card: CardState}} OverlayState
 *   The hovercard overlay as assistive technology sees it (its shadow root is closed to pages).
 * @typedef {{status: import("./page-status.js").Status,
 *   error?: ?Failure, title?: string, paragraphs?: number, analysed?: number, skipped?: number,
 *   summary?: ?Summary, retryAt?: ?number, dismissed?: string[], overlay?: ?OverlayState, timing?: object,
 *   hostname?: string, url?: string}} PageState
 *   summary: the server's summary of the document sent (null until answered); retryAt (status
 *   "busy"): when the background asks the busy server again (ms since the epoch, Date.now());
 *   dismissed: the wordings of the server's spans that the reader dismissed on this site;
 *   overlay: test builds only (build.mjs --test); hostname and url: the frame that reports.
 * @typedef {{title: string, url: string, paragraphs: {kind: string, text: string, spans: Span[]}[]}} Article
 * @typedef {{version: string, model?: ?{name?: string, version?: string, threshold?: ?number}, limits?: unknown}} Health
 *   The server's GET /api/v1/health answer, as far as the extension's pages read it (unchecked)
 * @typedef {{ok: true, serverUrl: string, health: Health, canStart: boolean}
 *   | {ok: false, serverUrl: string, error: Failure, canStart: boolean}} ServerStatus
 *   health (ok): the server's GET /api/v1/health answer; error (not ok): why it could not be had;
 *   canStart: the reader allowed the browser host to start the server
 * @typedef {{paragraph: string, start: number, end: number, label: "spun"|"not_spun", original: ?string}} Correction
 *   A reader's card action on one span (UTF-16 offsets within the paragraph's text as sent).
 * @typedef {{sent: true, id: number} | {sent: false, reason: "no-consent"|"failed", message?: string}} CorrectionResult
 *   id (sent): the server's record; reason and message (not sent): why
 * @typedef {{searched: true, query: string} | {searched: false, reason: "nothing-restored"|"failed", message?: string}} FindOriginalResult
 *   query (searched): the exact-phrase query the search engine got; reason (not searched):
 *   nothing of the article is restored yet, or the search API failed (message)
 * @typedef {{url: string, title: string, id: string, overlap: number}} PageSource
 *   The likely source of a page from the reader's scans (server/openapi.json: SourceResponse)
 */

/**
 * @typedef {{type: "page-state", state: PageState}} PageStateMessage  content -> background, pages
 * @typedef {{type: "server-status"}} ServerStatusMessage  popup, options -> background
 * @typedef {{type: "get-state"}} GetStateMessage  -> content
 * @typedef {{type: "get-article"}} GetArticleMessage  -> content
 * @typedef {{type: "rescan"}} RescanMessage  -> content
 * @typedef {{type: "analyze-page"}} AnalyzePageMessage  popup, command -> content
 * @typedef {{type: "set-paused", paused: boolean}} SetPausedMessage  popup -> content
 * @typedef {{type: "move-mark", direction: 1|-1}} MoveMarkMessage  command -> content
 * @typedef {{type: "show-mark", index: number}} ShowMarkMessage  popup -> content
 * @typedef {{type: "correction", correction: Correction}} CorrectionMessage  content -> background
 * @typedef {{type: "find-original", tabId: ?number}} FindOriginalMessage  -> background
 * @typedef {{type: "page-source", url: string}} PageSourceMessage  -> background
 * @typedef {{"page-state": PageStateMessage, "server-status": ServerStatusMessage,
 *   "get-state": GetStateMessage, "get-article": GetArticleMessage, rescan: RescanMessage,
 *   "analyze-page": AnalyzePageMessage, "set-paused": SetPausedMessage, "move-mark": MoveMarkMessage,
 *   "show-mark": ShowMarkMessage, correction: CorrectionMessage, "find-original": FindOriginalMessage,
 *   "page-source": PageSourceMessage}} RuntimeMessages  The one-off messages, by wire name.
 */

/**
 * @typedef {{type: "analyze", id: number, texts: string[], first: number[]}} AnalyzeMessage
 *   content -> background: the page's document
 * @typedef {{type: "suggest", id: number, paragraph: number, start: number, end: number}} SuggestMessage
 *   content -> background: the suggestions of this mark first
 * @typedef {{type: "cancel"}} CancelMessage  content -> background: no document any more
 * @typedef {{type: "busy", id: number, seconds: number, attempt: number}} BusyMessage
 * @typedef {{type: "server-starting", id: number}} ServerStartingMessage
 * @typedef {{type: "answer", id: number, results: (?ParagraphResult)[], summary: ?Summary}} AnswerMessage
 * @typedef {{type: "marks", id: number, spans: PlacedSpan[]}} MarksMessage  provisional marks
 * @typedef {{type: "suggestions", id: number, spans: PlacedSpan[]}} SuggestionsMessage
 * @typedef {{type: "error", id: number, error: Failure}} AnalyzeErrorMessage
 * @typedef {{analyze: AnalyzeMessage, suggest: SuggestMessage, cancel: CancelMessage, busy: BusyMessage,
 *   "server-starting": ServerStartingMessage, answer: AnswerMessage, marks: MarksMessage,
 *   suggestions: SuggestionsMessage, error: AnalyzeErrorMessage}} PortMessages
 *   The page port's messages, by wire name.
 */

/**
 * Handlers of some of the messages of a map (RuntimeMessages, PortMessages), by wire name.
 * @template M, A
 * @typedef {{[K in keyof M]?: (message: M[K], ...rest: A[]) => unknown}} Handlers
 */
