/**
 * How a text travels as SMS: GSM-7 when every character is in the GSM 03.38 alphabet (with its
 * extension table, two septets each), UCS-2 otherwise — Spanish decides it per message: ñ, é,
 * ü, ¿ and ¡ are GSM-7, but á, í, ó and ú are not. A long text is cut into parts that a phone
 * joins again (UDH concatenation): 153 septets or 67 UCS-2 units per part, 160 or 70 when the
 * text fits in one.
 */

const gsmBasic =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
// Index in the basic table is the septet value (0x1B, the escape, is skipped: ESC at 27).
const gsmBasicCodes = new Map<string, number>();
{
  let code = 0;
  for (const char of gsmBasic) {
    if (code === 0x1b) code += 1;
    gsmBasicCodes.set(char, code);
    code += 1;
  }
}
const gsmExtensionCodes = new Map<string, number>([
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
]);

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface SmsLayout {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) of the whole text. */
  units: number;
  /** How many SMS the text takes. */
  segments: number;
}

/** True when every character of `text` is in the GSM 03.38 alphabet or its extension. */
export function isGsm7(text: string): boolean {
  for (const char of text) {
    if (!gsmBasicCodes.has(char) && !gsmExtensionCodes.has(char)) return false;
  }
  return true;
}

/**
 * @example
 *   smsLayout('Amparo: su código es 123456'); // { encoding: 'ucs2', units: 27, segments: 1 }
 */
export function smsLayout(text: string): SmsLayout {
  if (isGsm7(text)) {
    let units = 0;
    for (const char of text) units += gsmExtensionCodes.has(char) ? 2 : 1;
    return { encoding: 'gsm7', units, segments: units <= 160 ? 1 : Math.ceil(units / 153) };
  }
  const units = text.length;
  return { encoding: 'ucs2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

/**
 * The text as the bytes of its SMS parts (unpacked septets for GSM-7, UTF-16BE for UCS-2),
 * without headers: never cutting an escape sequence or a surrogate pair in two.
 */
export function smsParts(text: string): { encoding: SmsEncoding; parts: Buffer[] } {
  const layout = smsLayout(text);
  const single = layout.segments === 1;
  if (layout.encoding === 'gsm7') {
    const limit = single ? 160 : 153;
    const parts: Buffer[] = [];
    let current: number[] = [];
    for (const char of text) {
      const extension = gsmExtensionCodes.get(char);
      const bytes = extension === undefined ? [gsmBasicCodes.get(char) ?? 0x3f] : [0x1b, extension];
      if (current.length + bytes.length > limit) {
        parts.push(Buffer.from(current));
        current = [];
      }
      current.push(...bytes);
    }
    if (current.length > 0 || parts.length === 0) parts.push(Buffer.from(current));
    return { encoding: 'gsm7', parts };
  }
  const limit = single ? 70 : 67;
  const parts: Buffer[] = [];
  let current = '';
  for (const char of text) {
    if (current.length + char.length > limit) {
      parts.push(utf16be(current));
      current = '';
    }
    current += char;
  }
  if (current.length > 0 || parts.length === 0) parts.push(utf16be(current));
  return { encoding: 'ucs2', parts };
}

/** Decodes unpacked GSM-7 septets (what an SMSC hands back in a test). */
export function decodeGsm7(bytes: Buffer): string {
  const basic = [...gsmBasicCodes.entries()];
  const extension = [...gsmExtensionCodes.entries()];
  let text = '';
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (byte === 0x1b) {
      const next = bytes[i + 1];
      i += 1;
      text += extension.find(([, code]) => code === next)?.[0] ?? '';
    } else {
      text += basic.find(([, code]) => code === byte)?.[0] ?? '?';
    }
  }
  return text;
}

function utf16be(text: string): Buffer {
  const buffer = Buffer.from(text, 'utf16le');
  return buffer.swap16();
}
