import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import { PersonCredentialsSchema } from '../../shared/api/credentials.js';
import { PersonIdParams, PurposeQuery } from '../../shared/api/params.js';
import { renderCardPngFast } from './card-raster.js';
import { renderCardPdf } from './card-render.js';
import type { CardFace } from './card-svg.js';
import { type CredentialDependencies, credentialIssuanceDefault } from './credential-issuer.js';
import { cardReader, credentialIssuer, credentialRevoker } from './credential-service.js';
import { holderCardReader, personCardsReader } from './person-cards.js';
import { publishedRevocations, publishedTrustList } from './published-lists.js';
import {
  CredentialIdParams,
  IssueAnswerSchema,
  IssueBody,
  RevocationListQuery,
  RevokeAnswerSchema,
  RevokeBody,
  SignedRevocationListSchema,
  SignedTrustListSchema,
  TrustAnchorSchema,
} from './schema.js';
import { trustAnchorOf, verifierSetupPath } from './trust-anchor.js';

export type CredentialRouteOptions = Omit<CredentialDependencies, 'issuance'> &
  Partial<Pick<CredentialDependencies, 'issuance'>>;

/** Lists are public and change rarely: verifiers and caches may keep them for a while. */
const listCacheControl = 'public, max-age=300';

/**
 * Credentials (Amparo issue 5): issue and reissue a card, print it, revoke it, and the public
 * signed trust and revocation lists offline verifiers download. Thin: each handler calls one
 * service verb, which authorises, writes in one transaction with its audit entry, and is
 * idempotent where a device may retry.
 */
export const credentialRoutes: FastifyPluginAsyncTypebox<CredentialRouteOptions> = async (
  app,
  options,
) => {
  const deps: CredentialDependencies = {
    ...options,
    issuance: options.issuance ?? credentialIssuanceDefault,
  };
  const context = (request: { actor: Actor | null; id: string; query: { purpose?: Purpose } }) => ({
    actor: request.actor,
    purpose: request.query.purpose ?? null,
    requestId: request.id,
  });

  app.post(
    '/persons/:personId/credentials',
    {
      schema: {
        tags: ['credentials'],
        summary: "Issue a card, revoking the person's previous one (idempotent; audited)",
        params: PersonIdParams,
        querystring: PurposeQuery,
        body: IssueBody,
        response: { 201: IssueAnswerSchema },
      },
    },
    async (request, reply) => {
      const result = await credentialIssuer(deps, {
        ...context(request),
        personId: request.params.personId,
        clientId: request.body.clientId,
      });
      return reply.code(201).header('cache-control', 'no-store').send(result.body);
    },
  );

  app.get(
    '/persons/:personId/credentials',
    {
      schema: {
        tags: ['credentials'],
        summary: "A person's cards, newest first: status, dates, key, revocation (audited)",
        params: PersonIdParams,
        querystring: PurposeQuery,
        response: { 200: PersonCredentialsSchema },
      },
    },
    async (request, reply) => {
      const listed = await personCardsReader(deps, {
        ...context(request),
        personId: request.params.personId,
      });
      return reply.header('cache-control', 'no-store').send(listed);
    },
  );

  for (const format of ['png', 'pdf'] as const) {
    app.get(
      `/credentials/:credentialId/card.${format}`,
      {
        schema: {
          tags: ['credentials'],
          summary: `The card as ${format.toUpperCase()}, for printing (audited)`,
          params: CredentialIdParams,
          querystring: PurposeQuery,
        },
      },
      async (request, reply) => {
        const { card, holder } = await cardReader(deps, {
          ...context(request),
          credentialId: request.params.credentialId,
        });
        return sendCard(reply, format, { holder, qrText: card.text, expiresAt: card.expiresAt });
      },
    );

    app.get(
      `/persons/:personId/card.${format}`,
      {
        schema: {
          tags: ['credentials'],
          summary: `The holder's own active card as ${format.toUpperCase()} (purpose self; audited)`,
          params: PersonIdParams,
          querystring: PurposeQuery,
        },
      },
      async (request, reply) => {
        const { card, holder } = await holderCardReader(deps, {
          ...context(request),
          personId: request.params.personId,
        });
        return sendCard(reply, format, { holder, qrText: card.text, expiresAt: card.expiresAt });
      },
    );
  }

  async function sendCard(
    reply: FastifyReply,
    format: 'png' | 'pdf',
    card: Omit<CardFace, 'issuerName'>,
  ) {
    const face: CardFace = { ...card, issuerName: deps.issuance.issuerName };
    const body =
      format === 'png' ? renderCardPngFast(face).png : Buffer.from(await renderCardPdf(face));
    return reply
      .type(format === 'png' ? 'image/png' : 'application/pdf')
      .header('cache-control', 'no-store')
      .send(body);
  }

  app.post(
    '/credentials/:credentialId/revoke',
    {
      schema: {
        tags: ['credentials'],
        summary: 'Revoke a card: it enters the next revocation list (audited)',
        params: CredentialIdParams,
        querystring: PurposeQuery,
        body: RevokeBody,
        response: { 200: RevokeAnswerSchema },
      },
    },
    async (request) =>
      credentialRevoker(deps, {
        ...context(request),
        credentialId: request.params.credentialId,
        reason: request.body.reason,
      }),
  );

  registerListRoutes(app, deps);
};

function registerListRoutes(
  app: Parameters<FastifyPluginAsyncTypebox>[0],
  deps: CredentialDependencies,
): void {
  const listDeps = { ...deps, issuerName: deps.issuance.issuerName };
  const anchor = trustAnchorOf(deps.keys);
  app.get(
    '/credentials/trust-anchor',
    {
      schema: {
        tags: ['credentials'],
        summary:
          'The trust anchor: the public key verifiers pin to check the signed lists (public)',
        response: { 200: TrustAnchorSchema },
      },
    },
    async (_request, reply) =>
      reply.header('cache-control', listCacheControl).send({
        ...anchor,
        trustList: '/api/credentials/trust-list',
        revocationList: '/api/credentials/revocation-list',
        verifierSetup: verifierSetupPath(anchor.anchor),
      }),
  );
  app.get(
    '/credentials/trust-list',
    {
      schema: {
        tags: ['credentials'],
        summary: 'The signed trust list: issuer keys and their issuing periods (public)',
        response: { 200: SignedTrustListSchema },
      },
    },
    async (_request, reply) => {
      const document = await publishedTrustList(listDeps);
      return reply
        .header('cache-control', listCacheControl)
        .header('etag', `"tl-${document.payload.version}"`)
        .send(document);
    },
  );

  app.get(
    '/credentials/revocation-list',
    {
      schema: {
        tags: ['credentials'],
        summary:
          'The signed revocation list, or with ?since=N the signed delta since version N; 204 when N is current (public)',
        querystring: RevocationListQuery,
        response: { 200: SignedRevocationListSchema, 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { since } = request.query;
      const published = await publishedRevocations(listDeps, since);
      reply.header('cache-control', listCacheControl);
      if (published.document === undefined) return reply.code(204).send(null);
      const tag =
        since === undefined ? `rl-${published.version}` : `rl-${since}-${published.version}`;
      return reply.header('etag', `"${tag}"`).send(published.document);
    },
  );
}
