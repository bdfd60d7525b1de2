import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type ProgramAdminOptions, programAdminRoutes } from './admin-routes.js';
import { lazySealedPool } from './eligibility/sealed-pool.js';
import { programLimits } from './limits.js';
import { publicProgramRoutes } from './public-routes.js';
import { rulePreviewRoutes } from './rule-preview-routes.js';

export type ProgramsPluginOptions = ProgramAdminOptions;

/**
 * The programs module's routes, one plugin under the prefix `app.ts` gives it (`/api`): the
 * public ones (published programs, eligibility facts, rule check) and program management
 * for operators (docs/ACCESS.md, "Benefit programs and cycles"), with the preview of a
 * version's rule change as counts by state.
 *
 * @example
 *   await app.register(programsPlugin, { prefix: '/api', db, audit: auditLog });
 */
export const programsPlugin: FastifyPluginAsyncTypebox<ProgramsPluginOptions> = async (
  app,
  options,
) => {
  // Named one by one: the options also carry the prefix, which must not apply twice.
  const { db, audit, onCyclePublished, onCycleClosing, masterKey, resumeGrants } = options;
  // One pool of worker threads decides rules over sealed facts for cycles and previews alike
  // (its threads start at the first such rule): two pools could take twice the cores.
  const sealedPool =
    masterKey === undefined ? undefined : lazySealedPool(masterKey, programLimits.sealedWorkers);
  app.addHook('onClose', async () => {
    await sealedPool?.close();
  });
  await app.register(publicProgramRoutes, { db });
  await app.register(programAdminRoutes, {
    db,
    audit,
    ...(onCyclePublished === undefined ? {} : { onCyclePublished }),
    ...(onCycleClosing === undefined ? {} : { onCycleClosing }),
    ...(masterKey === undefined ? {} : { masterKey }),
    ...(sealedPool === undefined ? {} : { sealedPool }),
    ...(resumeGrants === undefined ? {} : { resumeGrants }),
  });
  await app.register(rulePreviewRoutes, {
    db,
    audit,
    ...(masterKey === undefined ? {} : { masterKey }),
    ...(sealedPool === undefined ? {} : { sealedPool }),
  });
};
