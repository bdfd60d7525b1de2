import { limits } from '../../limits.js';
import { smsLayout } from './segments.js';
import type { MessageLanguage } from './tables.js';

/**
 * The closed set of things a message may say, by kind of value. None of them can hold a
 * person's attribute: a code, a count, a date, the name of a place or a program, an amount.
 * Each has a pattern (checked when a message is queued) and a longest value (used to count
 * the worst case of segments when the template is defined).
 */
export const variableKinds = {
  code: { pattern: /^\d{4,8}$/, longest: '12345678' },
  count: { pattern: /^\d{1,4}$/, longest: '9999' },
  date: { pattern: /^\d{4}-\d{2}-\d{2}$/, longest: '2026-12-31' },
  /** A local date and time to the minute (`YYYY-MM-DD HH:MM`): when a held PIN starts paying. */
  time: { pattern: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, longest: '2026-12-31 23:59' },
  place: { pattern: /^[\p{L}\p{N} .,'()-]{1,40}$/u, longest: 'x'.repeat(40) },
  program: { pattern: /^[\p{L}\p{N} .,'()-]{1,40}$/u, longest: 'x'.repeat(40) },
  amount: { pattern: /^\d{1,12}(\.\d{2})? [A-Z]{3}$/, longest: '999999999999.99 VES' },
  reference: { pattern: /^[A-Z0-9-]{1,16}$/, longest: 'X'.repeat(16) },
  /** The last four digits of a payee account (never more of it). */
  accountEnding: { pattern: /^\d{4}$/, longest: '9999' },
} as const;

export type VariableKind = keyof typeof variableKinds;

export interface TemplateDefinition {
  id: string;
  variables: Readonly<Record<string, VariableKind>>;
  /**
   * The variables that are secrets (a one-time code): sealed in the outbox under the master
   * key, opened only by the sending worker just before it renders the text, and cleared once
   * the message is sent or ends otherwise; shown as dots everywhere else. Every variable of kind
   * `code` must be listed (checked when the template is defined). Declared here and nowhere
   * else: the enqueuer, the worker and the history ask `secretVariables`.
   */
  secret?: readonly string[];
  /**
   * A message the person asked for (their sign-in code): sent despite an opt-out, quiet hours
   * and the per-recipient rate limit.
   */
  requested: boolean;
  /** Not sent after this long in the outbox. */
  ttlMs: number;
  text: Readonly<Record<MessageLanguage, string>>;
}

export class TemplateError extends Error {
  constructor(
    readonly reason:
      | 'unknown_template'
      | 'variable_missing'
      | 'variable_invalid'
      | 'too_long'
      | 'secret_undeclared'
      | 'secret_kept',
    message: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

const placeholder = /\{([a-zA-Z]+)\}/g;

/**
 * Checks a template when it is defined (refused at load time, so a broken template never
 * reaches the outbox): every placeholder declared, every variable used in every language, and
 * the longest possible text within `limits.notifications.segmentsMax` segments.
 */
export function defineTemplate(template: TemplateDefinition): TemplateDefinition {
  checkSecretsDeclared(template);
  for (const language of messageLanguages) {
    const text = template.text[language];
    const used = new Set([...text.matchAll(placeholder)].map((match) => match[1] ?? ''));
    for (const name of used) {
      if (!(name in template.variables)) {
        throw new TemplateError(
          'variable_missing',
          `Template ${template.id} (${language}) uses {${name}}, which it does not declare`,
        );
      }
    }
    for (const name of Object.keys(template.variables)) {
      if (!used.has(name)) {
        throw new TemplateError(
          'variable_missing',
          `Template ${template.id} (${language}) does not say its variable {${name}}`,
        );
      }
    }
    const longest = fill(text, (name) => {
      const kind = template.variables[name] as VariableKind;
      return variableKinds[kind].longest;
    });
    if (smsLayout(longest).segments > limits.notifications.segmentsMax) {
      throw new TemplateError(
        'too_long',
        `Template ${template.id} (${language}) can take more than ${limits.notifications.segmentsMax} SMS`,
      );
    }
  }
  return template;
}

/**
 * Refuses a template whose secret list names a variable it does not have, or that leaves a
 * `code` variable out of it: a code forgotten there would sit in clear in the outbox.
 */
function checkSecretsDeclared(template: TemplateDefinition): void {
  const secret = new Set(template.secret ?? []);
  for (const name of secret) {
    if (!(name in template.variables)) {
      throw new TemplateError(
        'secret_undeclared',
        `Template ${template.id} lists {${name}} as secret, which it does not declare`,
      );
    }
  }
  for (const [name, kind] of Object.entries(template.variables)) {
    if (kind === 'code' && !secret.has(name)) {
      throw new TemplateError(
        'secret_undeclared',
        `Template ${template.id} does not list its code {${name}} as secret`,
      );
    }
  }
}

export const messageLanguages: readonly MessageLanguage[] = ['es', 'en'];

const minutes = 60_000;
const days = 24 * 60 * minutes;

/**
 * Every message Amparo sends. Benefit messages name no benefit, no health condition and no
 * amount unless the template says so by name (`…_named`), which a program opts into.
 */
export const templates: ReadonlyMap<string, TemplateDefinition> = new Map(
  [
    defineTemplate({
      id: 'citizen.sign_in_code',
      variables: { code: 'code', validMinutes: 'count' },
      secret: ['code'],
      requested: true,
      ttlMs: 10 * minutes,
      text: {
        es: 'Amparo: su código de acceso es {code} (vale {validMinutes} min).',
        en: 'Your Amparo sign-in code is {code} (valid {validMinutes} min).',
      },
    }),
    defineTemplate({
      id: 'registry.enrolled',
      variables: {},
      requested: false,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: su registro quedó completo.',
        en: 'Amparo: your registration is complete.',
      },
    }),
    defineTemplate({
      id: 'credentials.card_ready',
      variables: { place: 'place' },
      requested: false,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: su carnet está listo. Retírelo en {place}.',
        en: 'Amparo: your card is ready. Collect it at {place}.',
      },
    }),
    defineTemplate({
      id: 'credentials.card_ready_office',
      variables: {},
      requested: false,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: su carnet está listo. Retírelo en la oficina donde se registró.',
        en: 'Amparo: your card is ready. Collect it at the office where you registered.',
      },
    }),
    defineTemplate({
      id: 'programs.entitlement_published',
      variables: { place: 'place', date: 'date' },
      requested: false,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: tiene algo para retirar en {place} desde el {date}.',
        en: 'Amparo: you have something to collect at {place} from {date}.',
      },
    }),
    defineTemplate({
      id: 'programs.entitlement_published_office',
      variables: { date: 'date' },
      requested: false,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: tiene algo para retirar desde el {date}. Pregunte dónde en la oficina donde se registró.',
        en: 'Amparo: you have something to collect from {date}. Ask where at the office where you registered.',
      },
    }),
    defineTemplate({
      id: 'programs.entitlement_published_named',
      variables: { program: 'program', place: 'place', date: 'date' },
      requested: false,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: {program} disponible en {place} desde el {date}.',
        en: 'Amparo: {program} available at {place} from {date}.',
      },
    }),
    defineTemplate({
      id: 'programs.appeal_decided',
      variables: { reference: 'reference' },
      requested: false,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: su apelación {reference} tiene respuesta. Consúltela en la oficina o en línea.',
        en: 'Amparo: your appeal {reference} has been decided. See it at the office or online.',
      },
    }),
    defineTemplate({
      id: 'distribution.redemption_code',
      variables: { code: 'code', validMinutes: 'count' },
      secret: ['code'],
      requested: true,
      ttlMs: 10 * minutes,
      text: {
        es: 'Amparo: su código para retirar sin carnet es {code} (vale {validMinutes} min). No lo comparta si no lo pidió.',
        en: 'Amparo: your code to collect without your card is {code} (valid {validMinutes} min). Do not share it unless you asked.',
      },
    }),
    defineTemplate({
      id: 'distribution.redemption_receipt',
      variables: { place: 'place', date: 'date', reference: 'reference' },
      requested: false,
      ttlMs: 1 * days,
      text: {
        es: 'Amparo: retiro registrado en {place} el {date}, recibo {reference}. Si no fue usted, avise en la oficina.',
        en: 'Amparo: collection recorded at {place} on {date}, receipt {reference}. If it was not you, tell the office.',
      },
    }),
    defineTemplate({
      id: 'distribution.entitlement_held',
      variables: { date: 'date', until: 'date' },
      requested: false,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: desde el {date} una entrega suya está retenida para revisión, hasta el {until} como máximo. Vea el motivo en su cuenta o en la oficina; puede apelar.',
        en: 'Amparo: from {date} one of your benefits is held for review, until {until} at most. See why in your account or at the office; you may appeal.',
      },
    }),
    defineTemplate({
      id: 'distribution.entitlement_hold_lifted',
      variables: { date: 'date' },
      requested: false,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: el {date} se levantó la retención de una entrega suya. Puede retirarla de nuevo.',
        en: 'Amparo: on {date} the hold on one of your benefits was lifted. You may collect it again.',
      },
    }),
    defineTemplate({
      id: 'distribution.entitlement_hold_lapsed',
      variables: { date: 'date' },
      requested: false,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: el {date} terminó por sí sola la retención de una entrega suya. Si la entrega sigue vigente, puede retirarla.',
        en: 'Amparo: on {date} the hold on one of your benefits ended by itself. If the benefit is still open, you may collect it.',
      },
    }),
    defineTemplate({
      id: 'distribution.hold_objection_rejected',
      variables: { date: 'date', until: 'date' },
      requested: false,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: el {date} se rechazó su objeción a la retención de una entrega; sigue retenida hasta el {until} como máximo. Vea el motivo en su cuenta o en la oficina.',
        en: 'Amparo: on {date} your objection to the hold on one of your benefits was rejected; it stays held until {until} at most. See why in your account or at the office.',
      },
    }),
    defineTemplate({
      id: 'payments.payment_code',
      variables: { code: 'code', amount: 'amount', validMinutes: 'count' },
      secret: ['code'],
      requested: true,
      ttlMs: 10 * minutes,
      text: {
        es: 'Amparo: su código para pagar {amount} sin carnet es {code} (vale {validMinutes} min). Si no está pagando, no lo dé.',
        en: 'Amparo: your code to pay {amount} without your card is {code} (valid {validMinutes} min). If you are not paying, do not give it.',
      },
    }),
    defineTemplate({
      id: 'ledger.payment_received',
      variables: { amount: 'amount', date: 'date' },
      requested: false,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: recibió un pago de {amount} el {date}.',
        en: 'Amparo: you received a payment of {amount} on {date}.',
      },
    }),
    defineTemplate({
      id: 'payments.pin_code',
      variables: { code: 'code', validMinutes: 'count' },
      secret: ['code'],
      requested: true,
      ttlMs: 15 * minutes,
      text: {
        es: 'Amparo: su código para cambiar su PIN de pago es {code} (vale {validMinutes} min). Si no está cambiando su PIN, no lo dé.',
        en: 'Amparo: your code to change your payment PIN is {code} (valid {validMinutes} min). If you are not changing your PIN, do not give it.',
      },
    }),
    defineTemplate({
      id: 'payments.pin_changed',
      variables: { date: 'date' },
      requested: true,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: su PIN de pago fue cambiado el {date}. Si no fue usted, avise en la oficina.',
        en: 'Amparo: your payment PIN was changed on {date}. If it was not you, tell the office.',
      },
    }),
    defineTemplate({
      id: 'payments.pin_changed_held',
      variables: { date: 'date', until: 'time' },
      requested: true,
      ttlMs: 1 * days,
      text: {
        es: 'Amparo: su PIN de pago fue cambiado el {date}; no paga nada antes de {until}. Si no fue usted, avise en la oficina antes de esa hora.',
        en: 'Amparo: your payment PIN was changed on {date}; it pays nothing before {until}. If it was not you, tell the office before then.',
      },
    }),
    defineTemplate({
      id: 'payments.pin_after_phone_change',
      variables: { date: 'date', until: 'time' },
      requested: true,
      ttlMs: 1 * days,
      text: {
        es: 'Amparo: cambiaron el teléfono de su registro y el {date} se fijó un PIN de pago nuevo; no paga nada antes de {until}. Si no fue usted, avise en una oficina antes de esa hora.',
        en: 'Amparo: the phone on your record was changed and a new payment PIN was set on {date}; it pays nothing before {until}. If it was not you, tell an office before then.',
      },
    }),
    defineTemplate({
      id: 'payments.pin_locked',
      variables: { date: 'date' },
      requested: true,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: su PIN de pago se bloqueó el {date} tras varios intentos equivocados y no paga nada. Fije uno nuevo en una oficina; si no fue usted, avíselo allí.',
        en: 'Amparo: your payment PIN was locked on {date} after too many wrong tries and pays nothing. Set a new one at an office; if it was not you, tell them there.',
      },
    }),
    defineTemplate({
      id: 'payments.payee_code',
      variables: { code: 'code', validMinutes: 'count' },
      secret: ['code'],
      requested: true,
      ttlMs: 15 * minutes,
      text: {
        es: 'Amparo: su código para cambiar la cuenta donde cobra sus pagos es {code} (vale {validMinutes} min). Si no la está cambiando, no lo dé.',
        en: 'Amparo: your code to change the account your payments go to is {code} (valid {validMinutes} min). If you are not changing it, do not give it.',
      },
    }),
    defineTemplate({
      id: 'payments.payee_changed',
      variables: { ending: 'accountEnding', date: 'date' },
      requested: true,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: la cuenta donde cobra sus pagos cambió el {date} a una que termina en {ending}. Si no fue usted, avise en la oficina.',
        en: 'Amparo: the account your payments go to was changed on {date} to one ending {ending}. If it was not you, tell the office.',
      },
    }),
    defineTemplate({
      id: 'payments.payee_changed_held',
      variables: { ending: 'accountEnding', date: 'date', until: 'date', code: 'code' },
      secret: ['code'],
      requested: true,
      ttlMs: 1 * days,
      text: {
        es: 'Amparo: la cuenta donde cobra sus pagos cambió el {date} a una que termina en {ending}; no se usa antes del {until}. Si no fue usted, deténgalo con su número de identidad y el código {code} en Amparo, o avise en la oficina.',
        en: 'Amparo: the account your payments go to was changed on {date} to one ending {ending}; it is not used before {until}. If it was not you, stop it with your ID number and the code {code} in Amparo, or tell the office.',
      },
    }),
    defineTemplate({
      id: 'payments.payee_after_phone_change',
      variables: { ending: 'accountEnding', date: 'date', until: 'time', code: 'code' },
      secret: ['code'],
      requested: true,
      ttlMs: 1 * days,
      text: {
        es: 'Amparo: cambiaron el teléfono de su registro y el {date} la cuenta donde cobra sus pagos, a una que termina en {ending}; no se usa antes de {until}. Si no fue usted, deténgalo con su número de identidad y el código {code} en Amparo, o avise en una oficina.',
        en: 'Amparo: the phone on your record was changed, and on {date} the account your payments go to, to one ending {ending}; it is not used before {until}. If it was not you, stop it with your ID number and the code {code} in Amparo, or tell an office.',
      },
    }),
    defineTemplate({
      id: 'payments.wallet_paid',
      variables: { amount: 'amount', date: 'date' },
      requested: true,
      ttlMs: 3 * days,
      text: {
        es: 'Amparo: se pagaron {amount} de su monedero el {date}. Si no fue usted, avise en la oficina.',
        en: 'Amparo: {amount} was paid from your wallet on {date}. If it was not you, tell the office.',
      },
    }),
  ].map((template) => [template.id, template]),
);

