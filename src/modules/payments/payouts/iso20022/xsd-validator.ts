import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';

/** The official schemas shipped in `schemas/` (README.md there says where from, and the licence). */
const schemaFiles = {
  'pain.001.001.09': 'pain.001.001.09.xsd',
  'camt.053.001.08': 'camt.053.001.08.xsd',
} as const;
export type ShippedSchema = keyof typeof schemaFiles;

const loaded = new Map<ShippedSchema, string>();

function schemaText(schema: ShippedSchema): string {
  let text = loaded.get(schema);
  if (text === undefined) {
    text = readFileSync(new URL(`./schemas/${schemaFiles[schema]}`, import.meta.url), 'utf8');
    loaded.set(schema, text);
  }
  return text;
}

/** What the official schema says of a file: valid, or the errors with their lines. */
export interface SchemaVerdict {
  valid: boolean;
  errors: Array<{ line: number | null; message: string }>;
}

/**
 * Validates a file against one of the official ISO 20022 schemas shipped in `schemas/`
 * (libxml2 compiled to WebAssembly: no native install, the same on every machine). A payout
 * file that does not validate must not go to a bank; a camt.053.001.08 statement that does not
 * validate is not read.
 */
export async function validateIso20022(xml: string, schema: ShippedSchema): Promise<SchemaVerdict> {
  const result = await validateXML({
    xml: { fileName: 'file.xml', contents: xml },
    schema: { fileName: schemaFiles[schema], contents: schemaText(schema) },
    // A file of 100,000 payments is tens of megabytes: room for it and the parsed tree.
    maxMemoryPages: 16 * 1024,
  });
  return {
    valid: result.valid,
    errors: result.errors.map((error) => ({
      line: error.loc?.lineNumber ?? null,
      message: error.message,
    })),
  };
}

/** `validateIso20022(xml, 'pain.001.001.09')`. */
export function validatePain001(xml: string): Promise<SchemaVerdict> {
  return validateIso20022(xml, 'pain.001.001.09');
}
