import { limits } from '../../limits.js';

/** Bounds of the demo population generator: `limits.demo` in src/limits.ts. */
export const DEMO_PERSONS_MAX = limits.demo.personsMax;
export const DEMO_DUPLICATE_SHARE_MAX = limits.demo.duplicateShareMax;
export const HOUSEHOLD_MEMBERS_MAX = limits.registry.householdMembersMax;
export const DUPLICATE_SOURCE_WINDOW_RECORDS = limits.demo.duplicateSourceWindowRecords;
export const WRITE_CHUNK_RECORDS = limits.demo.writeChunkRecords;
