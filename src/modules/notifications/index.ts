/**
 * Text messages: the outbox (`notification_outbox`) and its enqueue service, which every
 * module that texts a person calls inside its own transaction, and for now development's
 * local sink. Providers (SMPP, an HTTP gateway) come with the notifications issue.
 */
export {
  type DevelopmentSmsSink,
  developmentSmsSink,
  developmentSmsSinkFile,
} from './development-sms-sink.js';
export { enqueueText, type TextMessage } from './outbox-enqueuer.js';
export { smsText } from './sms-text.js';
export type { NotificationTables } from './tables.js';
