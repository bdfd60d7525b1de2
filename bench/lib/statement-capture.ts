import pg from 'pg';

/** One statement as PostgreSQL received it from `pg`: its text, its parameters, its connection. */
export interface CapturedStatement {
  text: string;
  /** Parameters as `pg` sends them (its `prepareValue`): text, a Buffer (bytea) or null. */
  values: (string | Buffer | null)[];
  /** Which connection sent it (1, 2, … in order of first use). */
  connection: number;
}

type Query = (this: pg.Client, ...args: unknown[]) => unknown;

/**
 * Records every statement any `pg` client of this process sends while recording is on, by
 * wrapping `pg.Client.prototype.query` (Kysely's `begin` and `commit` included: they are
 * statements on the connection like any other). Statements sent from a function whose name
 * matches `background` (found in the async stack trace) are counted, not recorded: work that
 * runs beside requests rather than for one (signing an audit tree head every 1,000 entries).
 *
 * @example
 *   const capture = captureStatements();
 *   capture.start();
 *   await app.inject(request);
 *   const statements = capture.stop();
 *   capture.restore();
 */
export function captureStatements(background = /signTreeHeadLocked|#signAndWitness/) {
  const prototype = pg.Client.prototype as unknown as { query: Query };
  const original = prototype.query;
  const prepareValue = (pg as unknown as { utils?: { prepareValue?: (v: unknown) => unknown } })
    .utils?.prepareValue;
  const connections = new WeakMap<object, number>();
  let connectionsSeen = 0;
  let recorded: CapturedStatement[] | undefined;
  let backgroundStatements = 0;
  prototype.query = function query(this: pg.Client, ...args: unknown[]) {
    if (recorded !== undefined) {
      const [first, second] = args;
      const config = typeof first === 'string' ? { text: first, values: second } : first;
      const { text, values } = config as { text?: string; values?: unknown[] };
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 50;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      if (background.test(stack)) backgroundStatements += 1;
      else if (typeof text === 'string') {
        let connection = connections.get(this);
        if (connection === undefined) {
          connectionsSeen += 1;
          connection = connectionsSeen;
          connections.set(this, connection);
        }
        recorded.push({
          text,
          values: (Array.isArray(values) ? values : []).map((value) =>
            prepared(prepareValue, value),
          ),
          connection,
        });
      }
    }
    return original.apply(this, args);
  };
  return {
    start() {
      recorded = [];
    },
    stop(): CapturedStatement[] {
      const done = recorded ?? [];
      recorded = undefined;
      return done;
    },
    /** Statements left out as background work since the capture was made. */
    backgroundStatements: () => backgroundStatements,
    restore() {
      prototype.query = original;
    },
  };
}

/** A parameter as `pg` puts it on the wire: text, a Buffer, or null. */
function prepared(
  prepareValue: ((value: unknown) => unknown) | undefined,
  value: unknown,
): string | Buffer | null {
  const wire = prepareValue === undefined ? value : prepareValue(value);
  if (wire === null || wire === undefined) return null;
  if (Buffer.isBuffer(wire)) return wire;
  return String(wire);
}
