import { Type } from 'typebox';
import {
  AssistedMethodSchema,
  AssistedReasonSchema,
  PointKindSchema,
  PointStatusSchema,
} from '../../shared/api/distribution.js';
import { PurposeQuery } from '../../shared/api/params.js';
import {
  ShortfallReasonSchema,
  TransferCancelReasonSchema,
} from '../../shared/api/stock-transfers.js';
import { distributionLimits } from './limits.js';

/** TypeBox schemas of the distribution routes' inputs; answers are in src/shared/api. */

const ClientId = Type.String({ format: 'uuid', description: 'Client-generated id of this write' });
const Item = Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'Basket item name' });
const Quantity = Type.Integer({ minimum: 1, maximum: distributionLimits.movementQuantityMax });
const Note = Type.String({ maxLength: distributionLimits.noteLengthMax });
const Uuid = Type.String({ format: 'uuid' });

export const PointIdParams = Type.Object({ pointId: Type.String({ format: 'uuid' }) });

export const NewPointBody = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{1,39}$' }),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    kind: PointKindSchema,
    regionCode: Type.String({ pattern: '^VE-[A-Z]$' }),
    municipalityCode: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
  },
  { additionalProperties: false },
);

const Ids = Type.Array(Uuid, { maxItems: distributionLimits.pointOperatorsMax });

export const PointChangeBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
    status: Type.Optional(PointStatusSchema),
    addPrograms: Type.Optional(Ids),
    removePrograms: Type.Optional(Ids),
    addOperators: Type.Optional(Ids),
    removeOperators: Type.Optional(Ids),
    /** Operators named by the name they sign in with (the console's form): each must exist. */
    addOperatorUsernames: Type.Optional(
      Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{2,63}$' }), {
        maxItems: distributionLimits.pointOperatorsMax,
      }),
    ),
  },
  { additionalProperties: false },
);

export const PointsQuery = Type.Object(
  {
    purpose: PurposeQuery.properties.purpose,
    regionCode: Type.Optional(Type.String({ pattern: '^VE-[A-Z]$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: distributionLimits.listPageSizeMax })),
  },
  { additionalProperties: false },
);

export const MovementsQuery = Type.Object(
  {
    purpose: PurposeQuery.properties.purpose,
    item: Type.Optional(Item),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: distributionLimits.listPageSizeMax })),
    before: Type.Optional(
      Type.String({ format: 'uuid', description: "The previous page's nextBefore" }),
    ),
  },
  { additionalProperties: false },
);

export const DeliveryBody = Type.Object(
  { clientId: ClientId, item: Item, quantity: Quantity, note: Type.Optional(Note) },
  { additionalProperties: false },
);

export const TransferBody = Type.Object(
  { clientId: ClientId, toPointId: Uuid, item: Item, quantity: Quantity },
  { additionalProperties: false },
);

export const TransferParams = Type.Object({
  pointId: Type.String({ format: 'uuid' }),
  transferId: Type.String({ format: 'uuid' }),
});

export const TransfersQuery = Type.Object(
  {
    purpose: PurposeQuery.properties.purpose,
    state: Type.Optional(
      Type.Union([
        Type.Literal('in_transit'),
        Type.Literal('accepted'),
        Type.Literal('refused'),
        Type.Literal('cancelled'),
      ]),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: distributionLimits.listPageSizeMax })),
  },
  { additionalProperties: false },
);

export const TransferAcceptBody = Type.Object(
  {
    clientId: ClientId,
    quantityReceived: Type.Integer({ minimum: 0, maximum: distributionLimits.movementQuantityMax }),
    // Optional in the schema so that a shortfall without its reason reaches the service, which
    // refuses it with its own code and audits the attempt.
    shortfallReason: Type.Optional(ShortfallReasonSchema),
    note: Type.Optional(Note),
  },
  { additionalProperties: false },
);

export const TransferRefuseBody = Type.Object(
  { clientId: ClientId, note: Type.Optional(Note) },
  { additionalProperties: false },
);

/** The sender's supervisor cancels a transfer in transit: the reason is required. */
export const TransferCancelBody = Type.Object(
  { clientId: ClientId, reason: TransferCancelReasonSchema, note: Type.Optional(Note) },
  { additionalProperties: false },
);

