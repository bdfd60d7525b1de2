import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DeviceSchema } from '../../../shared/api/distribution.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import type { DistributionDependencies } from '../distribution-context.js';
import { contextOf } from '../routes.js';
import { DeviceBody, DeviceParams, DeviceRevokeBody, PointIdParams } from '../schema.js';
import { deviceRegistrar, deviceRevoker, devicesLister } from './device-service.js';

/** A point's offline devices (issue #15, point 5, first part): register, list, revoke. */
export const deviceRoutes: FastifyPluginAsyncTypebox<DistributionDependencies> = async (
  app,
  deps,
) => {
  const tags = ['distribution'];
  const base = '/distribution/points/:pointId/devices';
  app.post(
    base,
    {
      schema: {
        tags,
        summary:
          "Register a device's Ed25519 public key for this point, with its signature as proof (supervisor; audited)",
        params: PointIdParams,
        querystring: PurposeQuery,
        body: DeviceBody,
        response: { 201: DeviceSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await deviceRegistrar(deps, contextOf(request), request.params.pointId, request.body),
        ),
  );

  app.get(
    base,
    {
      schema: {
        tags,
        summary: "The point's devices, revoked ones included (audited)",
        params: PointIdParams,
        querystring: PurposeQuery,
        response: { 200: Type.Object({ devices: Type.Array(DeviceSchema) }) },
      },
    },
    async (request) => ({
      devices: await devicesLister(deps, contextOf(request), request.params.pointId),
    }),
  );

  app.post(
    `${base}/:deviceId/revoke`,
    {
      schema: {
        tags,
        summary:
          'Revoke a device: its offline receipts are refused from now on (supervisor; audited)',
        params: DeviceParams,
        querystring: PurposeQuery,
        body: DeviceRevokeBody,
        response: { 200: DeviceSchema },
      },
    },
    async (request) =>
      deviceRevoker(
        deps,
        contextOf(request),
        request.params.pointId,
        request.params.deviceId,
        request.body,
      ),
  );
};
