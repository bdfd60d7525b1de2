/**
 * Text for an XML element written by hand: the five markup characters escaped. Characters
 * XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are refused
 * by `xmlTextProblem` before writing, since no escaping can put them in a file.
 */
export function escapeXml(text: string): string {
  if (!needsEscape.test(text)) return text;
  return text.replace(markup, (character) => entities[character] ?? character);
}

const needsEscape = /[&<>"']/;
const markup = /[&<>"']/g;
const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/**
 * Whether a text holds a character a bank file must not carry: C0 controls and DEL (tab,
 * newline and carriage return too, unless `lineBreaks`: in a name or an identifier they would
 * be turned into spaces or split a line in the bank's systems), a lone surrogate, or
 * U+FFFE/U+FFFF, which XML 1.0 cannot carry at all.
 */
export function hasForbiddenCharacter(text: string, lineBreaks = false): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) {
      if (lineBreaks && (code === 0x09 || code === 0x0a || code === 0x0d)) continue;
      return true;
    }
    if (code === 0xfffe || code === 0xffff) return true;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      index++;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return true;
    }
  }
  return false;
}

/**
 * Why a text cannot go into an element of at most `lengthMax` characters (the schema's
 * `Max35Text`, `Max140Text`… count characters, i.e. code points), or null when it can.
 */
export function xmlTextProblem(text: string, lengthMax: number): string | null {
  if (text.trim() !== text || text.length === 0) {
    return 'must not be empty nor start or end with a space';
  }
  if (hasForbiddenCharacter(text)) return 'holds a control character';
  // A UTF-16 length within the bound is within it in code points too: count only past it.
  if (text.length > lengthMax && [...text].length > lengthMax) {
    return `is longer than ${lengthMax} characters`;
  }
  return null;
}
