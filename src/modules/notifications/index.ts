/**
 * Text messages. For now only development's local sink: queued messages are written to a file
 * under the data directory. Providers (SMPP, an HTTP gateway) come with the notifications issue.
 */
export {
  type DevelopmentSmsSink,
  developmentSmsSink,
  developmentSmsSinkFile,
} from './development-sms-sink.js';
export { smsText } from './sms-text.js';
