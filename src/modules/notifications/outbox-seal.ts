import { DecryptionError, open, seal } from '../../platform/crypto/envelope.js';
import { splitParameters, type TemplateDefinition } from './templates.js';

/**
 * The outbox's sealed columns: the phone (`recipient_sealed`) and the template's secret
 * parameters, its one-time code (`secret_parameters_sealed`, migration 0142). Each is
 * AES-256-GCM under the master key with associated data `notification_outbox|<column>|<id>`,
 * so a sealed value moved to another row or column does not open.
 */
export type OutboxSealedColumn = 'recipient' | 'secret_parameters';

/**
 * Seals a value of an outbox row.
 *
 * @example
 *   sealInOutbox(masterKey, id, 'recipient', '+584121234567');
 */
export function sealInOutbox(
  masterKey: Buffer,
  messageId: string,
  column: OutboxSealedColumn,
  plaintext: string,
): Buffer {
  return seal(masterKey, Buffer.from(plaintext, 'utf8'), {
    table: 'notification_outbox',
    column,
    recordId: messageId,
  });
}

/** Opens a value of an outbox row; null when it was sealed under another master key. */
export function openInOutbox(
  masterKey: Buffer,
  messageId: string,
  column: OutboxSealedColumn,
  sealed: Buffer,
): string | null {
  try {
    return open(masterKey, sealed, {
      table: 'notification_outbox',
      column,
      recordId: messageId,
    }).toString('utf8');
  } catch (error) {
    // Sealed under another master key (a database kept, keys re-created).
    if (error instanceof DecryptionError) return null;
    throw error;
  }
}

/**
 * A message's parameters as the outbox stores them: the clear ones, and the template's secret
 * ones sealed (null when it has none).
 */
export function sealedParameters(
  masterKey: Buffer,
  messageId: string,
  template: TemplateDefinition,
  parameters: Readonly<Record<string, string>>,
): { parameters: Record<string, string>; secretParametersSealed: Buffer | null } {
  const { clear, secret } = splitParameters(template, parameters);
  return {
    parameters: clear,
    secretParametersSealed:
      secret === null
        ? null
        : sealInOutbox(masterKey, messageId, 'secret_parameters', JSON.stringify(secret)),
  };
}

/**
 * A message's parameters for rendering its text: the clear ones with the secret ones opened.
 * Null when the secret ones do not open (another master key). Only the sending worker calls it
 * for a message it sends (and a test kit, to read what the phone receives).
 */
export function openedParameters(
  masterKey: Buffer,
  message: {
    id: string;
    parameters: Readonly<Record<string, string>>;
    secretParametersSealed: Buffer | null;
  },
): Record<string, string> | null {
  if (message.secretParametersSealed === null) return { ...message.parameters };
  const opened = openInOutbox(
    masterKey,
    message.id,
    'secret_parameters',
    message.secretParametersSealed,
  );
  if (opened === null) return null;
  // Safe: `sealedParameters` sealed a JSON object of strings, and GCM proved it unchanged.
  const secret = JSON.parse(opened) as Record<string, string>;
  return { ...message.parameters, ...secret };
}
