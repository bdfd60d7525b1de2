import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AmparoError } from '../../platform/errors.js';
import { WalletSchema } from '../../shared/api/merchants.js';
import { PurposeQuery } from '../../shared/api/params.js';
import { cycleForDisbursement, programForFunding } from '../programs/index.js';
import { ledgerAccountsReader } from './accounts/ledger-accounts.js';
import {
  type DisbursementProgress,
  disbursementProgress,
} from './disbursement/disbursement-progress.js';
import { disbursementRunner } from './disbursement/disbursement-runner.js';
import { disbursementStarter } from './disbursement/disbursement-starter.js';
import { programFunder } from './funding/program-funder.js';
import { paymentLimits } from './limits.js';
import { contextOf, nowOf, type PaymentsDependencies } from './payments-context.js';
import { guardLedgerAction } from './payments-guard.js';
import { statementReader, statementWriter, trialBalanceReader } from './wallets/statement.js';
import { statementPdf } from './wallets/statement-pdf.js';
import { walletReader } from './wallets/wallet-view.js';

// The ledger's currencies (`ledgerCurrencies`), spelt out so the answer types keep them.
const Currency = Type.Union([Type.Literal('VES'), Type.Literal('USD')]);
const Minor = Type.String({ pattern: '^-?[0-9]{1,40}$', description: 'minor units, as text' });
const Uuid = Type.String({ format: 'uuid' });

