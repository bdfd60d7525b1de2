import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliEnvironment, createCliEnvironment } from '../../../test/cli-environment.js';
import { loadKeyStore } from '../../platform/crypto/key-store.js';
import { registerNotificationsCommands } from './cli.js';
import { enqueueText } from './outbox-enqueuer.js';

/**
 * `amparo notifications work` (issue 14, point 1): the outbox worker as its own process reads
 * its database, keys and provider from the environment. `--once` sends what is due through
 * the file provider and exits; `--lease` takes whole seconds, within bounds.
 */
describe('amparo notifications work', () => {
  let cli: CliEnvironment;
  beforeAll(async () => {
    cli = await createCliEnvironment('amparo-notifications-cli-');
  });
  afterAll(async () => cli?.close());

  async function run(...args: string[]): Promise<string> {
    let output = '';
    const program = new Command('amparo').exitOverride();
    program.configureOutput({ writeErr: (text) => (output += text), writeOut: () => {} });
    registerNotificationsCommands(program, {
      env: cli.env,
      write: (text) => {
        output += text;
      },
    });
    await program.parseAsync(['node', 'amparo', 'notifications', 'work', ...args]);
    return output;
  }

  it('sends what is due through the file provider and exits with --once', async () => {
    const { masterKey } = loadKeyStore(cli.env.AMPARO_KEYS_DIR ?? '');
    const id = await cli.withCommandDatabase(async (db) => {
      const personId = randomUUID();
      await db
        .insertInto('person')
        .values({ id: personId, uin: '2000000777', region_code: 'VE-A', merged_into: null })
        .execute();
      // A requested sign-in code: sent whatever the hour (quiet hours hold other texts).
      return enqueueText(db, masterKey, {
        personId,
        phone: '+584121230777',
        templateId: 'citizen.sign_in_code',
        parameters: { code: '481516', validMinutes: '10' },
        queuedAt: new Date(),
      });
    });
    expect(await run('--once', '--provider', 'file', '--lease', '60')).toContain(
      'notifications: 1 sent through file',
    );
    const log = readFileSync(path.join(cli.workDir, 'sms-outbox.log'), 'utf8');
    expect(log).toContain('+584121230777');
    expect(log).toContain('481516');
    const row = await cli.withCommandDatabase((db) =>
      db
        .selectFrom('notification_outbox')
        .select(['status', 'provider'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow(),
    );
    expect(row).toEqual({ status: 'sent', provider: 'file' });
    expect(await run('--once', '--provider', 'file')).toContain('0 sent');
  });

  it('refuses a lease that is not a whole number of seconds from 5 to 86400', async () => {
    for (const lease of ['1', '2.5', 'soon']) {
      await expect(run('--once', '--lease', lease)).rejects.toThrow(/whole number of seconds/);
    }
  });
});
