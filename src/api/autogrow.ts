/**
 * Autogrow's figures, in a module of their own: the engines read them, and they can't import the claim schema (it
 * imports the engine list, a cycle).
 */

/** The used-space percent past which the disk grows when the claim doesn't say. */
export const DEFAULT_AUTOGROW_THRESHOLD = 85;
export const MIN_AUTOGROW_THRESHOLD = 50;
export const MAX_AUTOGROW_THRESHOLD = 95;

/** The step when the claim gives none, for the engines the disk-autogrow Operation grows: a fifth of the disk, at
 *  least this much (a small disk would otherwise grow again at once). */
export const DEFAULT_AUTOGROW_STEP_FRACTION = 0.2;
export const MIN_DEFAULT_AUTOGROW_STEP = '1Gi';
