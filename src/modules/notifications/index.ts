/**
 * Text messages: the outbox (`notification_outbox`) and its enqueue service, which every
 * module that texts a person calls inside its own transaction; the worker that sends them
 * through a provider; delivery receipts and opt-outs.
 */
export { resolveDeferredNotices } from './deferred-notices.js';
export {
  type DevelopmentSmsSink,
  developmentSmsSink,
  developmentSmsSinkFile,
} from './development-sms-sink.js';
export { consoleProvider, fileProvider } from './file-provider.js';
export {
  amountText,
  localDate,
  localDateTime,
  localDayStart,
  type MoneyReceived,
  paymentNotices,
} from './notice-values.js';
export { e164, enqueueText, type TextMessage } from './outbox-enqueuer.js';
export { inQuietHours, type OutboxWorker, outboxWorker } from './outbox-worker.js';
export {
  noticeText,
  type PersonNotice,
  type PersonNoticeEvent,
  type PersonNotifier,
  personNotifier,
  type TextContact,
  type TextContacts,
} from './person-notices.js';
export type { OutgoingText, SendOutcome, SmsProvider } from './provider.js';
export { type ProviderContext, providerFromEnv } from './provider-config.js';
export {
  type DeliveryReceipt,
  type InboundText,
  type ReceiptOutcome,
  recordInbound,
  recordReceipt,
} from './receipts.js';
export {
  MessageLineSchema,
  type NotificationsPluginOptions,
  notificationsPlugin,
} from './routes.js';
export { isGsm7, smsLayout, smsParts } from './segments.js';
export { type SmppProviderOptions, smppProvider } from './smpp-provider.js';
export type { MessageLanguage, MessageStatus, NotificationTables } from './tables.js';
export { renderText, TemplateError, templates } from './templates.js';
export { webhookProvider } from './webhook-provider.js';
export { signWebhook, webhookSignatureValid } from './webhook-signature.js';
