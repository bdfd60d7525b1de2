import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { limits } from '../../limits.js';
import { PersonIdParams, PurposeQuery } from '../../shared/api/params.js';
import { deliveryDashboard } from './delivery-dashboard.js';
import { type MessageHistoryDependencies, messageHistory } from './message-history.js';
import { webhookRoutes } from './webhook-routes.js';

export interface NotificationsPluginOptions extends MessageHistoryDependencies {
  masterKey: Buffer;
  /** The secret shared with an HTTP SMS gateway (AMPARO_SMS_WEBHOOK_SECRET), if there is one. */
  webhookSecret: string | undefined;
  /** The dashboard's clock (today); the system clock when absent. */
  now?: (() => Date) | undefined;
}

export const MessageLineSchema = Type.Object({
  id: Type.String(),
  queuedAt: Type.String(),
  templateId: Type.String(),
  language: Type.Union([Type.Literal('es'), Type.Literal('en')]),
  text: Type.String(),
  status: Type.Union([
    Type.Literal('queued'),
    Type.Literal('sending'),
    Type.Literal('sent'),
    Type.Literal('delivered'),
    Type.Literal('failed'),
    Type.Literal('expired'),
    Type.Literal('cancelled'),
  ]),
  sentAt: Type.Union([Type.String(), Type.Null()]),
  deliveredAt: Type.Union([Type.String(), Type.Null()]),
  failureReason: Type.Union([Type.String(), Type.Null()]),
});

const MessagesResponse = Type.Object({ messages: Type.Array(MessageLineSchema) });

const count = Type.Integer({ minimum: 0 });
const DashboardResponse = Type.Object({
  from: Type.String(),
  to: Type.String(),
  days: Type.Array(
    Type.Object({
      day: Type.String(),
      provider: Type.String(),
      sent: count,
      delivered: count,
      failed: count,
      expired: count,
      waiting: count,
    }),
  ),
  failed: Type.Array(
    Type.Object({
      id: Type.String(),
      queuedAt: Type.String(),
      failedAt: Type.Union([Type.String(), Type.Null()]),
      provider: Type.Union([Type.String(), Type.Null()]),
      templateId: Type.String(),
      regionCode: Type.String(),
      failureReason: Type.Union([Type.String(), Type.Null()]),
      text: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

const DashboardQuery = Type.Object(
  {
    ...PurposeQuery.properties,
    days: Type.Optional(
      Type.Integer({ minimum: 1, maximum: limits.notifications.dashboardDaysMax }),
    ),
  },
  { additionalProperties: false },
);

/**
 * The notifications module's routes, registered under `/api`: the person's view of the text
 * messages Amparo queued for them (issue 14, point 5), and the signed receipts and replies of
 * an HTTP SMS gateway (webhook-routes.ts).
 */
export const notificationsPlugin: FastifyPluginAsyncTypebox<NotificationsPluginOptions> = async (
  app,
  deps,
) => {
  await app.register(webhookRoutes, {
    db: deps.db,
    masterKey: deps.masterKey,
    secret: deps.webhookSecret,
  });
  app.get(
    '/persons/:personId/messages',
    {
      schema: {
        tags: ['notifications'],
        summary:
          'The text messages queued for a person, newest first, codes hidden (the person themself, or an auditor)',
        params: PersonIdParams,
        querystring: PurposeQuery,
        response: { 200: MessagesResponse },
      },
    },
    async (request) => ({
      messages: await messageHistory(deps, {
        actor: request.actor,
        personId: request.params.personId,
        purpose: request.query.purpose ?? null,
        requestId: request.id,
      }),
    }),
  );
  app.get(
    '/notifications/dashboard',
    {
      schema: {
        tags: ['notifications'],
        summary:
          'Text message delivery by day and provider, and the latest failed messages, in the caller’s regions (words only with notification.content)',
        querystring: DashboardQuery,
        response: { 200: DashboardResponse },
      },
    },
    async (request, reply) => {
      const view = await deliveryDashboard(deps, {
        actor: request.actor,
        purpose: request.query.purpose ?? null,
        requestId: request.id,
        days: request.query.days ?? limits.notifications.dashboardDaysDefault,
        now: deps.now?.() ?? new Date(),
      });
      return reply.header('cache-control', 'no-store').send(view);
    },
  );
};
