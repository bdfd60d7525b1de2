/**
 * Why a value, a row or a file is refused, as a stable code with parameters, and the sentence
 * for each code in English and Spanish. A leaf module (it imports nothing): the server writes
 * the refused-rows file of an import in the reader's language from it, the API keeps sending
 * the English sentence as `reason` beside `code` and `params`, and the console puts these
 * texts into its i18n resources (`refusal.<code>`), so it renders the same refusal in the
 * operator's language. Placeholders are i18next's `{{name}}`.
 *
 * A code is never renamed or reused for another meaning: stored refusal files keep codes.
 *
 * @example
 *   renderRefusal({ code: 'one_of', params: { values: 'F, M' } }, 'es'); // 'debe ser uno de: F, M'
 */
export const refusalLanguages = ['en', 'es'] as const;
export type RefusalLanguage = (typeof refusalLanguages)[number];

export type RefusalParams = Readonly<Record<string, string | number>>;

const english = {
  // Values (the attribute catalogue).
  must_be_object: 'must be an object',
  not_in_catalogue: 'is not an attribute of the catalogue',
  wrong_subject: 'is a {{subject}} attribute, not a {{expected}} attribute',
  required: 'is required',
  required_not_cleared: 'is required and cannot be cleared',
  forbidden_category: '{{category}} is a category Amparo never holds',
  year_needs_flag: 'a year alone needs {{flag}}: true',
  parish_needs_municipality: 'needs municipality_code',
  parish_not_in_municipality: 'is not a parish of municipality_code',
  municipality_needs_state: 'needs state_code',
  municipality_not_in_state: 'is not a municipality of state_code',
  text_type: 'must be a string',
  text_empty: 'must not be empty; send null when it is not recorded',
  text_too_long: 'must be at most {{max}} characters',
  text_control: 'must not contain control characters',
  text_pattern: 'may contain only {{allowed}}',
  mixed_scripts:
    'mixes Latin letters with {{script}} letters that look alike; write it in one script',
  name_characters:
    'may contain only letters of one script, spaces, apostrophes, hyphens and dots (Latin mixed with Cyrillic or Greek look-alikes is refused)',
  document_characters: 'may contain only letters, digits, spaces and hyphens',
  date_type: 'must be a date string, YYYY-MM-DD or YYYY',
  date_invalid: 'must be a real date, YYYY-MM-DD, or a year YYYY',
  date_too_old: 'must be within the last {{years}} years',
  date_future: 'must not be in the future',
  one_of: 'must be one of {{values}}',
  integer_range: 'must be an integer from {{min}} to {{max}}',
  boolean: 'must be true or false',
  state_code: 'must be a state code',
  municipality_code: 'must be a municipality code',
  parish_code: 'must be a parish code',
  state_unknown: 'is not a Venezuelan state code',
  municipality_unknown: 'is not a Venezuelan municipality code',
  parish_unknown: 'is not a Venezuelan parish code',
  country: 'must be an ISO 3166-1 alpha-2 country code',
  language: 'must be an ISO 639 language code of 2 or 3 lowercase letters',
  phone_e164: 'must be an E.164 number: +, country code and number, digits only',
  phone_venezuela: 'must be a Venezuelan number: +58, then 10 digits starting with 2 or 4',
  email: 'must be an e-mail address',
  image_base64: 'must be an image encoded as base64',
  image_too_large: 'must be at most {{max}} bytes (is {{bytes}})',
  // Rows of an import file.
  csv_quotes: 'is not a well-formed CSV record (quotes)',
  field_count: 'the number of fields is {{count}}; the header has {{expected}}',
  json_invalid: 'is not valid JSON',
  json_not_object: 'is not a JSON object',
  json_nested: 'has a nested value under "{{key}}"',
  unknown_column: 'is not a column of the import format',
  identifier: 'must be 1–64 letters, digits, . _ : -',
  outside_regions: 'is outside the regions of the import',
  household_not_consecutive:
    "household {{household}} appeared earlier: a household's rows must be consecutive",
  record_repeated: 'record {{record}} appears earlier in the file',
  state_differs_from_head: "differs from the head of household's (line {{line}})",
  household_too_large: 'household {{household}} has {{rows}} rows; at most {{max}} members',
  household_full: 'the household already has {{max}} members, the most one may have',
  household_heads: 'household {{household}} has {{count}} heads (lines {{lines}})',
  household_no_head: 'household {{household}} has no head',
  household_invalid_head:
    'household {{household}} has no valid head: its head (line {{line}}) has errors',
  household_income_bands: 'members of household {{household}} give different income bands',
  // An import file as a whole.
  file_unreadable: 'cannot read the file ({{cause}})',
  file_empty: 'the file is empty',
  file_too_large: 'the file has {{bytes}} bytes; at most {{max}} are imported at once',
  header_unknown_column: 'unknown column "{{column}}"',
  header_repeated_column: 'column "{{column}}" appears twice',
  header_missing_column: 'missing column "{{column}}"',
  line_too_long: 'a record is longer than {{max}} characters; is this the import format?',
  forbidden_column: '{{column}}: {{category}} is a category Amparo never holds',
} as const;

