import { Type } from 'typebox';
import { Hash, Size, TreeHeadView } from '../../shared/api/audit.js';
import { PurposeQuery } from '../../shared/api/params.js';

import { auditLimits } from './limits.js';

/*
 * Request and response schemas of the audit routes that the console does not read; the ones it
 * reads (tree heads, access history, entries) are in src/shared/api/audit.ts.
 */

export const TreeHeadListQuery = Type.Object(
  {
    from: Type.Optional(Size),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: auditLimits.treeHeadPageSizeMax })),
  },
  { additionalProperties: false },
);

export const TreeHeadList = Type.Object({
  treeHeads: Type.Array(TreeHeadView),
  /** Pass as `from` for the next page; null on the last page. */
  nextFrom: Type.Union([Size, Type.Null()]),
});

export const InclusionProofQuery = Type.Object(
  {
    leafIndex: Size,
    treeSize: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    // Any purpose is accepted here; the policy refuses the wrong ones with 403 (docs/ACCESS.md).
    purpose: PurposeQuery.properties.purpose,
  },
  { additionalProperties: false },
);

export const InclusionProofResponse = Type.Object({
  leafIndex: Size,
  treeSize: Size,
  leafHash: Hash,
  proof: Type.Array(Hash, { description: 'RFC 9162 §2.1.3 audit path, leaf to root' }),
});

export const ConsistencyProofQuery = Type.Object(
  { from: Size, to: Size },
  { additionalProperties: false },
);

export const ConsistencyProofResponse = Type.Object({
  from: Size,
  to: Size,
  proof: Type.Array(Hash, { description: 'RFC 9162 §2.1.4 consistency proof' }),
});

export const SignNowQuery = Type.Object(
  { purpose: PurposeQuery.properties.purpose },
  { additionalProperties: false },
);
