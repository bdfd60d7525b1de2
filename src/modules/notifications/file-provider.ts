import { randomUUID } from 'node:crypto';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import type { SmsProvider } from './provider.js';
import { smsLayout } from './segments.js';

/**
 * Development's provider: each message is one line in a local file (time, phone, text),
 * created readable by its owner only (it holds phone numbers and codes). Nothing leaves the
 * machine. `now` stamps the lines.
 *
 * @example
 *   const provider = fileProvider({ file: './data/sms-outbox.log' });
 */
export function fileProvider(options: { file: string; now?: () => Date }): SmsProvider {
  const now = options.now ?? (() => new Date());
  closeSync(openSync(options.file, 'a', 0o600));
  return {
    name: 'file',
    async send(message) {
      appendFileSync(options.file, `${now().toISOString()}  to ${message.to}  ${message.text}\n`, {
        mode: 0o600,
      });
      const { segments } = smsLayout(message.text);
      return {
        kind: 'accepted',
        partIds: Array.from({ length: segments }, () => `file-${randomUUID()}`),
      };
    },
    async close() {},
  };
}

/**
 * Writes each message to a stream (standard output for `amparo notifications work
 * --provider console`). For a developer's terminal only: the line names the phone.
 */
export function consoleProvider(write: (line: string) => void): SmsProvider {
  return {
    name: 'console',
    async send(message) {
      write(`SMS to ${message.to}: ${message.text}\n`);
      const { segments } = smsLayout(message.text);
      return {
        kind: 'accepted',
        partIds: Array.from({ length: segments }, () => `console-${randomUUID()}`),
      };
    },
    async close() {},
  };
}
