import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { limits } from '../../../limits.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import { contextOf } from '../payments-context.js';
import { bankFileApplier } from './bank-file-applier.js';
import { payoutBatchApprover, payoutPayeeChangesReader } from './batch-approver.js';
import { payoutBatchCanceller } from './batch-canceller.js';
import { payoutBatchCreator } from './batch-creator.js';
import { batchExclusionsReader, batchPaymentsReader, payoutBatchLister } from './batch-list.js';
import { type PayoutBatchSummary, payoutBatchReader, payoutFileReader } from './batch-reader.js';
import { payoutBatchResumer } from './batch-resumer.js';
import { flaggedPayouts } from './flagged-payouts.js';
import type { PayoutDependencies } from './payout-gate.js';
import {
  BankFileBody,
  BankFileSchema,
  BatchApprovalBody,
  BatchIdParams,
  BatchPaymentsQuery,
  BatchPaymentsSchema,
  FlaggedPayoutsSchema,
  InstructionIdParams,
  PayeeChangesSchema,
  PayoutBatchBody,
  PayoutBatchListSchema,
  PayoutBatchSchema,
  PayoutExclusionsSchema,
  PendingReturnsSchema,
  ReturnConfirmationSchema,
  ReturnRejectionBody,
  ReturnRejectionSchema,
} from './payout-schema.js';
import { payoutReturnConfirmer, pendingReturns } from './return-confirmer.js';
import { payoutReturnRejecter } from './return-rejecter.js';
import { suspenseReport } from './suspense-report.js';

function presented<T extends PayoutBatchSummary>(summary: T) {
  return {
    ...summary,
    createdAt: summary.createdAt.toISOString(),
    sentAt: summary.sentAt?.toISOString() ?? null,
    cancelledAt: summary.cancelledAt?.toISOString() ?? null,
    approvedAt: summary.approvedAt?.toISOString() ?? null,
    amountTotalMinor: summary.amountTotalMinor.toString(),
    byStatus: summary.byStatus.map((group) => ({
      ...group,
      amountMinor: group.amountMinor.toString(),
    })),
  };
}

/**
 * Bank payouts (issue #16, point 4): batches and their pain.001.001.09 file, the bank's
 * answers (pain.002, camt.053, camt.054, MT940) and the suspense report. docs/ACCESS.md
 * (`payout.*`) says who may do what; src/modules/payments/payouts/README.md how it works.
 */
