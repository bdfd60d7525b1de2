import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { limits } from '../../limits.js';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError } from '../../platform/errors.js';
import { recordInbound, recordReceipt } from './receipts.js';
import { webhookSignatureValid } from './webhook-signature.js';

export interface WebhookRoutesOptions {
  db: Kysely<Database>;
  masterKey: Buffer;
  /** The secret shared with the gateway; without one every call is refused (401). */
  secret: string | undefined;
  now?: () => Date;
}

const ReceiptBody = Type.Object(
  {
    messageId: Type.String({ minLength: 1, maxLength: 128 }),
    status: Type.Union([Type.Literal('delivered'), Type.Literal('failed')]),
  },
  { additionalProperties: false },
);
const InboundBody = Type.Object(
  {
    from: Type.String({ minLength: 1, maxLength: 20 }),
    text: Type.String({ maxLength: 1600 }),
  },
  { additionalProperties: false },
);
const Answer = Type.Object({ outcome: Type.String() });

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as it arrived, for the webhook signature (set only by the webhook routes). */
    webhookRawBody?: Buffer;
  }
}

/**
 * What an HTTP SMS gateway sends back (issue 14, point 3 and 5), under `/api/notifications/
 * webhook`: delivery receipts and people's replies, each signed with the shared secret
 * (webhook-signature.ts) — a call without a valid, fresh signature is 401 and changes nothing.
 * A duplicated receipt or one for an id we never sent is answered 200 (`duplicate`,
 * `unknown`): refusing would only make the gateway send it again.
 */
export const webhookRoutes: FastifyPluginAsyncTypebox<WebhookRoutesOptions> = async (
  app,
  options,
) => {
  const now = options.now ?? (() => new Date());
  // This plugin's own JSON parser keeps the raw bytes, which the signature covers.
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: limits.notifications.webhookBodyBytesMax },
    (request, body, done) => {
      const raw = body as Buffer;
      request.webhookRawBody = raw;
      try {
        done(null, JSON.parse(raw.toString('utf8')));
      } catch {
        done(new AmparoError('AMP_VALIDATION', { detail: 'The body is not JSON' }), undefined);
      }
    },
  );
  const authentic = (request: FastifyRequest): boolean =>
    options.secret !== undefined &&
    options.secret.length > 0 &&
    webhookSignatureValid(
      options.secret,
      {
        timestamp: header(request, 'x-amparo-timestamp'),
        signature: header(request, 'x-amparo-signature'),
      },
      request.webhookRawBody ?? Buffer.alloc(0),
      now().getTime(),
    );

  app.post(
    '/notifications/webhook/receipts',
    {
      schema: {
        tags: ['notifications'],
        summary: 'A delivery receipt from the HTTP SMS gateway (signed with the shared secret)',
        body: ReceiptBody,
        response: { 200: Answer },
      },
    },
    async (request) => {
      if (!authentic(request)) {
        throw new AmparoError('AMP_UNAUTHENTICATED', { detail: 'No valid gateway signature' });
      }
      const outcome = await recordReceipt(options.db, {
        provider: 'webhook',
        providerMessageId: request.body.messageId,
        status: request.body.status,
        at: now(),
      });
      return { outcome };
    },
  );
  app.post(
    '/notifications/webhook/inbound',
    {
      schema: {
        tags: ['notifications'],
        summary: 'A text a person sent (BAJA or STOP opts out), from the HTTP SMS gateway (signed)',
        body: InboundBody,
        response: { 200: Answer },
      },
    },
    async (request) => {
      if (!authentic(request)) {
        throw new AmparoError('AMP_UNAUTHENTICATED', { detail: 'No valid gateway signature' });
      }
      const outcome = await recordInbound(options.db, options.masterKey, {
        from: request.body.from,
        text: request.body.text,
        at: now(),
      });
      return { outcome };
    },
  );
};

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}
