import { readFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { loadKeyStore } from '../../platform/crypto/key-store.js';
import { openAppDatabase } from '../../platform/db/database.js';
import { AuditLog } from '../audit/index.js';
import { personNotifier } from '../notifications/index.js';
import { textContacts } from '../registry/index.js';
import { type BatchProgress, type BatchSelection, cardBatchIssuer } from './card-batch.js';
import { credentialIssuanceFrom } from './credential-issuer.js';

interface IssueFlags {
  region?: string;
  household?: string;
  uins?: string;
  out?: string;
  sheets?: boolean;
  limit?: string;
  json?: boolean;
}

/**
 * `amparo cards issue (--region VE-X | --household ID | --uins FILE) [--out DIR] [--sheets]
 * [--limit N] [--json]`: issues cards as a system job, resumable (see card-batch.ts).
 *
 * @example
 * registerCardsCommands(program); // in main.ts
 * // $ amparo cards issue --region VE-A --out cards --sheets
 */
export function registerCardsCommands(program: Command): void {
  const cards = program.command('cards').description('credential cards');
  cards
    .command('issue')
    .description('issue cards to every active person of a region, a household or a UIN list')
    .option('--region <code>', 'a state, e.g. VE-A')
    .option('--household <id>', 'a household id')
    .option('--uins <file>', 'a file of ID numbers, one a line')
    .option('--out <dir>', 'write <credential id>.png for each new card here')
    .option('--sheets', 'also write A4 sheets of 10 cards (sheet-0001.pdf …) to --out')
    .option('--limit <count>', 'issue at most this many new cards (a re-run continues)')
    .option('--json', 'print the outcome as JSON')
    .action(async (flags: IssueFlags) => {
      const outcome = await issueCommand(flags);
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(outcome, null, 2)}\n`
          : `Batch ${outcome.batchId}${outcome.resumed ? ' (resumed)' : ''}: ${outcome.issuedThisRun} cards issued now, ${outcome.done}/${outcome.total} persons hold a card of this batch, ${outcome.refused} refused, ${outcome.filesWritten} files written.\n`,
      );
    });
}

async function issueCommand(flags: IssueFlags) {
  const selection = parseSelection(flags);
  const limit = flags.limit === undefined ? undefined : Number(flags.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new Error(`--limit must be a positive whole number, not "${flags.limit}"`);
  }
  const config = loadConfig(process.env);
  const keys = loadKeyStore(config.keysDir, config.masterKeyBase64);
  const handle = await openAppDatabase(config.database);
  const audit = await AuditLog.open({ db: handle.db, keys });
  const progress = progressReporter();
  try {
    return await cardBatchIssuer(
      {
        db: handle.db,
        audit,
        keys,
        issuance: credentialIssuanceFrom(config.cards),
        notifier: personNotifier({
          masterKey: keys.masterKey,
          contacts: textContacts(keys.masterKey, audit),
        }),
      },
      {
        selection,
        ...(flags.out === undefined ? {} : { outDir: flags.out }),
        sheets: flags.sheets === true,
        ...(limit === undefined ? {} : { limit }),
        onProgress: progress.update,
      },
    );
  } finally {
    progress.stop();
    await audit.close();
    await handle.close();
  }
}

function parseSelection(flags: IssueFlags): BatchSelection {
  const given = [flags.region, flags.household, flags.uins].filter((flag) => flag !== undefined);
  if (given.length !== 1) throw new Error('name exactly one of --region, --household, --uins');
  if (flags.region !== undefined) {
    if (!/^VE-[A-Z]$/.test(flags.region)) throw new Error(`--region ${flags.region} is not VE-X`);
    return { kind: 'region', regionCode: flags.region };
  }
  if (flags.household !== undefined) {
    if (!/^[0-9a-f-]{36}$/i.test(flags.household)) throw new Error('--household is not a uuid');
    return { kind: 'household', householdId: flags.household };
  }
  const uins = readFileSync(flags.uins ?? '', 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const bad = uins.find((uin) => !/^[2-9]\d{9}$/.test(uin));
  if (bad !== undefined) throw new Error(`--uins: "${bad}" is not an ID number`);
  return { kind: 'uins', uins };
}

function progressReporter(): { update: (p: BatchProgress) => void; stop: () => void } {
  if (process.stderr.isTTY !== true) {
    let last = 0;
    return {
      update: (p) => {
        if (Date.now() - last < 1000 && p.done < p.total) return;
        last = Date.now();
        process.stderr.write(
          `cards ${p.batchId}: ${p.done}/${p.total}, ${p.issuedThisRun} issued now, ${p.refused} refused\n`,
        );
      },
      stop: () => undefined,
    };
  }
  const bar = new SingleBar({
    format:
      'cards [{bar}] {percentage}% | {value}/{total} | {refused} refused | ETA {eta_formatted}',
    stream: process.stderr,
    hideCursor: true,
  });
  let started = false;
  return {
    update: (p) => {
      if (!started) bar.start(p.total, p.done, { refused: p.refused });
      started = true;
      bar.update(p.done, { refused: p.refused });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
