/**
 * Every bound the service enforces, in one place (TigerBeetle style: put a limit on
 * everything). A limit that is hit produces a clear, typed error, never silent truncation.
 *
 * Names carry their unit last: `bodyBytesMax`, `pageSizeMax`. Modules read their section
 * through a short re-export in their own `limits.ts` (`accessLimits = limits.access`), so the
 * values and their reasons are written here only. Two sections are imported instead: the codec's
 * and the ID number's bounds live in src/shared/ because the browser runs that code too, and
 * src/shared/ imports nothing outside itself.
 */
import type { Role } from './shared/access/roles.js';
import { deviceAllowanceLimits } from './shared/api/device-allowance-limits.js';
import { codecLimits } from './shared/claim169/limits.js';
import { uinLimits } from './shared/uin/limits.js';

const minuteMs = 60_000;

/** Connections in the PostgreSQL pool of one process; the HTTP admission bound is sized from it. */
const poolConnectionsMax = 10;

export const limits = {
  http: {
    /** Largest JSON request body accepted; file uploads have their own limit. */
    bodyBytesMax: 1024 * 1024,
    /** Requests per client address per window, before per-operator quotas apply. */
    rateLimitRequestsMax: 600,
    rateLimitWindowMs: 60_000,
    /** Longest a request may take before the server gives up on it. */
    requestTimeoutMs: 30_000,
    /**
     * Admission control (src/platform/http/admission.ts): requests in flight at once, beyond
     * which a request is answered 503 AMP_NOT_READY with Retry-After at once, never queued.
     * `/api/…` work: twice the pool, so the pool stays busy while half the admitted requests
     * are in Node (HTTP, JSON, signatures) and an admitted request waits behind at most one
     * round of the others for a connection, far less than `connectTimeoutMs`: it is not
     * refused later by the pool wait. Sign-in (a password hash each) is bounded apart, so an
     * overload of work never shuts operators out. Probes, console files and the API
     * documentation are not bounded (no database).
     */
    admission: {
      inFlightMax: 2 * poolConnectionsMax,
      signInInFlightMax: 4,
      retryAfterSeconds: 1,
    },
  },
  pagination: {
    pageSizeDefault: 25,
    pageSizeMax: 100,
  },
  database: {
    /** Connections in the PostgreSQL pool of one process. */
    poolConnectionsMax,
    connectTimeoutMs: 5_000,
    statementTimeoutMs: 30_000,
  },
  demo: {
    personsMax: 50_000_000,
    duplicateShareMax: 0.5,
    /** Persons seeded by `npm start` into an empty embedded database. */
    seedPersons: 2_000,
    /**
     * How many recent original records a duplicate may copy. Duplicates land at random later
     * positions within this window, which keeps memory constant in the population size.
     */
    duplicateSourceWindowRecords: 20_000,
    /** Records serialised into one string before it is written to the stream. */
    writeChunkRecords: 2_000,
  },
  keys: {
    /** Key files are small; anything bigger is not a key we wrote. */
    keyFileBytesMax: 64 * 1024,
  },
  /** Sign-in, sessions, passwords, citizen codes (modules/access). */
  access: {
    /**
     * Requests whose grants the gate remembers at once, until each is answered (docs/ACCESS.md,
     * "Audited grants"); far above what admission control lets be in flight, so only requests
     * whose answer was never seen (a client gone) are forgotten, oldest first.
     */
    grantRequestsTrackedMax: 10_000,
    signIn: {
      /**
       * Throttling, never a lock-out (OWASP ASVS 6.3): a lock that anyone can trigger by
       * typing wrong passwords shuts the real operator out. Failures are counted per
       * (account, address) since that pair's last success: the first `pairFailuresFree` cost
       * nothing, then each attempt must wait `pairDelayBaseMs` doubled per further failure, up
       * to `pairDelayMaxMs`, after the last one. Attempts before the time allowed are refused
       * (429 with Retry-After) without checking the password and are not counted.
       */
      pairFailuresFree: 3,
      pairDelayBaseMs: 5_000,
      pairDelayMaxMs: 15 * minuteMs,
      /**
       * The account over all addresses (a guesser with many addresses): from
       * `accountFailuresFree` failures within `accountFailureWindowMs` since the account's
       * last success, every attempt on it waits a doubling delay up to `accountDelayMaxMs`
       * after the last failure. Much higher than the pair's and capped at a minute, so the
       * real operator is at worst slowed, while a guesser gets at most about 60 tries an hour.
       */
      accountFailuresFree: 30,
      accountFailureWindowMs: 15 * minuteMs,
      accountDelayBaseMs: 2_000,
      accountDelayMaxMs: minuteMs,
      /** Window of the per-address failure count below. */
      failureWindowMs: 15 * minuteMs,
      /**
       * Failures from one client address within the window, over all accounts, before the
       * address is refused (password spraying). Large because an office behind one address
       * has many operators.
       */
      addressFailuresMax: 50,
      /** Requests per minute per address to each sign-in route (in-process, first line). */
      routeRequestsPerMinuteMax: 30,
      /** Attempt counters older than this are pruned. */
      attemptRetentionMs: 60 * minuteMs,
    },
    totp: {
      stepSeconds: 30,
      digits: 6,
      /** Steps accepted either side of the current one, for clock drift. */
      skewSteps: 1,
    },
    session: {
      consoleAbsoluteMs: 12 * 60 * minuteMs,
      consoleIdleMs: 30 * minuteMs,
      citizenAbsoluteMs: 2 * 60 * minuteMs,
      citizenIdleMs: 15 * minuteMs,
      deviceDaysDefault: 30,
      deviceDaysMax: 365,
      /** Live device tokens one operator may hold. */
      deviceTokensPerOperatorMax: 50,
      /** `last_seen_at` is written at most this often, so reads do not each cost a write. */
      lastSeenWriteIntervalMs: minuteMs,
      /**
       * How long a server process may answer from an operator session it read before
       * (src/modules/access/session-cache.ts): a revocation or role change made through another
       * process, or in the database by hand, takes effect within this bound.
       */
      cacheMs: 2_000,
      /** Operator sessions one process keeps cached at once. */
      cacheEntriesMax: 10_000,
      tokenBytes: 32,
    },
    password: {
      codePointsMin: 12,
      codePointsMax: 128,
    },
    /**
     * Person-read quotas (safeguard 10). Reads are counted in buckets of `bucketMs` and a read
     * is allowed when the buckets of the last `windowMs` hold at most the quota: a sliding
     * window, so reading the quota just before a clock hour and again just after it is refused
     * (a fixed hour would allow twice).
     */
    readQuota: {
      windowMs: 60 * minuteMs,
      bucketMs: minuteMs,
      /**
       * Person records an operator may read per hour, by role (docs/ACCESS.md, read quotas); an
       * operator with several roles has the largest. Roles that read no person data have 0.
       */
      personReadsPerHour: {
        enrolment_clerk: 300,
        registry_supervisor: 600,
        program_officer: 600,
        program_supervisor: 0,
        distribution_operator: 1200,
        distribution_supervisor: 0,
        auditor: 300,
        statistics_analyst: 0,
        administrator: 0,
        finance_officer: 300,
        merchant: 0,
      } satisfies Record<Role, number>,
    },
    /** Enrolment of a staff account: the person sets their own password and TOTP secret. */
    enrolment: {
      /** Random bytes in each half of an enrolment code: 80 bits, 16 base32 characters. */
      codeHalfBytes: 10,
      /** How long an approved enrolment code may be used. */
      ttlMs: 7 * 24 * 60 * minuteMs,
      /** TOTP secret the person's authenticator holds: RFC 4226's recommended 160 bits. */
      totpSecretBytes: 20,
    },
    citizenCode: {
      digits: 6,
      ttlMs: 10 * minuteMs,
      attemptsMax: 5,
      /** Codes issued to one person per window (SMS costs money and can be used to harass). */
      issuesPerWindowMax: 3,
      issueWindowMs: 15 * minuteMs,
    },
  },
  /** The audit log: entries, group commit, proofs, pages (modules/audit). */
  audit: {
    /** Longest any single string of an entry may be (ids, action, codes). */
    entryStringLengthMax: 200,
    /** Most catalogue attributes one entry may name. */
    entryFieldsMax: 200,
    /** Largest canonical entry, in UTF-8 bytes. */
    entryBytesMax: 16 * 1024,
    /** Group commit: longest an entry waits in the queue before its batch is written. */
    flushDelayMs: 2,
    /** Group commit: most entries written in one transaction. */
    flushEntriesMax: 1_000,
    /** Group commit: transactions in flight; the second waits for the lock while the first commits. */
    flushesInFlightMax: 2,
    /** Entries waiting in the queue before `append` refuses more (back-pressure). */
    queueEntriesMax: 100_000,
    /**
     * Staged entries (audit_pending, migration 0077) older than this are moved by the sweep:
     * their writer died between its commit and the move, or its move failed.
     */
    pendingSweepAfterMs: 5_000,
    /** Interval of the sweep on the server's audit timer. */
    pendingSweepEveryMs: 5_000,
    /** Staged entries read per sweep. */
    pendingSweepRowsMax: 1_000,
    /** A tree head is signed automatically once this many entries are not yet covered. */
    signEveryEntries: 1_000,
    /** …and at this interval whenever new entries exist (the server's timer). */
    signEveryMs: 60_000,
    /**
     * Longest a signing waits for a table lock once it holds the appender lock: appends wait
     * behind it, so a stuck lock fails the signing (retried) instead of stalling every write.
     */
    signLockTimeoutMs: 5_000,
    /** A failed background signing is retried after this delay, doubling up to the maximum. */
    signRetryDelayMsMin: 1_000,
    signRetryDelayMsMax: 60_000,
    /** Longest a witness URL may take to acknowledge a posted tree head. */
    witnessPostTimeoutMs: 5_000,
    /** Rows read per query when streaming leaf hashes for proofs and start-up. */
    leafHashPageRows: 65_536,
    /** Rows read per query by `verifyAuditLog`. */
    verifyPageRows: 10_000,
    /** Problems of the change-trail check listed in its report (all are counted). */
    changeTrailProblemsMax: 100,
    /** Entries in a citizen's access-history page. */
    personPageSizeDefault: 25,
    personPageSizeMax: 100,
    /** Tree heads in one page of `GET /api/audit/tree-heads`. */
    treeHeadPageSizeMax: 100,
    /** Entries in one page of `GET /api/audit/entries`. */
    entryListPageSizeDefault: 50,
    entryListPageSizeMax: 200,
  },
  /** The Merkle tree library (modules/audit/merkle). */
  merkle: {
    /** Length of every hash in the tree: SHA-256 output. */
    hashLengthBytes: 32,

    /**
     * Largest tree size we accept. Sizes and indices are JavaScript numbers, so every arithmetic
     * step must stay exact; 2^53 − 1 entries is far beyond any audit log we will hold.
     */
    treeSizeMax: Number.MAX_SAFE_INTEGER,

    /**
     * Longest proof a verifier will process. An inclusion proof has at most ⌈log2 n⌉ hashes and a
     * consistency proof at most ⌈log2 n⌉ + 1; with n < 2^53 that is 54, so 64 leaves headroom and
     * still refuses a proof padded to make the verifier do unbounded work.
     */
    proofHashesMax: 64,

    /** Longest key id accepted in a tree head (hex SHA-256 of the public key is 64 characters). */
    treeHeadKeyIdLengthMax: 64,
  },
  /** Cards, trust and revocation lists, the verifier (modules/credentials). */
  credentials: {
    /** Largest face photo a card's QR may carry (issue: "optionally, a face photo of ≤ 1 KB"). */
    cardFacePhotoBytesMax: 1024,

    /**
     * Longest full name accepted on a card, in UTF-8 bytes. Far above real names (the demo
     * population's longest is 45 bytes); it only stops absurd input from making an unprintable card.
     */
    cardFullNameBytesMax: 200,

    /** Default card validity: five years of 365 days, in seconds. */
    cardValiditySecondsDefault: 5 * 365 * 24 * 3600,

    /** Longest card validity an issuance profile may configure (ten years), in seconds. */
    cardValiditySecondsMax: 10 * 365 * 24 * 3600,

    /**
     * Largest QR version the issuance profile aims for, at error-correction level Q: names up
     * to 46 bytes with the 16-byte random `cti` (see src/modules/credentials/README.md).
     */
    cardQrVersionTarget: 12,

    /** Resolution of rendered cards. The issue asks for at least 300 dpi. */
    cardRenderDpiDefault: 300,
    cardRenderDpiMax: 1200,

    /** Quiet zone around a card's QR, in modules (ISO/IEC 18004 asks for 4). */
    cardQrQuietZoneModules: 4,

    /** Signed trust list file: a few hundred keys at most. */
    trustListBytesMax: 1024 * 1024,
    trustListKeysMax: 1000,

    /**
     * Signed revocation list file: 30 million persons with a few revocations each would be far
     * more, but a verifier keeps one country's list in memory, so 64 MiB (about 1.2 million
     * entries) is the bound until lists are split by expiry year.
     */
    revocationListBytesMax: 64 * 1024 * 1024,

    /**
     * Most card rows one online check statement reads for checks that arrive at once
     * (credential-reads-together.ts); past it, a second statement.
     */
    cardRowsReadTogetherMax: 64,

    /** Card image given to the verifier: refused before decoding when larger. */
    verifyImageBytesMax: 10 * 1024 * 1024,
    verifyImagePixelsMax: 40_000_000,

    /**
     * Most cards listed for one person. A person gets a new card when one is lost, stolen or their
     * data change: a few in a lifetime; the newest are listed and `truncated` says there were more.
     */
    personCredentialsListedMax: 50,
  },
  /** The Claim 169 codec; the values are in shared/claim169/limits.ts (the browser runs it too). */
  codec: codecLimits,
  /** The attribute catalogue and its checks (modules/registry/catalogue). */
  catalogue: {
    /** Longest declared attribute name, and the longest name written to a log line. */
    attributeNameLengthMax: 64,
    /**
     * Deepest nesting of a request body or import record the forbidden-name scan walks. A body
     * nested deeper is refused rather than partly scanned, since an unscanned level could hide
     * a forbidden key.
     */
    scanDepthMax: 32,
    /** Most object keys the scan visits in one body; more is refused for the same reason. */
    scanKeysMax: 20_000,
    /** Most field errors reported for one body; the rest are counted in the detail. */
    fieldErrorsMax: 50,
    /** Oldest date of birth accepted, in years before the reference date. */
    birthAgeYearsMax: 130,
    /** Largest stored photo, decoded. The card carries a much smaller derived image. */
    photoBytesMax: 256 * 1024,
    /** Longest given names or surname, in characters. */
    nameLengthMax: 100,
    /** Longest locality (town, village, sector) name, in characters. */
    localityLengthMax: 120,
    /** Longest free-text address detail, in characters. */
    addressLineLengthMax: 300,
    /** Longest identity document number, in characters. */
    documentNumberLengthMax: 30,
    /** RFC 5321: 254 characters for a whole address, 64 for the part before the @. */
    emailLengthMax: 254,
    emailLocalLengthMax: 64,
  },
  /** Registry search and writes (modules/registry). */
  registry: {
    /** Merge chains followed before a survivor is refused (a chain is normally one link). */
    mergeChainLengthMax: 32,
    /** Words of a name query; more would only widen the search. */
    searchNameTokensMax: 6,
    /** Characters of a name query. */
    searchNameLengthMax: 200,
    /**
     * Rows a name search ranks at most. Every query word must match a key, so only a very
     * common full name reaches this; the answer then says it was truncated.
     */
    searchCandidatesMax: 1_000,
    /** Lowest mean Jaro–Winkler similarity of the query words for a name match. */
    searchNameScoreMin: 0.85,
    /** Open review items listed per page. */
    reviewPageSizeMax: 100,
    /**
     * Members of one household, head included: refused on import, on online enrolment into an
     * existing household and on a move into one. The demo generator never creates more.
     */
    householdMembersMax: 12,
    /**
     * Versions of one record read, newest first, to tell whether and when its phone changed
     * within a window (`phone-history.ts`; the version on file at the window's start is read
     * too): a record corrected more often than this in the window is compared over these only.
     */
    phoneHistoryVersionsMax: 64,
    /** Former phones texted at most about one change (the one on file before the window first). */
    formerPhonesMax: 3,
  },
  /** ID numbers (modules/registry/uin); the values are in shared/uin/limits.ts (the console checks them too). */
  uin: uinLimits,
  /** Lawful erasure (modules/registry/erasure). */
  erasure: {
    /** Longest case reference; the migration's check uses the same number. */
    referenceLengthMax: 40,
    /** Requests returned by one listing when the caller does not ask for fewer. */
    listPageSizeDefault: 50,
    /** Most requests one listing returns. */
    listPageSizeMax: 200,
  },
  /** Benefit programs and their eligibility rules (modules/programs). */
  programs: {
    /** Longest program name in one language; the migration's check uses the same number. */
    nameLengthMax: 120,
    /** Longest program description in one language; the migration checks it too. */
    descriptionLengthMax: 2000,
    /**
     * Longest eligibility rule or benefit formula, in characters (the migration checks it
     * too). A rule is published for everyone to read: one that needs more is not plain.
     */
    ruleLengthMax: 4000,
    /**
     * Deepest nesting of a rule's syntax tree. Bounds the parser's and the SQL compiler's
     * recursion, and the compiled query's size.
     */
    ruleDepthMax: 16,
    /** Most syntax-tree nodes in one rule or formula. */
    ruleNodesMax: 300,
    /** Most elements of one list literal (`state_code in [...]`). */
    ruleListElementsMax: 64,
    /**
     * Largest integer literal in a rule or formula, in magnitude. Attribute values are small
     * (ages, counts, bands), so this keeps sums and products far from int64 overflow, which
     * PostgreSQL would raise for the whole batch while CEL fails one person.
     */
    ruleIntegerLiteralMax: 1_000_000_000_000,
    /**
     * Program versions (rows and checked rules) kept in memory by the per-person explanation;
     * versions never change, so the cache is only emptied when it reaches this size.
     */
    versionCacheEntriesMax: 2_000,
    /**
     * Worker threads that decide the sealed part of a rule after decryption (rule-plan.ts):
     * one per core of the reference machine.
     */
    sealedWorkers: 2,
    /** Items in one benefit basket. */
    basketItemsMax: 30,
    /** Largest quantity of one basket item. */
    basketQuantityMax: 1_000_000,
    /** States one program may name (Venezuela has 24 and the federal dependencies). */
    regionsMax: 30,
    /** Largest fixed benefit amount or budget cap, in minor units (10^15: far below 2^63). */
    amountMinorMax: 1_000_000_000_000_000n,
    /** Programs or versions returned by one listing. */
    listPageSizeMax: 100,
    /**
     * A cash or voucher cycle whose total exceeds this (minor units) needs two different
     * approvers (issue #13, point 4). A deployment sets its own figure here.
     */
    cycleSecondApproverAboveMinor: 100_000_000_00n,
    /**
     * Appeals (issue #13, point 7): service levels and bounds. An appeal not assigned within
     * `assignWithinHours` or not decided within `decideWithinDays` of its filing is overdue.
     */
    appeals: {
      assignWithinHours: 72,
      decideWithinDays: 30,
      /** Longest statement or decision reason, in characters (the migration checks it too). */
      textLengthMax: 2000,
      /** Appeals in one page of the operators' queue or of a person's list. */
      listPageSizeMax: 100,
    },
    /**
     * Active persons a chunk of a cycle round's computation covers, about: a round is cut into
     * ceil(active persons / this) equal ranges of the person-id space (at least one), each its
     * own transaction with the run's progress: the granularity of the progress bar and of what
     * a killed run computes again. Person ids are random, so a chunk's persons lie on pages
     * all over the registry's tables: each chunk reads about min(its persons, the tables'
     * pages) pages, and fewer, larger chunks read the registry fewer times (at 300,000
     * persons: 64 chunks 29.5 s, 8 chunks 16.5 s, BENCHMARKS.md). A chunk must stay within
     * the 30 s statement limit on a loaded machine: a household-count rule's chunk of 100,000
     * passed it at load 40 on 2 cores, so 50,000. At 1M persons: 20 chunks; at 10M: 200.
     */
    cycleChunkPersons: 50_000,
    /**
     * Memory (`work_mem`, MB) each sort or hash of a cycle chunk's transaction may use before
     * it spills to disk, set for that transaction only. A chunk sorts its members by person
     * id (about 5 MB at 50,000) and the member check hashes them: at PostgreSQL's default of
     * 4 MB the sort spilled to a temporary file (session 10's EXPLAIN).
     */
    cycleChunkWorkMemMb: 32,
    /**
     * Chunks of a cycle round written at once, each its own transaction on its own
     * connection (PGlite's one connection queues them). A chunk's statement runs on one core
     * of the database server; the reference machine has two. A rule over sealed facts writes
     * one at a time: its worker threads already take the cores.
     */
    cycleChunkWorkers: 2,
    /**
     * How long the server process that resumes stopped grants at start holds its lease
     * (`program_job_lease`, migration 0106) without renewing it; renewed after each chunk. A
     * chunk of a million-person grant took about 7 s under load; a lease that runs out early
     * only lets a second process take turns on the same chunks, writing nothing twice.
     */
    grantResumeLeaseMs: 120_000,
    /**
     * Chunks of the person-id space a count over a rule with a sealed fact is read in (the
     * preview, `countEligible`): the next chunk's candidates are read while the workers decide
     * this one.
     */
    sealedCountChunks: 64,
    /** Most chunks a run may be cut into (the migration checks it too). */
    cycleChunksMax: 4096,
    /**
     * Statement limit of the one statement that writes a round's household counts (migration
     * 0042), in place of the application's 30 s: it reads the whole registry once (over a
     * million persons on a loaded machine it passed 30 s), where a chunk reads a sixty-fourth.
     * Cut into pieces of the household-id space, each piece read every person and version
     * again (hash joins), so one statement with its own bound is the faster way.
     */
    householdCountsStatementMs: 5 * minuteMs,
    /**
     * Chunks of person ids in which an approved cycle's entitlements are written, each in its
     * own transaction with the grant's progress (migration 0033): at 1M beneficiaries about
     * 62,500 rows a statement, well within the 30 s statement limit.
     */
    grantChunks: 16,
    /** A round of at most this many beneficiaries is granted in one chunk. */
    grantChunkRows: 20_000,
  },
  /** Distribution points, stock and redemption (modules/distribution). */
  distribution: {
    /** Points, movements or assisted redemptions returned by one listing. */
    listPageSizeMax: 100,
    /** Programs on one point's allow-list; operators assigned to one point. */
    pointProgramsMax: 50,
    pointOperatorsMax: 200,
    /**
     * How long a server process may answer the point gate (the point, its open or closed state,
     * the operator's assignment, the programs it serves) from what it read before
     * (src/modules/distribution/point-gate-cache.ts): a change made through another process, or
     * in the database by hand, takes effect within this bound.
     */
    pointGateCacheMs: 2_000,
    /** Point × operator pairs one process keeps cached at once. */
    pointGateCacheEntriesMax: 10_000,
    /** Largest quantity one stock movement or one redemption line may move. */
    movementQuantityMax: 1_000_000,
    /** Lines in one redemption (a basket has at most `programs.basketItemsMax` items). */
    redemptionLinesMax: 60,
    /**
     * Card redemptions one process writes in one transaction (redemption-batch.ts): those that
     * arrive while a batch is in flight wait for the next one, at most this many per batch.
     */
    redemptionBatchMax: 64,
    /** Batches of card redemptions one process has in flight at once. */
    redemptionBatchesInFlightMax: 2,
    /** Longest note on a stock movement; the migration checks it too. */
    noteLengthMax: 500,
    /**
     * Assisted redemptions (without the card) one operator may record in a day (the local
     * calendar day, `localDate`: America/Caracas, where the quiet hours are counted): a lost
     * card must never stop a benefit, but an operator redeeming many persons without their
     * cards is what a fraud would look like, so the bound stops it and the supervisor sees it.
     */
    assistedPerOperatorPerDayDefault: 30,
    /**
     * The most `AMPARO_ASSISTED_PER_DAY` may set instead of the 30 above (src/config.ts); it may
     * not set 0: no benefit may require the card (safeguard 9).
     */
    assistedPerOperatorPerDayCeiling: 1_000,
    /**
     * A supervisor's hold on one entitlement lapses by itself after this many days unless lifted
     * before (`AMPARO_ENTITLEMENT_HOLD_DAYS`, 1 to the ceiling): a hold is a review, never a
     * silent denial (docs/DISTRIBUTION.md, "Holds").
     */
    entitlementHoldDays: 14,
    entitlementHoldDaysCeiling: 90,
    /** The holds one supervisor's list shows, newest first. */
    entitlementHoldListMax: 200,
    /**
     * The server's sweep that texts the holder of a hold that lapsed by itself passes this
     * often; a hold lapsed longer ago than the window gets no text (the server was down, or the
     * hold lapsed before the sweep existed: old news, and past the text's 3-day life anyway).
     * Holds noticed in one transaction, at most.
     */
    holdLapseSweepEveryMs: minuteMs,
    holdLapseNoticeWithinDays: 3,
    holdLapseSweepBatchMax: 200,
    /**
     * A person's objection to a hold: decided within this many days of its filing, or overdue
     * in the program officers' queue (a hold lapses after 14 days by default).
     */
    holdObjectionDecideWithinDays: 5,
    /** Longest statement of an objection, and longest reason of its decision, in characters. */
    holdObjectionStatementMax: 2_000,
    holdObjectionReasonMax: 500,
    /** How long the texted one-time code of an assisted redemption is accepted. */
    assistedCodeTtlMs: 5 * minuteMs,
    /** Wrong codes before the check fails for good (a new one must be started, and counted). */
    assistedCodeAttemptsMax: 3,
    /** How long after the second check passed its redemptions may be recorded. */
    assistedRedeemWindowMs: 15 * minuteMs,
    /** Entitlements settled per page when a cycle closes (expiry and carry-over). */
    cycleCloseBatchMax: 500,
    /** Offline devices: the signed snapshot and the sync of their receipts (issue #15, point 5). */
    offline: {
      /** How long a snapshot may be used; a receipt made with an older one is refused. */
      snapshotTtlMs: 72 * 60 * minuteMs,
      /** After this age the point-of-service app warns the operator to download a new one. */
      snapshotWarnAfterMs: 12 * 60 * minuteMs,
      /**
       * The longest life `AMPARO_OFFLINE_SNAPSHOT_HOURS` may give a snapshot (14 days): the
       * revocation list and the remaining quantities it carries are as old as it is.
       */
      snapshotTtlHoursCeiling: 14 * 24,
      /** (Card, entitlement) entries one snapshot may hold; a point beyond it is refused. */
      snapshotEntriesMax: 200_000,
      /** Entitlements read per page while a snapshot is built. */
      snapshotPageMax: 5_000,
      /**
       * Refused receipts a reconciliation lists (newest first); the count per reason covers
       * them all.
       */
      refusedListedMax: 500,
      /**
       * How far back a snapshot looks for the persons the point served (beside those of its
       * area): 180 days. Reading every redemption the point ever made grew without bound on
       * each build; someone last served half a year ago comes back online (their card "needs
       * the network" until the next snapshot after that visit). Migration 0121's index on
       * (point_id, redeemed_at) makes the window one range read.
       */
      servedWindowMs: 180 * 24 * 60 * minuteMs,
      /**
       * `receiptsPerSnapshotMax` and `unitsPerSnapshotMax`: what a device may hand over with one
       * snapshot before it must sync (src/shared/api/device-allowance-limits.ts, which the
       * supervisor's registration form reads too).
       */
      ...deviceAllowanceLimits,
      /** Receipts in one sync request; a device with more sends several. */
      syncBatchMax: 500,
      /**
       * The body of one sync request: each receipt carries its card's QR text (a card with a
       * 1 KiB photo is about 1,600 characters, the schema allows 4,096), so 500 receipts pass the
       * server's 1 MiB default; 500 × (4,096 + about 1,000 for the rest) stays below this.
       */
      syncBodyBytesMax: 3 * 1024 * 1024,
      /** How far a device's clock may be from the server's at sync before it is refused. */
      deviceClockSkewMaxMs: 5 * minuteMs,
      /**
       * How many days after the last snapshot that published an older card-proof key version
       * expired the sync still opens proofs sealed to it (proof-key-versions.ts): receipts made up
       * to that expiry may reach the server later (a device left offline), but a key rotated
       * because it may have leaked must stop opening at some point; then
       * AMP_OFFLINE_CARD_PROOF_KEY_UNKNOWN. An agency whose devices stay offline longer (rural
       * points visited monthly) sets `AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS`, 1 to the ceiling: half
       * a year, as far back as a snapshot looks for the persons a point served (`servedWindowMs`);
       * longer would keep a leaked key opening for most of a year.
       */
      proofKeyOpenAfterSnapshotsDays: 30,
      proofKeyOpenAfterSnapshotsDaysCeiling: 180,
      /** Card-proof key versions the administrators' screen lists, newest first. */
      proofKeyVersionsListMax: 50,
    },
  },
  /** Text messages (modules/notifications). */
  notifications: {
    /** Messages taken from the outbox in one pass of the development sink. */
    developmentSinkBatchMax: 100,
    /** Persons whose phones one `notifyAll` reads and queues per statement (a cycle's many). */
    noticeBatchMax: 500,
    /** How often the outbox worker looks for due messages when the last pass found none. */
    workerIntervalMs: 1_000,
    /** Messages one worker claims in one statement (FOR UPDATE SKIP LOCKED). */
    claimBatchMax: 200,
    /**
     * Messages one worker hands to the provider at a time (marked `handed_at` first): a worker
     * killed mid-send leaves at most this many whose fate is unknown.
     */
    handBatchMax: 20,
    /**
     * A message left `sending` this long (its worker died mid-send) is settled: queued again
     * when it was never handed to the provider, else failed as interrupted and never sent
     * again (the provider may have it: send too little rather than twice). `amparo
     * notifications work --lease SECONDS` shortens it for a worker that restarts alone.
     */
    sendingLeaseMs: 5 * 60_000,
    /** Claims of one message before a provider that keeps refusing fails it. */
    attemptsMax: 8,
    /** Backoff after a refused attempt: base × 2^(attempt − 1), at most `retryMaxMs`. */
    retryBaseMs: 15_000,
    retryMaxMs: 60 * 60_000,
    /** SMS parts one message may take (a template that could take more is refused at load). */
    segmentsMax: 4,
    /** Messages to one person in `recipientWindowMs` (requested sign-in codes not counted). */
    recipientMessagesMax: 6,
    recipientWindowMs: 24 * 60 * 60_000,
    /** A message over the per-recipient limit is looked at again this much later. */
    recipientHoldMs: 60 * 60_000,
    /**
     * No message but a requested sign-in code between these local hours (start ≤ h or h < end),
     * in this time zone; the rest wait until the quiet hours end.
     */
    quietHours: { startHour: 21, endHour: 7, timeZone: 'America/Caracas' },
    /** Bytes of one delivery receipt or inbound message posted by an HTTP gateway. */
    webhookBodyBytesMax: 16 * 1024,
    /** A signed webhook request or receipt older or newer than this is refused (replay). */
    webhookClockSkewMs: 5 * 60_000,
    /** One HTTP request to the gateway. */
    webhookTimeoutMs: 10_000,
    /** SMPP: submit_sm sent and not yet answered, per bind. */
    smppWindowMax: 10,
    /** SMPP: submit_sm per second, per bind (the SMS centre's contracted rate). */
    smppSubmitsPerSecondMax: 500,
    /** SMPP: a submit_sm unanswered this long counts as refused (the bind is then dropped). */
    smppResponseTimeoutMs: 10_000,
    /** SMPP: reconnect delay after a lost bind: base × 2^n, at most the max. */
    smppReconnectBaseMs: 500,
    smppReconnectMaxMs: 30_000,
    /** Messages listed at once in the citizen's view of their messages. */
    citizenListMax: 50,
    /** Days the operators' delivery dashboard counts back from today (and at most asks). */
    dashboardDaysDefault: 14,
    dashboardDaysMax: 92,
    /** Failed messages the dashboard lists, newest first. */
    dashboardFailedMax: 50,
  },
  /** Bulk import of persons (modules/registry/import); households are bounded by the registry's. */
  import: {
    /**
     * Persons per batch (one transaction, one statement per table). A batch closes at the
     * first household boundary at or after this many persons, so it may be a little larger.
     */
    batchPersonsTarget: 5_000,
    /** Batches written at the same time, each on its own connection. */
    insertConnections: 2,
    /** Import worker threads (parse, validate, encrypt) at most; by default one per core. */
    workersMax: 4,
    /** Smaller files are encoded in the main thread: loading the workers would cost more. */
    workerFileBytesMin: 4 * 1024 ** 2,
    /** Young-generation size of a worker's heap (MiB); see chunk-executor.ts. */
    workerYoungGenerationMb: 192,
    /** Chunks handed to the workers and not yet written, per worker (bounds memory). */
    chunksInFlightPerWorker: 2,
    /** Largest file the command line imports (a national registry is a few GiB of CSV). */
    fileBytesMax: 8 * 1024 ** 3,
    /** Largest file accepted by POST /api/imports. */
    uploadBytesMax: 1024 ** 3,
    /** Longest physical line (CSV record or NDJSON object); a longer one refuses the file. */
    lineBytesMax: 64 * 1024,
    /** A row whose new UIN collides is redrawn at most this many times per batch. */
    uinRedrawRoundsMax: 8,
    /** Progress is reported at most this often. */
    progressIntervalMs: 1_000,
    /** Characters of the refused-rows CSV sent as one piece when it is served. */
    refusedRowsPieceCharsMax: 64 * 1024,
    /** Problems of a refused file (header columns) listed in the answer. */
    fileProblemsMax: 40,
    /** Refused rows shown on the console's import page (the file has them all). */
    refusedRowsPreviewMax: 20,
    /** Jobs listed or kept running in one server process at a time. */
    serverJobsRunningMax: 2,
  },
  /** The duplicate-detection engine (modules/registry/dedup). */
  dedup: {
    /**
     * A block larger than this is skipped, not truncated: one common key ("garcia" born in
     * 1980) must not explode the pair count, and the other keys still reach those records.
     */
    blockSizeMax: 100,
    /**
     * Loose key kinds (name sound + year, place + name …) use blockSizeMax up to this many
     * records and a limit shrinking with √n above it (see blockLimits in dedup-batch.ts).
     */
    looseBlockReferenceRecords: 20_000,
    /** The loose-block limit never shrinks below this. */
    looseBlockSizeMin: 10,
    /** Blocks of one exact value (a date, a surname) larger than this are left out of training. */
    sessionBlockSizeMax: 50,
    /** Pairs compared in one training session (see m-sessions.ts). */
    sessionPairsMax: 300_000,
    /** Random record pairs drawn to estimate the u probabilities (non-match agreement). */
    uSamplePairsMax: 100_000,
    /** EM stops after this many iterations even if it has not converged. */
    emIterationsMax: 200,
    /** EM has converged when no probability moves by more than this between iterations. */
    emToleranceMax: 1e-6,
    /** Candidates returned by one enrolment-time query. */
    queryCandidatesMax: 20,
    /** Records accepted by one batch run (the engine keeps several arrays per record). */
    batchRecordsMax: 5_000_000,
    /** Bytes of a FEBRL file read by `amparo dedup evaluate`. */
    evaluateFileBytesMax: 64 * 1024 * 1024,
    /** `amparo dedup run`. */
    run: {
      /** Persons read per query: keyset pages keep each query short on a large registry. */
      readPageRecords: 10_000,
      /** Cluster rows per multi-row INSERT (each row binds four parameters). */
      insertClustersMax: 2_000,
    },
  },
  /** Bank payout files and statements (modules/payments/payouts). */
  payouts: {
    /** Payments in one pain.001 file (the bench writes 100,000 in under 10 s). */
    paymentsPerFileMax: 100_000,
    /**
     * Entitlements a batch preview lists of those it would leave out (no payee account, or one
     * held), with the count of all of them: a cycle of hundreds of thousands answers a page the
     * console can show. The batch's own exclusions are paged (`GET …/batches/:id/exclusions`).
     */
    previewExclusionsListedMax: 200,
    /**
     * How long a run preparing a payout batch holds it without renewing (it renews after each
     * chunk of 8,190 reservations): past it, a batch still `preparing` is resumable (its run
     * died). Writing and validating a file of 100,000 payments takes well under this.
     */
    preparationLeaseMs: 2 * 60_000,
    /**
     * Bytes of one uploaded pain.002, camt.053, camt.054 or MT940 file: a statement of
     * 100,000 entries is about 60 MB of XML; the file is read whole before anything posts.
     */
    bankFileBytesMax: 96 * 1024 * 1024,
    /** Entries (or transaction statuses) in one uploaded file. */
    bankFileEntriesMax: 200_000,
    /** Nesting depth of an uploaded XML file (camt.053 nests about 12 deep). */
    xmlDepthMax: 40,
    /** Rows of one suspense report (newest first). */
    suspenseReportRowsMax: 100_000,
    /** Sent payments of dead, merged or erased persons listed at once (newest first). */
    flaggedListMax: 1_000,
    /** Returns waiting for a second finance officer's confirmation listed at once (oldest first). */
    pendingReturnsListMax: 1_000,
    /** Payout batches the console lists at once (newest first). */
    batchListMax: 200,
    /** Payments of one batch on one page of the console (in file order). */
    batchPaymentsPageMax: 200,
    /** Wrong stop codes after which a held payee account change is stopped as a precaution. */
    payeeStopCodeAttemptsMax: 5,
    /** Stop requests (ID number and code, no session) per client address per minute. */
    payeeStopRequestsPerMinuteMax: 10,
    /**
     * One staff account set (or approved) a person's payee account and made (or approved) a
     * batch paying them within this: an auditors' alert (`payout_payee_collusion`).
     */
    payeeCollusionWindowMs: 7 * 24 * 60 * 60_000,
  },
  /** Accounts and transfers (modules/ledger). */
  ledger: {
    /**
     * Transfers in one `transferCreator` call (TigerBeetle's batch size): one transaction,
     * so the size bounds memory and how long its accounts stay locked.
     */
    transfersPerBatchMax: 8_190,
    /** Accounts in one `accountCreator` or `lookupAccounts` call. */
    accountsPerBatchMax: 8_190,
    /** Longest timeout of a pending transfer (30 days), in seconds. */
    pendingTimeoutSecondsMax: 30 * 24 * 60 * 60,
    /**
     * Times a batch is run again after a conflict another transaction caused (the same id
     * written at once, a deadlock, a hot account that ran short): each run sees the other's
     * committed work, so a second run rarely conflicts.
     */
    batchAttemptsMax: 5,
    /** Expired pending transfers released by one pass of the expiry sweep. */
    expiryBatchMax: 1_000,
    /**
     * Daily debit limits by account kind and currency, in minor units (issue #16, point 7):
     * what may leave one such account in a day (payments and pending reservations; resolving
     * a pending transfer adds nothing). A transfer beyond it is refused
     * `exceeds_daily_debit_limit` and not written, so it can be sent again the next day. Only
     * a two-person approved adjustment passes over it (`dailyDebitLimits: false`).
     */
    dailyDebitMaxMinor: {
      beneficiary_wallet: { VES: 50_000_00n, USD: 1_000_00n },
    },
    /** The limits' day: Venezuela's civil day (UTC−4, no summer time), in minutes from UTC. */
    dailyLimitUtcOffsetMinutes: -240,
  },
  /** Wallets, funding and cash disbursement (modules/payments). */
  payments: {
    /**
     * Entitlements per disbursement chunk: one ledger batch (at most the ledger's
     * `transfersPerBatchMax`), so one aggregated debit of the funding account per chunk, and
     * what a run killed in the middle pays again (replayed, never twice).
     */
    disbursementChunkEntitlements: 4_000,
    /** Chunks paid at once by one run: the funding account's deferred update lets them overlap. */
    disbursementWorkers: 3,
    /** Transfers per page of a wallet's history or an account's statement. */
    historyPageMax: 200,
    /** Rows of one account statement CSV. */
    statementRowsMax: 50_000,
    /** Rows of one account statement PDF (about 65 lines a page): the latest ones. */
    statementPdfRowsMax: 5_000,
    /**
     * Alerts to auditors (issue #16, point 7): this many distinct beneficiary wallets paying
     * one merchant account within the window raise `payment_merchant_fan_in`, once per account
     * per window. The scan runs every `patternScanIntervalMs` in the server.
     */
    merchantFanInWallets: 20,
    merchantFanInWindowMs: 10 * 60_000,
    patternScanIntervalMs: 60_000,
    /**
     * Merges followed from a merged-away record to the one that receives its frozen balance (a
     * survivor merged away in turn passes it on); a longer chain is refused, nothing proposed.
     */
    frozenMoveMergeHopsMax: 16,
  },
  /** Merchant payments and the payment app (modules/payments/merchants; issue #16). */
  merchants: {
    /** A payment request can be paid for at most this long after it was made. */
    requestSecondsMax: 900,
    /** …and at least this long (a request that expires as it is shown helps nobody). */
    requestSecondsMin: 30,
    /** Wrong PIN tries in a row that lock the PIN until a clerk sets a new one. */
    pinAttemptsMax: 5,
    /** Payments, settlements or requests in one page of a merchant's or payer's list. */
    listPageMax: 100,
    /** Characters of the signed request token (what a QR holds). */
    requestTokenCharactersMax: 1_000,
    /** Refunds of one payment, in full or in part (each a pair of ledger transfers). */
    refundsPerPaymentMax: 20,
    /**
     * Tries at paying without the card (ID number, PIN, second check) one merchant may start in
     * a local day (America/Caracas), refused ones included; `AMPARO_COUNTER_ASSISTED_PER_DAY` sets another bound.
     */
    counterAssistedPerMerchantPerDayDefault: 20,
    /** …and the most that setting may allow. */
    counterAssistedPerMerchantPerDayMax: 1_000,
    /** The most days `AMPARO_PIN_PHONE_CHANGE_DAYS` may set (`pinGuard.phoneChangeWindowMs`). */
    pinPhoneChangeDaysMax: 90,
    /** How long the texted one-time code of a payment without the card is accepted. */
    counterAssistedCodeTtlMs: 5 * 60_000,
    /** Wrong codes after which that check fails for good. */
    counterAssistedCodeAttemptsMax: 3,
    /** How long after its second check passed a payment may be made under it. */
    counterAssistedPayWindowMs: 15 * 60_000,
    /** Tries listed in one page of the supervisor's list. */
    counterAssistedListMax: 200,
    /**
     * The guard on PINs (docs/PAYMENTS-PIN.md). Defaults: the payments module's dependencies
     * (`pinGuard`) may set others, as the tests do.
     */
    pinGuard: {
      /**
       * A held PIN pays nothing for this long (docs/PAYMENTS-PIN.md): one staff set without the
       * texted code, the first one a person sets in the app, and one set within
       * `phoneChangeWindowMs` of a change of the phone on file. A held payee account too.
       */
      staffHoldMs: 24 * 60 * 60_000,
      /**
       * A PIN set (in the app, or by staff with the texted code) this soon after a change of the
       * phone on file is held, and the phone it replaced is told; the takeover alert names the
       * operator who changed it. `AMPARO_PIN_PHONE_CHANGE_DAYS` sets it (default 7 days).
       */
      phoneChangeWindowMs: 7 * 24 * 60 * 60_000,
      /** PINs one staff account may set in a local day (America/Caracas; refused beyond, 429). */
      staffSetsPerOperatorPerDay: 10,
      /** A second check sets a PIN within this long of being started, or not at all. */
      checkTtlMs: 15 * 60_000,
      /** Wrong texted codes after which the check fails for good. */
      checkCodeAttemptsMax: 3,
      /** Sign-in code or card issued and PIN set by one staff account within this: an alert. */
      takeoverWindowMs: 7 * 24 * 60 * 60_000,
      /** Wrong PINs one merchant's counter may type in a local day (America/Caracas); further payments refused. */
      merchantWrongPinsPerDay: 10,
      /** Wrong PINs for this many distinct cards at one merchant within the window: an alert. */
      sprayCards: 5,
      sprayWindowMs: 60 * 60_000,
    },
    /**
     * A program's share of one merchant price above this many minor units raises
     * `payment_subsidy_large` to auditors (the payment is made: the allowance bounds it). The
     * share itself is at most the payer's entitlement for the cycle (`subsidy-allowance.ts`).
     */
    subsidyAlertMinor: 500_000,
    /**
     * A program's share of a price in basis points: strictly below the whole price, so the
     * payer's wallet is always debited and its daily limit applies.
     */
    subsidyShareBasisPointsMax: 9_999,
  },
  /** Published statistics (modules/statistics; issue #17, safeguard 8). */
  statistics: {
    /** Cells from 1 to this − 1 are withheld (primary suppression); zero stays zero. */
    threshold: 10,
    /** How far either side of a withheld cell an attacker must be unable to rule out. */
    protectionLevel: 10,
    /** Published counts are multiples of this. */
    roundingBase: 5,
    /** Dimensions in one request's `by`. */
    breakdownDimensionsMax: 4,
    /**
     * A refresh's read of one table's source, at most (the application's statement timeout is
     * for requests; coverage reads every member, entitlement and first redemption at once).
     */
    refreshStatementTimeoutMs: 600_000,
    /**
     * A refresh's sort and hash memory per plan node, MB (PostgreSQL's `work_mem`, set for the
     * refresh's reads only; the server's default is 4 MB). Coverage sorts and hashes every first
     * redemption and joins every member to its entitlement: at 200,000 persons × 12 cycles, 4 MB
     * spilled them to disk in 16 and 32 batches (BENCHMARKS.md). Each read is one serial
     * statement, so one process uses it per node.
     */
    refreshWorkMemMb: 64,
    /**
     * A refresh's source reads running at once, each a serial statement on its own connection
     * (the database computes the next sources while the refresh protects a table; two cores,
     * two statements). Out of the server's pool of `database.poolConnectionsMax`.
     */
    refreshReadsAtOnce: 2,
    /**
     * The p % dominance rule for amounts: a cell is withheld when its two largest
     * contributions leave less than this share of the largest to the rest, and a withheld
     * amount is protected by this share of its value either side.
     */
    dominancePercent: 10,
    /** Published amounts (major units) are multiples of this. */
    amountRoundingBase: 1000,
    /**
     * σ² of the discrete Gaussian noise on published counts (differencing, issue #17): each
     * published cell costs ρ = 1 / 2σ² (zCDP) for a person counted in it. With 25 (σ = 5) an
     * attacker who knows everyone else and reads one cell at n and n + 1 guesses right with
     * probability at most Φ(1 / 2σ) = 0.54 (statistics README, "Differencing").
     */
    noiseVariance: 25,
    /** Published units of stock (stock moved by point) are multiples of this. */
    stockRoundingBase: 10,
    /**
     * How long a refresh holds the schedule's lease without renewing it (it renews after each
     * table): a process that crashed mid-refresh keeps others from refreshing at most this long.
     * Longer than any one table's refresh (coverage at 1M persons × 12 cycles: under a minute).
     */
    refreshLeaseMs: 3_600_000,
    /** AMPARO_STATISTICS_REFRESH_EVERY when unset: nightly. */
    refreshEveryDefaultSeconds: 86_400,
  },
} as const;
