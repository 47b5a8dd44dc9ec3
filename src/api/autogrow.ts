/**
 * Autogrow's figures, in a module of their own: the engines read them, and they can't import the claim schema (it
 * imports the engine list, a cycle).
 */

/** The used-space percent past which the disk grows when the claim doesn't say. */
export const DEFAULT_AUTOGROW_THRESHOLD = 85;
export const MIN_AUTOGROW_THRESHOLD = 50;
export const MAX_AUTOGROW_THRESHOLD = 95;