/** A physical count: what was found on the shelf (zero included). */
export const StockCountBody = Type.Object(
  {
    clientId: ClientId,
    item: Item,
    countedQuantity: Type.Integer({ minimum: 0, maximum: distributionLimits.movementQuantityMax }),
  },
  { additionalProperties: false },
);

export const AdjustmentBody = Type.Object(
  {
    clientId: ClientId,
    item: Item,
    quantityDelta: Type.Integer({
      minimum: -distributionLimits.movementQuantityMax,
      maximum: distributionLimits.movementQuantityMax,
    }),
    // Optional in the schema so that an adjustment without its reason reaches the service,
    // which refuses it with its own code and audits the attempt.
    reason: Type.Optional(
      Type.Union([Type.Literal('loss'), Type.Literal('damage'), Type.Literal('count_correction')]),
    ),
    note: Type.Optional(Note),
    overrideNegative: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** A card's QR text: far above a card's (a 1 KiB photo makes about 1,600 characters). */
export const qrTextLengthMax = 4096;

const QrText = Type.String({
  minLength: 1,
  maxLength: qrTextLengthMax,
  description: "The card's QR text",
});

export const LookupBody = Type.Object({ qrText: QrText }, { additionalProperties: false });

export const RedemptionLines = Type.Array(
  Type.Object({ item: Item, quantity: Quantity }, { additionalProperties: false }),
  { minItems: 1, maxItems: distributionLimits.redemptionLinesMax },
);

export const RedemptionBody = Type.Object(
  { clientId: ClientId, qrText: QrText, entitlementId: Uuid, lines: RedemptionLines },
  { additionalProperties: false },
);

export const AssistedIdParams = Type.Object({
  pointId: Type.String({ format: 'uuid' }),
  assistedId: Type.String({ format: 'uuid' }),
});

export const AssistedStartBody = Type.Object(
  {
    uin: Type.String({ pattern: '^[0-9]{10}$', description: "The person's ID number" }),
    reason: AssistedReasonSchema,
    method: AssistedMethodSchema,
  },
  { additionalProperties: false },
);

export const AssistedCheckBody = Type.Object(
  {
    code: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
    attestation: Type.Optional(Type.Boolean()),
    householdQrText: Type.Optional(QrText),
  },
  { additionalProperties: false },
);

export const AssistedRedemptionBody = Type.Object(
  { clientId: ClientId, entitlementId: Uuid, lines: RedemptionLines },
  { additionalProperties: false },
);

export const AssistedListQuery = Type.Object(
  {
    purpose: PurposeQuery.properties.purpose,
    day: Type.Optional(Type.String({ format: 'date' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: distributionLimits.listPageSizeMax })),
  },
  { additionalProperties: false },
);

export const CycleAtPointParams = Type.Object({
  pointId: Type.String({ format: 'uuid' }),
  cycleId: Type.String({ format: 'uuid' }),
});

export const SignOffBody = Type.Object(
  { note: Type.Optional(Note) },
  { additionalProperties: false },
);

const Base64url = (bytes: number) =>
  Type.String({ pattern: `^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$` });

export const DeviceBody = Type.Object(
  {
    publicKey: Base64url(32),
    proof: Base64url(64),
    label: Type.String({ minLength: 1, maxLength: 80 }),
    /** The offline allowance per snapshot; absent: the default (which is also the most). */
    receiptsMax: Type.Optional(
      Type.Integer({ minimum: 1, maximum: distributionLimits.offline.receiptsPerSnapshotMax }),
    ),
    unitsMax: Type.Optional(
      Type.Integer({ minimum: 1, maximum: distributionLimits.offline.unitsPerSnapshotMax }),
    ),
  },
  { additionalProperties: false },
);

export const DeviceParams = Type.Object({
  pointId: Type.String({ format: 'uuid' }),
  deviceId: Type.String({ format: 'uuid' }),
});

export const DeviceRevokeBody = Type.Object(
  {
    reason: Type.Union([
      Type.Literal('lost'),
      Type.Literal('stolen'),
      Type.Literal('retired'),
      Type.Literal('compromised'),
    ]),
  },
  { additionalProperties: false },
);
