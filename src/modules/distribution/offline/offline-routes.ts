import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  CarryOverDisputeDecisionBody,
  CarryOverDisputeDecisionSchema,
  CarryOverDisputeSchema,
  ConflictResolutionSchema,
  OfflineConflictSchema,
  SignedSnapshotSchema,
  SnapshotKeySchema,
  SyncAnswerSchema,
} from '../../../shared/api/distribution-offline.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import type { DistributionDependencies } from '../distribution-context.js';
import { distributionLimits } from '../limits.js';
import { contextOf } from '../routes.js';
import { PointIdParams } from '../schema.js';
import { carryOverDisputeDecider } from './carry-over-dispute-decision.js';
import { carryOverDisputesLister } from './carry-over-disputes.js';
import { offlineConflictResolver } from './conflict-resolution.js';
import { offlineConflictsLister } from './offline-conflicts.js';
import {
  ConflictParams,
  ConflictResolutionBody,
  SnapshotParams,
  SyncBodySchema,
} from './offline-schema.js';
import { offlineSyncKeepingRefusals } from './refused-receipts.js';
import { snapshotBuilder } from './snapshot-builder.js';
import { snapshotKeyFrom } from './snapshot-key.js';

/** Offline work at a point (issue #15, point 5): the signed snapshot, the sync, the conflicts. */
export const offlineRoutes: FastifyPluginAsyncTypebox<DistributionDependencies> = async (
  app,
  deps,
) => {
  const tags = ['distribution'];
  app.get(
    '/distribution/points/:pointId/devices/:deviceId/snapshot',
    {
      schema: {
        tags,
        summary:
          "A registered device's signed snapshot for offline work: trust and revocation lists, cards' hashes → what remains (operator of the point; audited)",
        params: SnapshotParams,
        querystring: PurposeQuery,
        response: { 200: SignedSnapshotSchema },
      },
    },
    async (request, reply) =>
      reply
        .header('cache-control', 'no-store')
        .send(
          await snapshotBuilder(
            deps,
            contextOf(request),
            request.params.pointId,
            request.params.deviceId,
          ),
        ),
  );

  app.post(
    '/distribution/points/:pointId/offline-syncs',
    {
      bodyLimit: distributionLimits.offline.syncBodyBytesMax,
      schema: {
        tags,
        summary:
          "A device's offline receipts, each applied once: counted, conflict or refused; a replay answers the first result (operator of the point; audited)",
        params: PointIdParams,
        querystring: PurposeQuery,
        body: SyncBodySchema,
        response: { 200: SyncAnswerSchema },
      },
    },
    async (request) =>
      offlineSyncKeepingRefusals(deps, contextOf(request), request.params.pointId, request.body),
  );

  app.post(
    '/distribution/points/:pointId/supervised-offline-syncs',
    {
      bodyLimit: distributionLimits.offline.syncBodyBytesMax,
      schema: {
        tags,
        summary:
          "A registered device's offline receipts synced by the supervisor, when its operator can no longer sync (removed from the point): each checked as the operator's sync checks it (supervisor; audited)",
        params: PointIdParams,
        querystring: PurposeQuery,
        body: SyncBodySchema,
        response: { 200: SyncAnswerSchema },
      },
    },
    async (request) =>
      offlineSyncKeepingRefusals(
        deps,
        contextOf(request),
        request.params.pointId,
        request.body,
        'distribution.offline_sync',
      ),
  );

  app.get(
    '/distribution/points/:pointId/offline-conflicts',
    {
      schema: {
        tags,
        summary:
          'Offline receipts kept as conflicts at this point, for review, newest first (audited)',
        params: PointIdParams,
        querystring: PurposeQuery,
        response: { 200: Type.Object({ conflicts: Type.Array(OfflineConflictSchema) }) },
      },
    },
    async (request) => ({
      conflicts: await offlineConflictsLister(deps, contextOf(request), request.params.pointId),
    }),
  );

  app.get(
    '/distribution/points/:pointId/carry-over-disputes',
    {
      schema: {
        tags,
        summary:
          'Late offline receipts synced here whose carry-over had been handed out already from the next entitlement: the overlap, for review, newest first (audited)',
        params: PointIdParams,
        querystring: PurposeQuery,
        response: { 200: Type.Object({ disputes: Type.Array(CarryOverDisputeSchema) }) },
      },
    },
    async (request) => ({
      disputes: await carryOverDisputesLister(deps, contextOf(request), request.params.pointId),
    }),
  );

  app.post(
    '/distribution/points/:pointId/carry-over-disputes/:receiptId/decision',
    {
      schema: {
        tags,
        summary:
          'Decide a carry-over dispute once: written off (nothing asked of the person), or what the person chose to bring back put back on the shelf (supervisor; audited)',
        params: ConflictParams,
        querystring: PurposeQuery,
        body: CarryOverDisputeDecisionBody,
        response: { 200: CarryOverDisputeDecisionSchema },
      },
    },
    async (request) =>
      carryOverDisputeDecider(
        deps,
        contextOf(request),
        request.params.pointId,
        request.params.receiptId,
        request.body,
      ),
  );

  app.post(
    '/distribution/points/:pointId/offline-conflicts/:receiptId/resolution',
    {
      schema: {
        tags,
        summary:
          "Clear an offline conflict: the receipt counted first stands (this one's goods written off if they left), or this later one counts and the earlier redemptions are reversed (supervisor; audited)",
        params: ConflictParams,
        querystring: PurposeQuery,
        body: ConflictResolutionBody,
        response: { 200: ConflictResolutionSchema },
      },
    },
    async (request) =>
      offlineConflictResolver(
        deps,
        contextOf(request),
        request.params.pointId,
        request.params.receiptId,
        request.body,
      ),
  );

  app.get(
    '/distribution/snapshot-key',
    {
      schema: {
        tags,
        summary: 'The Ed25519 public key that signs offline snapshots (public)',
        response: { 200: SnapshotKeySchema },
      },
    },
    async () => {
      const key = snapshotKeyFrom(deps.keys.masterKey);
      return { alg: 'EdDSA' as const, kid: key.kid, publicKey: key.publicKeyHex };
    },
  );
};
