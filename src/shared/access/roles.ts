/** The roles an operator can hold; each is scoped to regions. See docs/ACCESS.md. */
export const roles = [
  'enrolment_clerk',
  'registry_supervisor',
  'program_officer',
  'program_supervisor',
  'distribution_operator',
  'distribution_supervisor',
  'auditor',
  'statistics_analyst',
  'administrator',
  'finance_officer',
  'merchant',
] as const;

export type Role = (typeof roles)[number];
