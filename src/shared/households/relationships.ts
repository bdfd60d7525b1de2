/**
 * Relationships to the head of household (the check constraint of household_membership).
 * A leaf module, so the console imports the same list.
 */
export const relationships = [
  'head',
  'spouse',
  'child',
  'parent',
  'sibling',
  'grandchild',
  'other_relative',
  'non_relative',
] as const;
export type Relationship = (typeof relationships)[number];