const FundingBody = Type.Object(
  {
    transferId: Type.String({
      format: 'uuid',
      description: 'idempotency key: the ledger transfer id',
    }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    amountMinor: Minor,
  },
  { additionalProperties: false },
);
const FundingSchema = Type.Object({
  transferId: Uuid,
  fundingAccountId: Uuid,
  currency: Currency,
  amountMinor: Type.String(),
  balanceMinor: Type.String(),
  replayed: Type.Boolean(),
});
const ProgressSchema = Type.Object({
  id: Uuid,
  cycleId: Uuid,
  programId: Uuid,
  currency: Currency,
  fundingAccountId: Uuid,
  status: Type.Union([Type.Literal('running'), Type.Literal('finished')]),
  chunksTotal: Type.Integer(),
  chunksDone: Type.Integer(),
  entitlementsTotal: Type.String(),
  amountTotalMinor: Type.String(),
  creditedCount: Type.String(),
  creditedMinor: Type.String(),
  skippedCount: Type.String(),
  refusedCount: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});
const WalletQuery = Type.Object(
  {
    purpose: PurposeQuery.properties.purpose,
    currency: Type.Optional(Currency),
    before: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);
const TrialBalanceSchema = Type.Object({
  lines: Type.Array(
    Type.Object({
      currency: Currency,
      kind: Type.String(),
      accounts: Type.Integer(),
      debitsPostedMinor: Type.String(),
      creditsPostedMinor: Type.String(),
      debitsPendingMinor: Type.String(),
      creditsPendingMinor: Type.String(),
    }),
  ),
  currencies: Type.Array(
    Type.Object({
      currency: Type.String(),
      debitsPostedMinor: Type.String(),
      creditsPostedMinor: Type.String(),
      balanced: Type.Boolean(),
    }),
  ),
});

const LedgerAccountsSchema = Type.Object({
  accounts: Type.Array(
    Type.Object({
      accountId: Uuid,
      role: Type.Union([
        Type.Literal('program_funding'),
        Type.Literal('settlement'),
        Type.Literal('suspense'),
        Type.Literal('estate'),
      ]),
      currency: Currency,
      programId: Type.Union([Uuid, Type.Null()]),
      programName: Type.Union([Type.Object({ es: Type.String(), en: Type.String() }), Type.Null()]),
      subAccount: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
      balanceMinor: Minor,
      debitsPendingMinor: Minor,
      creditsPendingMinor: Minor,
    }),
  ),
  settlementTotals: Type.Array(
    Type.Object({ currency: Currency, balanceMinor: Minor, subAccounts: Type.Integer() }),
  ),
});

function progressAnswer(progress: DisbursementProgress) {
  return {
    ...progress,
    entitlementsTotal: progress.entitlementsTotal.toString(),
    amountTotalMinor: progress.amountTotalMinor.toString(),
    creditedCount: progress.creditedCount.toString(),
    creditedMinor: progress.creditedMinor.toString(),
    skippedCount: progress.skippedCount.toString(),
    refusedCount: progress.refusedCount.toString(),
    startedAt: progress.startedAt.toISOString(),
    finishedAt: progress.finishedAt?.toISOString() ?? null,
  };
}

/**
 * Money routes (issue #16; docs/ACCESS.md, "Money"). Thin: each handler asks the gate, calls
 * one verb, and answers with its schema. A disbursement runs in the server after the 202 and
 * can be resumed by starting it again or by `amparo payments disburse --cycle`.
 */
export const paymentsRoutes: FastifyPluginAsyncTypebox<PaymentsDependencies> = async (
  app,
  deps,
) => {
  const tags = ['payments'];
  const running = new Map<string, Promise<unknown>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled(running.values());
  });

  app.post(
    '/payments/programs/:programId/funding',
    {
      schema: {
        tags,
        summary: "Move money the bank received into the program's funding account (audited)",
        params: Type.Object({ programId: Uuid }),
        querystring: PurposeQuery,
        body: FundingBody,
        response: { 201: FundingSchema },
      },
    },
    async (request, reply) => {
      const program = await programForFunding(deps.db, request.params.programId);
      const grant = await guardLedgerAction(
        deps,
        contextOf(request),
        'payment.fund',
        { type: 'program', id: request.params.programId },
        program !== undefined,
      );
      // The allowed entry is staged by the transfer's own insert (it commits with the money or
      // not at all) and in the log before the answer; `record` only where it was not.
      const outcome = await programFunder(
        deps.db,
        { programId: request.params.programId, ...request.body },
        { program, audit: { recorder: deps.audit, entry: grant.allowedEntry(['funding']) } },
      );
      if (!outcome.audited) await grant.record(['funding']);
      return reply.code(201).send({
        ...outcome,
        amountMinor: outcome.amountMinor.toString(),
        balanceMinor: outcome.balanceMinor.toString(),
      });
    },
  );

  app.post(
    '/payments/disbursements',
    {
      schema: {
        tags,
        summary: 'Start (or resume) paying a published cash cycle into wallets (audited)',
        querystring: PurposeQuery,
        body: Type.Object({ cycleId: Uuid }, { additionalProperties: false }),
        response: { 202: ProgressSchema },
      },
    },
    async (request, reply) => {
      const context = contextOf(request);
      const cycle = await cycleForDisbursement(deps.db, request.body.cycleId);
      const grant = await guardLedgerAction(
        deps,
        context,
        'payment.disburse',
        { type: 'program_cycle', id: request.body.cycleId },
        cycle !== undefined,
      );
      const operatorId = context.actor?.kind === 'operator' ? context.actor.operatorId : null;
      const started = await disbursementStarter(deps.db, {
        cycleId: request.body.cycleId,
        operatorId,
      });
      await grant.record([]);
      if (started.status === 'running' && !running.has(started.id)) {
        const run = disbursementRunner(deps.db, {
          disbursementId: started.id,
          ...(deps.onWalletCredited ? { onWalletCredited: deps.onWalletCredited } : {}),
        })
          .catch((error: unknown) => {
            // The run stops; starting it again (or the CLI) resumes where it stopped.
            request.log.error({ err: error, disbursementId: started.id }, 'disbursement stopped');
          })
          .finally(() => running.delete(started.id));
        running.set(started.id, run);
      }
      return reply.code(202).send(progressAnswer(started));
    },
  );

  app.get(
    '/payments/disbursements/:disbursementId',
    {
      schema: {
        tags,
        summary: "A disbursement's progress: chunks, credited, skipped, refused (audited)",
        params: Type.Object({ disbursementId: Uuid }),
        querystring: PurposeQuery,
        response: { 200: ProgressSchema },
      },
    },
    async (request) => {
      const progress = await disbursementProgress(deps.db, { id: request.params.disbursementId });
      const grant = await guardLedgerAction(
        deps,
        contextOf(request),
        'payment.ledger_read',
        { type: 'disbursement', id: request.params.disbursementId },
        progress !== undefined,
      );
      await grant.record([]);
      // Safe: the guard refused a disbursement that does not exist (404, audited as denied).
      return progressAnswer(progress as DisbursementProgress);
    },
  );

  app.get(
    '/payments/me/wallet',
    {
      schema: {
        tags,
        summary: 'Your own wallets, balance and history (citizen session)',
        querystring: WalletQuery,
        response: { 200: WalletSchema },
      },
    },
    async (request) => {
      const actor = request.actor;
      if (actor === null) throw new AmparoError('AMP_UNAUTHENTICATED');
      if (actor.kind !== 'citizen') {
        throw new AmparoError('AMP_FORBIDDEN', {
          detail: 'Only a person signed in as themself has a wallet here',
        });
      }
      const { currency, before, limit } = request.query;
      return walletReader(
        deps,
        { actor, purpose: 'self', requestId: request.id },
        {
          personId: actor.personId,
          ...(currency ? { currency } : {}),
          ...(before ? { before } : {}),
          ...(limit ? { limit } : {}),
        },
      );
    },
  );

  app.get(
    '/payments/persons/:personId/wallet',
    {
      schema: {
        tags,
        summary: "A person's wallets, balance and history, for a purpose (audited on the person)",
        params: Type.Object({ personId: Uuid }),
        querystring: WalletQuery,
        response: { 200: WalletSchema },
      },
    },
    async (request) => {
      const { currency, before, limit } = request.query;
      return walletReader(deps, contextOf(request), {
        personId: request.params.personId,
        ...(currency ? { currency } : {}),
        ...(before ? { before } : {}),
        ...(limit ? { limit } : {}),
      });
    },
  );

  app.get(
    '/payments/accounts/:accountId/statement.csv',
    {
      schema: {
        tags,
        summary: "An account's statement as spreadsheet-safe CSV, oldest first (audited)",
        params: Type.Object({ accountId: Uuid }),
        querystring: PurposeQuery,
        produces: ['text/csv'],
        response: { 200: Type.String() },
      },
    },
    async (request, reply) => {
      const { fileName, csv } = await statementWriter(
        deps,
        contextOf(request),
        request.params.accountId,
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .send(csv);
    },
  );

  app.get(
    '/payments/accounts/:accountId/statement.pdf',
    {
      schema: {
        tags,
        summary: "An account's statement as PDF (A4, es/en), oldest first (audited)",
        params: Type.Object({ accountId: Uuid }),
        querystring: PurposeQuery,
        produces: ['application/pdf'],
      },
    },
    async (request, reply) => {
      const statement = await statementReader(
        deps,
        contextOf(request),
        request.params.accountId,
        paymentLimits.statementPdfRowsMax,
      );
      const pdf = await statementPdf(statement, nowOf(deps));
      return reply
        .type('application/pdf')
        .header(
          'content-disposition',
          `attachment; filename="statement-${statement.accountId}.pdf"`,
        )
        .send(Buffer.from(pdf));
    },
  );

  app.get(
    '/payments/trial-balance',
    {
      schema: {
        tags,
        summary: 'The trial balance: every account summed by currency and kind (audited)',
        querystring: PurposeQuery,
        response: { 200: TrialBalanceSchema },
      },
    },
    async (request) => trialBalanceReader(deps, contextOf(request)),
  );

  app.get(
    '/payments/ledger-accounts',
    {
      schema: {
        tags,
        summary:
          "The ledger's own accounts with names and balances: program funding, settlement sub-accounts (and their sum per currency), suspense, estate; no wallet or merchant (audited)",
        querystring: PurposeQuery,
        response: { 200: LedgerAccountsSchema },
      },
    },
    async (request) => {
      const { accounts, settlementTotals } = await ledgerAccountsReader(deps, contextOf(request));
      return {
        accounts: accounts.map((account) => ({
          ...account,
          balanceMinor: account.balanceMinor.toString(),
          debitsPendingMinor: account.debitsPendingMinor.toString(),
          creditsPendingMinor: account.creditsPendingMinor.toString(),
        })),
        settlementTotals: settlementTotals.map((total) => ({
          ...total,
          balanceMinor: total.balanceMinor.toString(),
        })),
      };
    },
  );
};
