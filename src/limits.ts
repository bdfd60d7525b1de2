/**
 * Every bound the service enforces, in one place (TigerBeetle style: put a limit on
 * everything). A limit that is hit produces a clear, typed error, never silent truncation.
 *
 * Names carry their unit last: `bodyBytesMax`, `pageSizeMax`.
 */
export const limits = {
  http: {
    /** Largest JSON request body accepted; file uploads have their own limit. */
    bodyBytesMax: 1024 * 1024,
    /** Requests per client address per window, before per-operator quotas apply. */
    rateLimitRequestsMax: 600,
    rateLimitWindowMs: 60_000,
    /** Longest a request may take before the server gives up on it. */
    requestTimeoutMs: 30_000,
  },
  pagination: {
    pageSizeDefault: 25,
    pageSizeMax: 100,
  },
  database: {
    /** Connections in the PostgreSQL pool of one process. */
    poolConnectionsMax: 10,
    connectTimeoutMs: 5_000,
    statementTimeoutMs: 30_000,
  },
  demo: {
    personsMax: 50_000_000,
    duplicateShareMax: 0.5,
    /** Persons seeded by `npm start` into an empty embedded database. */
    seedPersons: 2_000,
  },
  keys: {
    /** Key files are small; anything bigger is not a key we wrote. */
    keyFileBytesMax: 64 * 1024,
  },
} as const;