/** The template or a refusal naming it. */
export function templateFor(templateId: string): TemplateDefinition {
  const template = templates.get(templateId);
  if (!template) throw new TemplateError('unknown_template', `No template ${templateId}`);
  return template;
}

/** Refuses parameters that miss a variable, add one, or do not match its kind. */
export function checkParameters(
  template: TemplateDefinition,
  parameters: Readonly<Record<string, string>>,
): void {
  for (const [name, kind] of Object.entries(template.variables)) {
    const value = parameters[name];
    if (value === undefined) {
      throw new TemplateError('variable_missing', `${template.id} needs {${name}}`);
    }
    if (!variableKinds[kind].pattern.test(value)) {
      throw new TemplateError('variable_invalid', `${template.id}: {${name}} is not a ${kind}`);
    }
  }
  for (const name of Object.keys(parameters)) {
    if (!(name in template.variables)) {
      throw new TemplateError('variable_invalid', `${template.id} has no variable {${name}}`);
    }
  }
}

/**
 * The text of a message in a language.
 *
 * @example
 *   renderText('citizen.sign_in_code', 'en', { code: '042917', validMinutes: '10' });
 *   // 'Your Amparo sign-in code is 042917 (valid 10 min).'
 */
export function renderText(
  templateId: string,
  language: MessageLanguage,
  parameters: Readonly<Record<string, string>>,
): string {
  const template = templateFor(templateId);
  checkParameters(template, parameters);
  return fill(template.text[language], (name) => parameters[name] ?? '');
}

