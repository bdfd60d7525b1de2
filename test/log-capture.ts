import { Writable } from 'node:stream';

/**
 * Collects every log line an app writes, for tests that prove what is and is not logged.
 *
 * @example
 *   const logs = logCapture();
 *   await build(config, { …, logDestination: logs.stream });
 *   expect(logs.text()).not.toContain(uin);
 */
export function logCapture(): { stream: Writable; text: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => lines.join('') };
}
