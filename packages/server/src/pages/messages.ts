/** Sentences the pages and the API share word for word. */

/** What a withdrawn result's page and API answer say (METHODOLOGY §9, as the seed documents word it). */
export const WITHDRAWN_MESSAGE = 'The result was withdrawn during a dispute.';
