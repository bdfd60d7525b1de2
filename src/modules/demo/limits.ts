import { limits } from '../../limits.js';

/**
 * Bounds of the demo population generator. The user-facing ones come from src/limits.ts;
 * the others are internal to the generator and should move there too when it is next edited
 * (this module may not edit it).
 */

/** Largest population one `demo generate` run may write (about a national registry's size). */
export const DEMO_PERSONS_MAX = limits.demo.personsMax;

/** Largest share of duplicate enrolments; beyond half the file is mostly noise. */
export const DEMO_DUPLICATE_SHARE_MAX = limits.demo.duplicateShareMax;

/** Largest household the generator creates; the registry refuses larger ones. */
export const HOUSEHOLD_MEMBERS_MAX = 12;

/**
 * How many recent original records a duplicate may copy. Duplicates land at random later
 * positions within this window, which keeps memory constant in the population size.
 */
export const DUPLICATE_SOURCE_WINDOW_RECORDS = 20_000;

/** Records serialised into one string before it is written to the stream. */
export const WRITE_CHUNK_RECORDS = 2_000;
