import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';

const schemaPath = new URL('./schemas/pain.001.001.09.xsd', import.meta.url);
let schema: string | undefined;

/** What the official schema says of a file: valid, or the errors with their lines. */
export interface SchemaVerdict {
  valid: boolean;
  errors: Array<{ line: number | null; message: string }>;
}

/**
 * Validates a `pain.001.001.09` file against the official XSD shipped in `schemas/` (libxml2
 * compiled to WebAssembly: no native install, the same on every machine). A file that does
 * not validate must not go to a bank.
 */
export async function validatePain001(xml: string): Promise<SchemaVerdict> {
  schema ??= readFileSync(schemaPath, 'utf8');
  const result = await validateXML({
    xml: { fileName: 'payout.xml', contents: xml },
    schema: { fileName: 'pain.001.001.09.xsd', contents: schema },
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
