import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { registerShowAnchorCommand } from '../modules/credentials/trust-anchor.js';
import { initKeys, rotateIssuerKey } from '../platform/crypto/key-store.js';
import { startServer } from '../server.js';
import { registerRotateCardProofCommand } from './card-proof-key-command.js';
import { servingLines } from './start-up-lines.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** `amparo start`, `amparo serve` and `amparo keys init`. */
export function registerServerCommands(program: Command): void {
  program
    .command('start')
    .description('development: create keys if missing, migrate, seed demo data, and serve')
    .action(() => run('start'));
  program
    .command('serve')
    .description('production: serve with existing keys and a current database')
    .action(() => run('serve'));
  const keys = program.command('keys').description('key material');
  keys
    .command('init')
    .description('create development keys under AMPARO_KEYS_DIR (default ./data/keys), mode 0600')
    .action(() => {
      const { created } = initKeys(loadConfig(process.env).keysDir);
      for (const file of created) console.log(`created ${file}`);
    });
  keys
    .command('rotate-issuer')
    .description(
      'make a new card signing key current; older cards keep verifying until they expire (restart to apply)',
    )
    .action(() => {
      const { kid, previousKid } = rotateIssuerKey(loadConfig(process.env).keysDir);
      console.log(
        `New cards will be signed with ${kid} after the next start; ${previousKid} stays trusted for the cards it signed.`,
      );
    });
  registerShowAnchorCommand(keys);
  registerRotateCardProofCommand(keys);
}

async function run(mode: 'start' | 'serve'): Promise<void> {
  const config = loadConfig(process.env);
  const startedAt = performance.now();
  const server = await startServer({ config, mode, say });
  const readySeconds = (performance.now() - startedAt) / 1000;
  for (const line of servingLines({ config, mode, server, readySeconds })) say(line);
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