export const payoutRoutes: FastifyPluginAsyncTypebox<PayoutDependencies> = async (app, deps) => {
  const tags = ['payouts'];
  app.post(
    '/payouts/batches',
    {
      bodyLimit: 64 * 1024 * 1024,
      schema: {
        tags,
        summary:
          "Create a payout batch from a program's funding account: each payment reserved in the ledger (audited)",
        querystring: PurposeQuery,
        body: PayoutBatchBody,
        response: { 201: PayoutBatchSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const summary = await payoutBatchCreator(deps, contextOf(request), {
        ...body,
        debtor: body.debtor,
        instructions: body.instructions.map((item) => ({
          referenceKind: item.referenceKind,
          referenceId: item.referenceId,
          amountMinor: BigInt(item.amountMinor),
          remittance: item.remittance,
        })),
      });
      return reply.code(201).send(presented(summary));
    },
  );

  app.get(
    '/payouts/batches',
    {
      schema: {
        tags,
        summary:
          'The payout batches, newest first: program, cycles, status, counts and totals; no creditor (audited)',
        querystring: PurposeQuery,
        response: { 200: PayoutBatchListSchema },
      },
    },
    async (request) => ({
      batches: (await payoutBatchLister(deps, contextOf(request))).map(presented),
    }),
  );

  app.get(
    '/payouts/batches/:batchId/payments',
    {
      schema: {
        tags,
        summary:
          "A page of a batch's payments in file order: end-to-end id, amount, status; no creditor (audited)",
        params: BatchIdParams,
        querystring: BatchPaymentsQuery,
        response: { 200: BatchPaymentsSchema },
      },
    },
    async (request) => {
      const page = await batchPaymentsReader(deps, contextOf(request), {
        batchId: request.params.batchId,
        afterSeq: request.query.afterSeq ?? -1,
      });
      return {
        nextAfterSeq: page.nextAfterSeq,
        payments: page.payments.map((payment) => ({
          ...payment,
          amountMinor: payment.amountMinor.toString(),
          updatedAt: payment.updatedAt.toISOString(),
        })),
      };
    },
  );

  app.get(
    '/payouts/batches/:batchId/exclusions',
    {
      schema: {
        tags,
        summary:
          "A page of the entitlements a batch's request named but left out (their person had no usable payee account), in request order: ids and the reason (audited)",
        params: BatchIdParams,
        querystring: BatchPaymentsQuery,
        response: { 200: PayoutExclusionsSchema },
      },
    },
    async (request) => {
      const page = await batchExclusionsReader(deps, contextOf(request), {
        batchId: request.params.batchId,
        afterSeq: request.query.afterSeq ?? -1,
      });
      return {
        nextAfterSeq: page.nextAfterSeq,
        exclusions: page.exclusions.map((exclusion) => ({
          ...exclusion,
          amountMinor: exclusion.amountMinor.toString(),
          heldUntil: exclusion.heldUntil?.toISOString() ?? null,
        })),
      };
    },
  );

  app.post(
    '/payouts/batches/:batchId/cancellation',
    {
      schema: {
        tags,
        summary:
          'Cancel a batch whose file was not sent (e.g. one interrupted while being made): every reservation voided, every payment cancelled (audited)',
        params: BatchIdParams,
        querystring: PurposeQuery,
        response: { 200: PayoutBatchSchema },
      },
    },
    async (request) =>
      presented(await payoutBatchCanceller(deps, contextOf(request), request.params.batchId)),
  );

  app.post(
    '/payouts/batches/:batchId/resumption',
    {
      schema: {
        tags,
        summary:
          'Resume a batch left preparing (the run that made it died): what is not yet reserved is reserved, once; its file written; ready (audited)',
        params: BatchIdParams,
        querystring: PurposeQuery,
        response: { 200: PayoutBatchSchema },
      },
    },
    async (request) =>
      presented(await payoutBatchResumer(deps, contextOf(request), request.params.batchId)),
  );

  app.get(
    '/payouts/batches/:batchId/payee-changes',
    {
      schema: {
        tags,
        summary:
          "For the second finance officer: the payments to an account other than the person's last paid one, last four characters only (audited per person)",
        params: BatchIdParams,
        querystring: PurposeQuery,
        response: { 200: PayeeChangesSchema },
      },
    },
    async (request) => ({
      changes: (
        await payoutPayeeChangesReader(deps, contextOf(request), request.params.batchId)
      ).map((change) => ({ ...change, amountMinor: change.amountMinor.toString() })),
    }),
  );

  app.post(
    '/payouts/batches/:batchId/approval',
    {
      schema: {
        tags,
        summary:
          'A second finance officer (not the maker) approves a ready batch, confirming each new payee account; then its file can be downloaded (audited)',
        params: BatchIdParams,
        querystring: PurposeQuery,
        body: BatchApprovalBody,
        response: { 200: PayoutBatchSchema },
      },
    },
    async (request) =>
      presented(
        await payoutBatchApprover(deps, contextOf(request), request.params.batchId, request.body),
      ),
  );

  app.get(
    '/payouts/batches/:batchId',
    {
      schema: {
        tags,
        summary: "A payout batch's figures by status; no creditor (audited)",
        params: BatchIdParams,
        querystring: PurposeQuery,
        response: { 200: PayoutBatchSchema },
      },
    },
    async (request) =>
      presented(await payoutBatchReader(deps, contextOf(request), request.params.batchId)),
  );

  app.get(
    '/payouts/batches/:batchId/pain.001.xml',
    {
      schema: {
        tags,
        summary:
          'The batch as an ISO 20022 pain.001.001.09 file for the bank, valid against the official schema (audited)',
        params: BatchIdParams,
        querystring: PurposeQuery,
        produces: ['application/xml'],
        response: { 200: Type.String() },
      },
    },
    async (request, reply) => {
      const file = await payoutFileReader(deps, contextOf(request), request.params.batchId);
      return reply
        .type('application/xml; charset=utf-8')
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .send(file.xml);
    },
  );

  app.post(
    '/payouts/bank-files',
    {
      bodyLimit: limits.payouts.bankFileBytesMax + 1024 * 1024,
      schema: {
        tags,
        summary:
          'Apply a pain.002, camt.053, camt.054 or MT940 from the bank: posts, voids and returns each payment once (audited)',
        querystring: PurposeQuery,
        body: BankFileBody,
        response: { 200: BankFileSchema },
      },
    },
    async (request) => bankFileApplier(deps, contextOf(request), request.body),
  );

  app.get(
    '/payouts/flagged',
    {
      schema: {
        tags,
        summary:
          'Sent payments whose person then died, was merged or erased: the bank may still execute them; reconcile (audited)',
        querystring: PurposeQuery,
        response: { 200: FlaggedPayoutsSchema },
      },
    },
    async (request) => ({
      payouts: (await flaggedPayouts(deps, contextOf(request))).map((flagged) => ({
        ...flagged,
        amountMinor: flagged.amountMinor.toString(),
        flaggedAt: flagged.flaggedAt.toISOString(),
      })),
    }),
  );

  app.get(
    '/payouts/returns',
    {
      schema: {
        tags,
        summary:
          'Returns a statement reported that wait for a second finance officer: their entitlements stay paid until then (audited)',
        querystring: PurposeQuery,
        response: { 200: PendingReturnsSchema },
      },
    },
    async (request) => ({
      returns: (await pendingReturns(deps, contextOf(request))).map((item) => ({
        ...item,
        amountMinor: item.amountMinor.toString(),
        reportedAt: item.reportedAt.toISOString(),
      })),
    }),
  );

  app.post(
    '/payouts/returns/:instructionId/confirmation',
    {
      schema: {
        tags,
        summary:
          "A second finance officer (not the statement's uploader) confirms a payment's return: its entitlement is payable again (audited)",
        params: InstructionIdParams,
        querystring: PurposeQuery,
        response: { 200: ReturnConfirmationSchema },
      },
    },
    async (request) =>
      payoutReturnConfirmer(deps, contextOf(request), request.params.instructionId),
  );

  app.post(
    '/payouts/returns/:instructionId/rejection',
    {
      schema: {
        tags,
        summary:
          "A second finance officer (not the statement's uploader) rejects a payment's return the bank did not make: the payment is restored and its money moved back out of suspense by a new transfer (audited)",
        params: InstructionIdParams,
        querystring: PurposeQuery,
        body: ReturnRejectionBody,
        response: { 200: ReturnRejectionSchema },
      },
    },
    async (request) =>
      payoutReturnRejecter(
        deps,
        contextOf(request),
        request.params.instructionId,
        request.body.reason.trim(),
      ),
  );

  app.get(
    '/payouts/suspense.csv',
    {
      schema: {
        tags,
        summary:
          'The suspense report: returned and unmatched money, as CSV safe for spreadsheets (audited)',
        querystring: PurposeQuery,
        produces: ['text/csv'],
        response: { 200: Type.String() },
      },
    },
    async (request, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="payout-suspense.csv"')
        .send(await suspenseReport(deps, contextOf(request))),
  );
};
