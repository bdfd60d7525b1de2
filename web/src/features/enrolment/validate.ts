import type { CatalogueAttribute } from '../../api/types.js';

/**
 * Live checks for the enrolment form, derived from the published catalogue: each attribute's
 * type, whether it is required, and the bounds its `constraints` text states ("at most 100
 * characters", "one of F, M"). The server checks again and has the last word; its field
 * errors are shown on the same fields.
 *
 * @example
 *   const rules = formRules(catalogue.attributes);
 *   validateForm(rules, { given_names: 'Ana', sex: 'X' }, '2026-11-23');
 *   // { first_surname: { key: 'required' }, sex: { key: 'oneOf', values: 'F, M' }, … }
 */
export interface FieldRule {
  name: string;
  type: string;
  category: string;
  required: boolean;
  lengthMax?: number;
  options?: string[];
  /** Names allow letters, spaces, apostrophes, hyphens and dots only. */
  nameLike?: boolean;
  /** Document numbers allow letters, digits, spaces and hyphens only. */
  codeLike?: boolean;
}

export interface FieldProblemKey {
  key: string;
  [parameter: string]: string | number;
}

/** The form shows every person attribute but the photo (taken at the office camera). */
export function formRules(attributes: readonly CatalogueAttribute[]): FieldRule[] {
  return attributes
    .filter((attribute) => attribute.subject === 'person' && attribute.type !== 'image')
    .map(ruleFor);
}

export function ruleFor(attribute: CatalogueAttribute): FieldRule {
  const rule: FieldRule = {
    name: attribute.name,
    type: attribute.type,
    category: attribute.category,
    required: attribute.required,
  };
  const length = /at most (\d+) characters/.exec(attribute.constraints);
  if (length?.[1]) rule.lengthMax = Number(length[1]);
  const options = /^one of (.+)$/.exec(attribute.constraints);
  if (attribute.type === 'enum' && options?.[1]) rule.options = options[1].split(/,\s*/);
  // The server words a name's rule 'letters of one script, spaces, apostrophes, …'.
  if (/letters\b.*\bspaces, apostrophes/.test(attribute.constraints)) rule.nameLike = true;
  if (/letters, digits, spaces and hyphens/.test(attribute.constraints)) rule.codeLike = true;
  return rule;
}

const patterns = {
  name: /^[\p{L}\p{M}][\p{L}\p{M} '’.-]*$/u,
  code: /^[\p{L}\p{N}][\p{L}\p{N} -]*$/u,
  country: /^[A-Z]{2}$/,
  phone: /^\+[1-9][0-9]{6,14}$/,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  language: /^[a-z]{2,3}$/,
  integer: /^-?[0-9]+$/,
};

/** The first problem with one value, or undefined. `today` is YYYY-MM-DD. */
export function validateValue(
  rule: FieldRule,
  value: string,
  context: { approximateBirthDate: boolean; today: string },
): FieldProblemKey | undefined {
  const text = value.trim();
  if (text === '') return rule.required ? { key: 'required' } : undefined;
  if (rule.lengthMax !== undefined && [...text].length > rule.lengthMax) {
    return { key: 'tooLong', max: rule.lengthMax };
  }
  if (rule.options && !rule.options.includes(text)) {
    return { key: 'oneOf', values: rule.options.join(', ') };
  }
  if (rule.nameLike && !patterns.name.test(text)) return { key: 'nameCharacters' };
  if (rule.codeLike && !patterns.code.test(text)) return { key: 'codeCharacters' };
  switch (rule.type) {
    case 'birth_date':
      return birthDateProblem(text, context);
    case 'country':
      return patterns.country.test(text) ? undefined : { key: 'country' };
    case 'phone':
      // Venezuelan numbers are +58 then a 2 (landline) or 4 (mobile) and nine more digits.
      return patterns.phone.test(text) && (!text.startsWith('+58') || /^\+58[24]\d{9}$/.test(text))
        ? undefined
        : { key: 'phone' };
    case 'email':
      return patterns.email.test(text) ? undefined : { key: 'email' };
    case 'language':
      return patterns.language.test(text) ? undefined : { key: 'language' };
    case 'integer':
      return patterns.integer.test(text) ? undefined : { key: 'integer' };
    default:
      return undefined;
  }
}

function birthDateProblem(
  text: string,
  context: { approximateBirthDate: boolean; today: string },
): FieldProblemKey | undefined {
  if (/^\d{4}$/.test(text)) {
    if (!context.approximateBirthDate) return { key: 'yearOnlyNeedsApproximate' };
    return text > context.today.slice(0, 4) ? { key: 'future' } : undefined;
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return { key: 'birthDate' };
  const date = new Date(`${text}T00:00:00Z`);
  // Date rolls 2026-02-30 over to March; a real calendar date survives the round trip.
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) {
    return { key: 'birthDate' };
  }
  if (text > context.today) return { key: 'future' };
  if (text < '1880-01-01') return { key: 'birthDate' };
  return undefined;
}

/** Every problem of the form, keyed by attribute name. */
export function validateForm(
  rules: readonly FieldRule[],
  values: Readonly<Record<string, string>>,
  today: string,
): Record<string, FieldProblemKey> {
  const context = { approximateBirthDate: values.birth_date_approximate === 'true', today };
  const problems: Record<string, FieldProblemKey> = {};
  for (const rule of rules) {
    const problem = validateValue(rule, values[rule.name] ?? '', context);
    if (problem) problems[rule.name] = problem;
  }
  return problems;
}

/** The attributes to send: trimmed, empty ones left out, booleans and integers typed. */
export function attributesFromForm(
  rules: readonly FieldRule[],
  values: Readonly<Record<string, string>>,
): Record<string, string | number | boolean> {
  const attributes: Record<string, string | number | boolean> = {};
  for (const rule of rules) {
    const text = (values[rule.name] ?? '').trim();
    if (rule.type === 'boolean') {
      if (text === 'true') attributes[rule.name] = true;
    } else if (text !== '') {
      attributes[rule.name] = rule.type === 'integer' ? Number(text) : text;
    }
  }
  return attributes;
}
