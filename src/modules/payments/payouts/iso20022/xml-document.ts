import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { limits } from '../../../../limits.js';
import { BankFileError, malformed } from './bank-file-error.js';

/**
 * An element of a parsed bank file. Every child element is an array (so one entry and many
 * read the same way); attributes are `@name`; text is `#text` when the element also has
 * attributes, or the element itself is the string.
 */
export type XmlNode = string | { readonly [name: string]: readonly XmlNode[] | string };

/** A parsed ISO 20022 document: its message (the namespace's last part) and its root content. */
export interface XmlMessage {
  /** E.g. `camt.053.001.08`, from the namespace `urn:iso:std:iso:20022:tech:xsd:camt.053.001.08`. */
  readonly message: string;
  readonly document: XmlNode;
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Amounts stay text ("1250.50" must not become a float) and entities are decoded by
  // `textOf`, which refuses any entity XML does not predefine.
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  trimValues: true,
  isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
  maxNestedTags: limits.payouts.xmlDepthMax,
});

const isoNamespace = /^urn:iso:std:iso:20022:tech:xsd:([a-z]{4}\.\d{3}\.\d{3}\.\d{2})$/;

/**
 * Reads an ISO 20022 XML file strictly: its size is bounded; a DOCTYPE (the door to entity
 * expansion and external entities) and CDATA are refused; the XML must be well-formed; the
 * root must be `Document` in an ISO 20022 namespace. Nothing else is interpreted here.
 *
 * @example
 *   const { message, document } = parseIso20022(xml); // message 'camt.053.001.08'
 */
export function parseIso20022(xml: string): XmlMessage {
  if (Buffer.byteLength(xml, 'utf8') > limits.payouts.bankFileBytesMax) {
    throw malformed('file', `is larger than ${limits.payouts.bankFileBytesMax} bytes`);
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw malformed('file', 'holds a DOCTYPE or an ENTITY declaration');
  if (xml.includes('<![CDATA[')) throw malformed('file', 'holds a CDATA section');
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) {
    throw malformed(`line ${verdict.err.line}`, `is not well-formed XML (${verdict.err.msg})`);
  }
  const namespace = rootNamespace(xml);
  const match = namespace === null ? null : isoNamespace.exec(namespace);
  if (match === null || match[1] === undefined) {
    throw new BankFileError(
      'AMP_BANK_FILE_UNSUPPORTED',
      'The root element is not an ISO 20022 Document.',
    );
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(xml);
  } catch (error) {
    throw malformed('file', error instanceof Error ? error.message : 'cannot be parsed');
  }
  const document = childrenOf(parsed as XmlNode, 'Document')[0];
  if (document === undefined) throw malformed('/Document', 'is missing');
  return { message: match[1], document };
}

/** The namespace of the root element, read from its start tag (prefixed or default). */
function rootNamespace(xml: string): string | null {
  const start = /<(?![?!])([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)([^>]*)>/.exec(xml);
  if (start === null || start[1] === undefined) return null;
  const name = start[1];
  const prefix = name.includes(':') ? name.slice(0, name.indexOf(':')) : null;
  if ((prefix === null ? name : name.slice(prefix.length + 1)) !== 'Document') return null;
  const attribute = prefix === null ? 'xmlns' : `xmlns:${prefix}`;
  const declared = new RegExp(`\\s${attribute.replace('.', '\\.')}\\s*=\\s*(["'])([^"']*)\\1`).exec(
    start[2] ?? '',
  );
  return declared?.[2] ?? null;
}

/** The child elements called `name` (none: an empty list). */
export function childrenOf(node: XmlNode | undefined, name: string): readonly XmlNode[] {
  if (node === undefined || typeof node === 'string') return [];
  const children = node[name];
  return Array.isArray(children) ? children : [];
}

/** The one child element called `name`, or undefined; more than one is refused. */
export function childOf(
  node: XmlNode | undefined,
  name: string,
  where: string,
): XmlNode | undefined {
  const children = childrenOf(node, name);
  if (children.length > 1) throw malformed(`${where}/${name}`, 'appears more than once');
  return children[0];
}

/** Follows a path of single children (`'Rsn/Cd'`); undefined as soon as one is missing. */
export function pathOf(
  node: XmlNode | undefined,
  path: string,
  where: string,
): XmlNode | undefined {
  let current = node;
  let at = where;
  for (const name of path.split('/')) {
    current = childOf(current, name, at);
    at = `${at}/${name}`;
    if (current === undefined) return undefined;
  }
  return current;
}

/** The decoded text of the element at `path`, or undefined when it is missing. */
export function optionalText(
  node: XmlNode | undefined,
  path: string,
  where: string,
): string | undefined {
  const element = pathOf(node, path, where);
  if (element === undefined) return undefined;
  const raw = typeof element === 'string' ? element : element['#text'];
  if (raw !== undefined && typeof raw !== 'string')
    throw malformed(`${where}/${path}`, 'is not text');
  return decodeEntities(raw ?? '', `${where}/${path}`);
}

/** The decoded text of the element at `path`; missing or empty is refused. */
export function requiredText(node: XmlNode | undefined, path: string, where: string): string {
  const text = optionalText(node, path, where);
  if (text === undefined || text === '') throw malformed(`${where}/${path}`, 'is missing');
  return text;
}

/** An attribute of the element at `path`, decoded. */
export function attributeOf(
  node: XmlNode | undefined,
  path: string,
  name: string,
  where: string,
): string | undefined {
  const element = pathOf(node, path, where);
  if (element === undefined || typeof element === 'string') return undefined;
  const raw = element[`@${name}`];
  return typeof raw === 'string' ? decodeEntities(raw, `${where}/${path}/@${name}`) : undefined;
}

const entity = /&([^;&\s]{0,10});?/g;
const predefined: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML's five entities and character references; anything else is refused. */
function decodeEntities(text: string, where: string): string {
  if (!text.includes('&')) return text;
  return text.replace(entity, (whole, name: string) => {
    if (!whole.endsWith(';')) throw malformed(where, 'holds a bare "&"');
    const known = predefined[name];
    if (known !== undefined) return known;
    const code = /^#x([0-9a-fA-F]{1,6})$/.exec(name)?.[1] ?? /^#(\d{1,7})$/.exec(name)?.[1];
    const point =
      code === undefined ? Number.NaN : Number.parseInt(code, name.startsWith('#x') ? 16 : 10);
    if (
      Number.isNaN(point) ||
      point > 0x10ffff ||
      (point >= 0xd800 && point <= 0xdfff) ||
      point < 0x9
    ) {
      throw malformed(where, `holds an entity XML does not define (&${name};)`);
    }
    return String.fromCodePoint(point);
  });
}