export type RefusalCode = keyof typeof english;

const spanish: Record<RefusalCode, string> = {
  must_be_object: 'debe ser un objeto',
  not_in_catalogue: 'no es un atributo del catálogo',
  wrong_subject: 'es un atributo de {{subjectEs}}, no de {{expectedEs}}',
  required: 'es obligatorio',
  required_not_cleared: 'es obligatorio y no se puede borrar',
  forbidden_category: '{{categoryEs}} es una categoría que Amparo nunca guarda',
  year_needs_flag: 'un año solo necesita {{flag}}: true',
  parish_needs_municipality: 'necesita municipality_code (municipio)',
  parish_not_in_municipality: 'no es una parroquia de ese municipio',
  municipality_needs_state: 'necesita state_code (estado)',
  municipality_not_in_state: 'no es un municipio de ese estado',
  text_type: 'debe ser un texto',
  text_empty: 'no puede estar vacío; déjelo sin dato si no se registra',
  text_too_long: 'debe tener como máximo {{max}} caracteres',
  text_control: 'no puede contener caracteres de control',
  text_pattern: 'solo puede contener {{allowed}}',
  mixed_scripts:
    'mezcla letras latinas con letras parecidas de otro alfabeto ({{script}}); escríbalo en un solo alfabeto',
  name_characters:
    'solo puede contener letras de un mismo alfabeto, espacios, apóstrofos, guiones y puntos (no se aceptan letras latinas mezcladas con cirílicas o griegas parecidas)',
  document_characters: 'solo puede contener letras, dígitos, espacios y guiones',
  date_type: 'debe ser una fecha, AAAA-MM-DD o AAAA',
  date_invalid: 'debe ser una fecha real, AAAA-MM-DD, o un año AAAA',
  date_too_old: 'debe estar dentro de los últimos {{years}} años',
  date_future: 'no puede estar en el futuro',
  one_of: 'debe ser uno de: {{values}}',
  integer_range: 'debe ser un número entero de {{min}} a {{max}}',
  boolean: 'debe ser true o false',
  state_code: 'debe ser un código de estado',
  municipality_code: 'debe ser un código de municipio',
  parish_code: 'debe ser un código de parroquia',
  state_unknown: 'no es un código de estado de Venezuela',
  municipality_unknown: 'no es un código de municipio de Venezuela',
  parish_unknown: 'no es un código de parroquia de Venezuela',
  country: 'debe ser un código de país ISO 3166-1 de dos letras',
  language: 'debe ser un código de idioma ISO 639 de 2 o 3 letras minúsculas',
  phone_e164: 'debe ser un número E.164: +, código de país y número, solo dígitos',
  phone_venezuela: 'debe ser un número venezolano: +58 y 10 dígitos que empiezan por 2 o 4',
  email: 'debe ser una dirección de correo electrónico',
  image_base64: 'debe ser una imagen codificada en base64',
  image_too_large: 'debe tener como máximo {{max}} bytes (tiene {{bytes}})',
  csv_quotes: 'no es un registro CSV bien formado (comillas)',
  field_count: 'el número de campos es {{count}}; la cabecera tiene {{expected}}',
  json_invalid: 'no es JSON válido',
  json_not_object: 'no es un objeto JSON',
  json_nested: 'tiene un valor anidado en "{{key}}"',
  unknown_column: 'no es una columna del formato de importación',
  identifier: 'debe tener de 1 a 64 letras, dígitos o . _ : -',
  outside_regions: 'está fuera de las regiones de la importación',
  household_not_consecutive:
    'el hogar {{household}} apareció antes: las filas de un hogar deben ir seguidas',
  record_repeated: 'el registro {{record}} aparece antes en el archivo',
  state_differs_from_head: 'es distinto del de la persona jefa del hogar (línea {{line}})',
  household_too_large: 'el hogar {{household}} tiene {{rows}} filas; como máximo {{max}} miembros',
  household_full: 'el hogar ya tiene {{max}} miembros, el máximo permitido',
  household_heads: 'el hogar {{household}} tiene {{count}} jefes (líneas {{lines}})',
  household_no_head: 'el hogar {{household}} no tiene jefe',
  household_invalid_head:
    'el hogar {{household}} no tiene un jefe válido: su jefe (línea {{line}}) tiene errores',
  household_income_bands:
    'los miembros del hogar {{household}} indican tramos de ingreso distintos',
  file_unreadable: 'no se puede leer el archivo ({{cause}})',
  file_empty: 'el archivo está vacío',
  file_too_large: 'el archivo tiene {{bytes}} bytes; se importan como máximo {{max}} de una vez',
  header_unknown_column: 'columna desconocida "{{column}}"',
  header_repeated_column: 'la columna "{{column}}" aparece dos veces',
  header_missing_column: 'falta la columna "{{column}}"',
  line_too_long: 'un registro tiene más de {{max}} caracteres; ¿es este el formato de importación?',
  forbidden_column: '{{column}}: {{categoryEs}} es una categoría que Amparo nunca guarda',
};