/** The names of a template's secret variables (its one-time codes), as the catalogue says. */
export function secretVariables(template: TemplateDefinition): readonly string[] {
  return template.secret ?? [];
}

/**
 * Parameters split as the outbox keeps them: `clear` (stored as they are) and `secret` (sealed,
 * or null when the template has no secret).
 *
 * @example
 *   splitParameters(templateFor('citizen.sign_in_code'), { code: '042917', validMinutes: '10' });
 *   // { clear: { validMinutes: '10' }, secret: { code: '042917' } }
 */
export function splitParameters(
  template: TemplateDefinition,
  parameters: Readonly<Record<string, string>>,
): { clear: Record<string, string>; secret: Record<string, string> | null } {
  const secretNames = new Set(secretVariables(template));
  const clear: Record<string, string> = {};
  const secret: Record<string, string> = {};
  for (const [name, value] of Object.entries(parameters)) {
    if (secretNames.has(name)) secret[name] = value;
    else clear[name] = value;
  }
  return { clear, secret: secretNames.size === 0 ? null : secret };
}

/** What a secret is shown as where the text is shown but not sent (history, dashboard). */
export const secretMask = '••••••';

/**
 * The text of a message with its secrets as dots, from the clear parameters alone (the outbox
 * keeps no secret in clear, and none once the message has ended). The clear values are
 * checked against their kinds as `renderText` checks them.
 *
 * @example
 *   maskedText('citizen.sign_in_code', 'es', { validMinutes: '10' });
 *   // 'Amparo: su código de acceso es •••••• (vale 10 min).'
 */
export function maskedText(
  templateId: string,
  language: MessageLanguage,
  clearParameters: Readonly<Record<string, string>>,
): string {
  const template = templateFor(templateId);
  const secretNames = new Set(secretVariables(template));
  // A stand-in of the right kind for each secret, so that the clear values alone are checked.
  const filler = Object.fromEntries(
    [...secretNames].map((name) => {
      // Safe: `defineTemplate` refused a secret that is not one of the declared variables.
      const kind = template.variables[name] as VariableKind;
      return [name, variableKinds[kind].longest];
    }),
  );
  checkParameters(template, { ...clearParameters, ...filler });
  return fill(template.text[language], (name) =>
    secretNames.has(name) ? secretMask : (clearParameters[name] ?? ''),
  );
}

function fill(text: string, value: (name: string) => string): string {
  return text.replace(placeholder, (_match, name: string) => value(name));
}
