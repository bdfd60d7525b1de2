import path from 'node:path';
import type { Config } from '../config.js';
import { trustAnchorOf } from '../modules/credentials/trust-anchor.js';
import type { RunningServer, StartOptions } from '../server.js';

/** What the lines printed once Amparo serves may draw on. */
export interface ServingFacts {
  config: Config;
  mode: StartOptions['mode'];
  server: RunningServer;
  /** Seconds from the command's start until it serves. */
  readySeconds: number;
}

/**
 * The lines `amparo start` and `amparo serve` print once they serve, after any first-start
 * lines (keys created, database seeded, demo accounts). This is the one place to add
 * another: a newcomer reads this block, so each line says where something is or how to use
 * it, and none carries personal data or a secret. Everything else goes to the JSON log.
 */
export function servingLines({ config, server, readySeconds }: ServingFacts): string[] {
  const where =
    config.database.kind === 'pglite'
      ? `embedded database ${config.database.dataDir}`
      : 'PostgreSQL';
  const lines = [
    `Amparo is serving on ${server.url} (${where}; ready in ${readySeconds.toFixed(1)} s). Press Ctrl+C to stop.`,
    // A public key: verifiers pin it, and nobody could give it to them before it was printed.
    `Trust anchor for card verifiers: ${trustAnchorOf(server.keys).anchor} (also at /api/credentials/trust-anchor)`,
  ];
  if (server.smsSinkFile !== null) {
    lines.push(
      `Text messages (citizen sign-in codes) are written to ${shownPath(server.smsSinkFile)} in development.`,
    );
  }
  return lines;
}

/** A path below the working directory as ./relative (shorter to read), any other as is. */
function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : `./${relative}`;
}