/** Every sentence, by language and code, in i18next's placeholder syntax. */
export const refusalTexts: Readonly<
  Record<RefusalLanguage, Readonly<Record<RefusalCode, string>>>
> = { en: english, es: spanish };

/** Whether `code` is a refusal code (a stored file or an answer may come from another version). */
export function isRefusalCode(code: string): code is RefusalCode {
  return Object.hasOwn(english, code);
}

/** The sentence for a refusal in `language`; a missing parameter stays visible as `{{name}}`. */
export function renderRefusal(
  refusal: { readonly code: RefusalCode; readonly params?: RefusalParams | undefined },
  language: RefusalLanguage,
): string {
  const params = refusal.params ?? {};
  return refusalTexts[language][refusal.code].replace(/\{\{(\w+)\}\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** The language asked for by a `lang` value or an Accept-Language header; Spanish otherwise. */
export function refusalLanguageOf(...asked: ReadonlyArray<string | undefined>): RefusalLanguage {
  for (const text of asked) {
    if (text === undefined) continue;
    // Accept-Language lists tags by preference (q-values aside, the order is the preference).
    for (const part of text.split(',')) {
      const tag = part.split(';')[0]?.trim().toLowerCase() ?? '';
      const primary = tag.split(/[-_.]/)[0] ?? '';
      if (primary === 'en' || primary === 'es') return primary;
    }
  }
  return 'es';
}

/** A field error as the API sends it: the English sentence, and the code and parameters. */
export interface RefusedField {
  field: string;
  reason: string;
  code: RefusalCode;
  params: RefusalParams;
}

/**
 * A field error for `field`, refused with `code`.
 *
 * @example
 *   refusedField('body/attributes/sex', 'one_of', { values: 'F, M' });
 */
export function refusedField(
  field: string,
  code: RefusalCode,
  params: RefusalParams = {},
): RefusedField {
  return { field, reason: renderRefusal({ code, params }, 'en'), code, params };
}
