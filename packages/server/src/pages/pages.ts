/**
 * The public pages: typed preact components (components/), one per block — layout with meta tags,
 * headline, workload card, charts, tables, dispute thread — assembled into one module per page
 * and rendered on every request from the repository (no page cache; only card PNGs are cached).
 */
export { WITHDRAWN_MESSAGE } from './messages.js';
export { runPage, runTitle, runDescription } from './run-page.js';
export { listingPage, plottedGroups, SPREAD_ROWS, type ListingData } from './listing-page.js';
export { cheatsheetPage, type BoardData } from './cheatsheet-page.js';
export { comparePage, type CompareData } from './compare-page.js';
export { disputePage, type DisputeData } from './dispute-page.js';
export { messagePage } from './message-page.js';
export { rankingPage, METHODOLOGY_URL } from './ranking-page.js';
export { loadRunView, pickHeadline, type RunView, type Headline, type Standing } from './run-view.js';
export { standingSentence, unrankedLabel } from './standing-words.js';
export { hardwareLabel, measuredOn, idleGpu } from './hardware-label.js';
export { parseBoardQuery, parseBoardView, needsFacets, BOARD_PARAMETERS, BUILD_KINDS, type BoardView } from './board-query.js';
export { cardSvg, cardStateOf, renderCardPng, CardCache, CARD_VERSION, CARD_WIDTH, CARD_HEIGHT, type CardState } from './card.js';
export { siteFor, type Site } from './site.js';
export { reproduceCommands, verifyCommand, shellQuote } from './components/commands.js';
