/**
 * The reference of an enrolment held as a possible duplicate, for the person to ask about it:
 * the first twelve hex digits of the review's id, upper case in three groups of four
 * (`3F9A-0C41-B7D2`). The review id is a random UUID (version 4: its first 48 bits are
 * random), so the reference says nothing about the person and never changes; 48 random bits
 * make two open reviews with one reference practically impossible. A leaf module: the
 * console reads the same format.
 *
 * @example
 *   reviewReference('3f9a0c41-b7d2-4e8a-9c1d-2b3e4f5a6b7c'); // '3F9A-0C41-B7D2'
 */
export function reviewReference(reviewId: string): string {
  const hex = reviewId.replaceAll('-', '').slice(0, 12).toUpperCase();
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}`;
}

/** What a reference looks like (the API's response schemas use it). */
export { reviewReferencePattern } from '../../../shared/api/registry.js';
