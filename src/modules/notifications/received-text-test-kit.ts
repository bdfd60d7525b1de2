import type { Kysely } from 'kysely';
import { open } from '../../platform/crypto/envelope.js';
import type { Database } from '../../platform/db/schema.js';
import { openedParameters } from './outbox-seal.js';
import type { MessageLanguage } from './tables.js';
import { renderText, secretVariables, templateFor } from './templates.js';

/** A text as the person's phone shows it, and the code it carries. */
export interface ReceivedText {
  messageId: string;
  templateId: string;
  text: string;
  /** The code the text carries (its template's secret value); null when it has none. */
  code: string | null;
  /** The values the text was rendered from, its secret ones opened. */
  parameters: Record<string, string>;
}

/** Where the helpers read: the application's database (its own role) and the master key. */
export interface ReceivedTextSource {
  db: Kysely<Database>;
  masterKey: Buffer;
}

/**
 * Test-only: what a person's phone receives — the newest text queued for the person (and of
 * the template, when given; or one message by its id) — for tests that need a texted code to go on (sign in, set a PIN,
 * pay at the counter). The outbox keeps no code in clear (migration 0142), so a test cannot
 * read one from the row: this opens the row's sealed values with the test's master key and
 * renders the text exactly as the sending worker does (`openedParameters`, then `renderText`),
 * then reads the code off that text, as the person reads it off the screen. It sends nothing
 * and changes no row, so a test's other messages stay as they were. Only while the message
 * waits: once it has ended its code is gone (a test that sends through a worker reads the
 * provider's text instead). Never for production code: only the worker opens a secret value.
 *
 * @example
 *   await app.inject({ method: 'POST', url: '/api/citizen/sign-in/start', payload: { uin } });
 *   const code = await receivedCode(
 *     { db, masterKey }, { personId, templateId: 'citizen.sign_in_code' });
 */
export async function receivedText(
  source: ReceivedTextSource,
  query: TextQuery,
): Promise<ReceivedText> {
  const [newest] = await receivedTexts(source, query, 1);
  if (newest === undefined) throw new Error('no text queued for that person or template');
  return newest;
}

/** Which texts: the person's, of a template, or one message. */
export interface TextQuery {
  personId?: string;
  templateId?: string;
  messageId?: string;
}

/** `receivedText` for every text that fits, newest first (at most `limit`). */
export async function receivedTexts(
  source: ReceivedTextSource,
  query: TextQuery,
  limit = 100,
): Promise<ReceivedText[]> {
  let select = source.db
    .selectFrom('notification_outbox')
    .select(['id', 'template_id', 'language', 'parameters', 'secret_parameters_sealed'])
    .orderBy('created_at', 'desc')
    .limit(limit);
  if (query.personId !== undefined) select = select.where('person_id', '=', query.personId);
  if (query.templateId !== undefined) select = select.where('template_id', '=', query.templateId);
  if (query.messageId !== undefined) select = select.where('id', '=', query.messageId);
  const rows = await select.execute();
  return rows.map((row) => {
    const parameters = openedParameters(source.masterKey, {
      id: row.id,
      parameters: row.parameters,
      secretParametersSealed: row.secret_parameters_sealed,
    });
    if (parameters === null) throw new Error(`message ${row.id}: sealed under another key`);
    const ended =
      row.secret_parameters_sealed === null &&
      secretVariables(templateFor(row.template_id)).length > 0;
    if (ended) throw new Error(`message ${row.id} has ended: its code is gone`);
    const text = renderText(row.template_id, row.language, parameters);
    return {
      messageId: row.id,
      templateId: row.template_id,
      text,
      code: codeIn(row.template_id, row.language, text),
      parameters,
    };
  });
}

/** The code of the newest text queued for the person (and of the template, when given). */
export async function receivedCode(source: ReceivedTextSource, query: TextQuery): Promise<string> {
  const received = await receivedText(source, query);
  if (received.code === null) throw new Error(`${received.templateId} carries no code`);
  return received.code;
}

/**
 * The code in a text of a template, read where its template's words put it: the template's
 * text with its secret placeholder as digits and every other placeholder as any words.
 */
export function codeIn(templateId: string, language: MessageLanguage, text: string): string | null {
  const template = templateFor(templateId);
  const [secret] = secretVariables(template);
  if (secret === undefined) return null;
  const pattern = template.text[language]
    .split(/(\{[a-zA-Z]+\})/)
    .map((part) => {
      if (!/^\{[a-zA-Z]+\}$/.test(part)) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return part === `{${secret}}` ? '(\\d{4,8})' : '[\\s\\S]+?';
    })
    .join('');
  return new RegExp(`^${pattern}$`, 'u').exec(text)?.[1] ?? null;
}

/**
 * Test-only: the phones a person's texts of one template were queued to, sorted, opened as the
 * SMS worker opens them (the outbox seals each recipient): to tell the phone on file from the
 * phones a change of phone replaced.
 *
 * @example
 *   await textedPhones({ db, masterKey }, { personId, templateId: 'payments.pin_changed_held' });
 *   // ['+584125559999']
 */
export async function textedPhones(
  source: ReceivedTextSource,
  query: { personId: string; templateId: string },
): Promise<string[]> {
  const rows = await source.db
    .selectFrom('notification_outbox')
    .select(['id', 'recipient_sealed'])
    .where('person_id', '=', query.personId)
    .where('template_id', '=', query.templateId)
    .execute();
  return rows
    .map((row) =>
      open(source.masterKey, row.recipient_sealed ?? Buffer.alloc(0), {
        table: 'notification_outbox',
        column: 'recipient',
        recordId: row.id,
      }).toString('utf8'),
    )
    .sort();
}
