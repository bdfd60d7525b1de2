import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { OperatorActor } from '../../../shared/access/actor.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import { contextOf, nowOf, type PaymentsDependencies } from '../payments-context.js';
import { guardLedgerAction } from '../payments-guard.js';
import { debtorFor } from '../payouts/paying-account.js';
import { keysOf } from './merchant-keys.js';
import { guardMerchantOfRequest } from './merchant-registry.js';
import { Currency, SettlementLinesSchema, Uuid } from './merchant-schemas.js';
import {
  merchantSettler,
  type SettlementLine,
  settlementFile,
  settlementLines,
} from './merchant-settler.js';
import { auditedRefusals } from './refusal-audit.js';

const Day = Type.String({ format: 'date' });
const LinesSchema = SettlementLinesSchema;
const linesAnswer = (lines: SettlementLine[]) => ({
  settlements: lines.map((line) => ({ ...line, amountMinor: line.amountMinor.toString() })),
});

/** The daily settlement of merchant balances, its payout file, and a merchant's statements. */
export const settlementRoutes: FastifyPluginAsyncTypebox<PaymentsDependencies> = async (
  app,
  deps,
) => {
  const tags = ['merchants'];

  app.post(
    '/payments/merchant-settlements',
    {
      schema: {
        tags,
        summary: "Settle a day's merchant balances to the settlement account (audited)",
        querystring: PurposeQuery,
        body: Type.Object(
          {
            settlementDate: Day,
            currency: Currency,
            debtor: Type.Optional(
              Type.Object(
                {
                  name: Type.String({ minLength: 1, maxLength: 140 }),
                  accountNumber: Type.String({ pattern: '^[0-9]{20}$' }),
                  bankCode: Type.String({ pattern: '^[0-9]{4}$' }),
                },
                {
                  additionalProperties: false,
                  description:
                    "The agency's paying account: omitted, the one stored for the currency (payment.paying_account_set); named, it must be that one; with none stored, this one",
                },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: LinesSchema },
      },
    },
    async (request, reply) => {
      const grant = await guardLedgerAction(deps, contextOf(request), 'merchant.settle', {
        type: 'ledger_account',
        id: null,
      });
      const { settlementDate, currency } = request.body;
      const target = { scope: 'merchant_settlement', key: currency } as const;
      const debtor = await debtorFor(deps.db, target, request.body.debtor);
      const lines = await merchantSettler(deps.db, {
        settlementDate,
        currency,
        debtor: { ...debtor, bankCode: debtor.bankCode ?? debtor.accountNumber.slice(0, 4) },
        // Safe: only operators hold merchant.settle.
        operatorId: (request.actor as OperatorActor).operatorId,
        now: nowOf(deps),
      });
      await grant.record([]);
      return reply.code(201).send(linesAnswer(lines));
    },
  );

  app.get(
    '/payments/merchant-settlements/:settlementDate/:currency/pain.001.xml',
    {
      schema: {
        tags,
        summary:
          "A day's settlement file for the bank, pain.001.001.09 (merchants' accounts: audited)",
        params: Type.Object({ settlementDate: Day, currency: Currency }),
        querystring: PurposeQuery,
        produces: ['application/xml'],
        response: { 200: Type.String() },
      },
    },
    async (request, reply) => {
      const grant = await guardLedgerAction(deps, contextOf(request), 'merchant.settle', {
        type: 'ledger_account',
        id: null,
      });
      const xml = await auditedRefusals(
        deps,
        contextOf(request),
        {
          action: 'merchant.settle',
          resource: { type: 'ledger_account', id: null },
          principal: grant.principal,
        },
        () =>
          settlementFile(deps.db, keysOf(deps).masterKey, {
            ...request.params,
            now: nowOf(deps),
          }),
      );
      await grant.record(['merchant_settlement_account']);
      const { settlementDate, currency } = request.params;
      return reply
        .type('application/xml; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="settlement-${settlementDate}-${currency}.xml"`,
        )
        .send(xml);
    },
  );

  app.get(
    '/payments/merchants/:merchantId/settlements',
    {
      schema: {
        tags,
        summary: "A merchant's settlement statements, newest first (audited)",
        params: Type.Object({ merchantId: Uuid }),
        querystring: PurposeQuery,
        response: { 200: LinesSchema },
      },
    },
    async (request) => {
      const grant = await guardMerchantOfRequest(deps, request, 'merchant.read');
      const lines = await settlementLines(deps.db, { merchantId: request.params.merchantId });
      await grant.record([]);
      return linesAnswer(lines);
    },
  );
};
