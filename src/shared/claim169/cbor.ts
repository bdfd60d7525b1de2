import { Decoder, Encoder, Tag } from 'cbor-x';

/**
 * cbor-x configured for COSE: integer map keys must stay integers (a JavaScript object would
 * turn them into strings), records are a cbor-x extension no other reader understands, and a
 * Uint8Array must be a plain byte string rather than CBOR tag 64.
 */
const encoder = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false });
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });

/** A decoded CBOR item: maps come back as `Map`, byte strings as `Uint8Array`. */
export type CborValue = unknown;

/**
 * Encodes one CBOR item. Maps must be `Map` instances to keep integer keys.
 *
 * @example
 * encodeCbor(new Map([[1, -8]])); // a1 01 27
 */
export function encodeCbor(value: CborValue): Uint8Array {
  return encoder.encode(value);
}

/**
 * Decodes exactly one CBOR item; trailing bytes are an error. Throws whatever cbor-x throws,
 * so callers wrap it in their own typed error.
 */
export function decodeCbor(bytes: Uint8Array): CborValue {
  return decoder.decode(bytes);
}

/** Wraps a value in a CBOR tag, e.g. `tagged(18, coseArray)` for a COSE_Sign1. */
export function tagged(tag: number, value: CborValue): Tag {
  return new Tag(value, tag);
}

/** The tag number and content of a decoded tagged item, or undefined if it is not tagged. */
export function untag(value: CborValue): { tag: number; content: CborValue } | undefined {
  if (value instanceof Tag) return { tag: value.tag, content: value.value };
  return undefined;
}
