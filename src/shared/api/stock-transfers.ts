import { type Static, Type } from 'typebox';
import { MovementSchema } from './distribution.js';

/**
 * Answers of the stock transfer routes (issue #15, point 2; migration 0123): a transfer leaves
 * the sender's stock at once and is in transit, seen by both points, until the receiving point
 * accepts it (with the quantity that arrived and the reason for any shortfall) or refuses it
 * (the goods go back to the sender).
 */

const PointRefSchema = Type.Object({ id: Type.String(), code: Type.String(), name: Type.String() });

export const TransferStateSchema = Type.Union([
  Type.Literal('in_transit'),
  Type.Literal('accepted'),
  Type.Literal('refused'),
  Type.Literal('cancelled'),
]);
export type TransferState = Static<typeof TransferStateSchema>;

export const ShortfallReasonSchema = Type.Union([
  Type.Literal('loss'),
  Type.Literal('damage'),
  Type.Literal('count_correction'),
]);

/** Why the sending point's supervisor cancelled a transfer in transit (migration 0122). */
export const TransferCancelReasonSchema = Type.Union([
  Type.Literal('sent_in_error'),
  Type.Literal('wrong_point'),
  Type.Literal('wrong_quantity'),
  Type.Literal('not_dispatched'),
]);
export type TransferCancelReason = Static<typeof TransferCancelReasonSchema>;

export const TransferSchema = Type.Object({
  id: Type.String(),
  direction: Type.Union([Type.Literal('outgoing'), Type.Literal('incoming')], {
    description: 'Relative to the point in the address: sent by it, or sent to it',
  }),
  fromPoint: PointRefSchema,
  toPoint: PointRefSchema,
  item: Type.String(),
  quantitySent: Type.Integer(),
  sentAt: Type.String({ format: 'date-time' }),
  sentBy: Type.Union([Type.String(), Type.Null()]),
  state: TransferStateSchema,
  quantityReceived: Type.Union([Type.Integer(), Type.Null()]),
  shortfall: Type.Union([Type.Integer(), Type.Null()]),
  shortfallReason: Type.Union([ShortfallReasonSchema, Type.Null()]),
  cancelReason: Type.Union([TransferCancelReasonSchema, Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
});
export type Transfer = Static<typeof TransferSchema>;

/** Units of an item in transit from this point and to it. */
export const InTransitSchema = Type.Object({
  item: Type.String(),
  outgoing: Type.Integer(),
  incoming: Type.Integer(),
});

export const TransferListingSchema = Type.Object({
  transfers: Type.Array(TransferSchema),
  inTransit: Type.Array(InTransitSchema),
});
export type TransferListing = Static<typeof TransferListingSchema>;

/**
 * A transfer sent, accepted, refused or cancelled: the transfer and the balance of the item after
 * it at the point whose stock moved (the sender's for a sending, a refusal or a cancellation, the
 * receiver's for an acceptance).
 */
export const TransferAnswerSchema = Type.Object({
  transfer: TransferSchema,
  movementIds: Type.Array(Type.String()),
  balanceAfter: Type.Integer(),
});
export type TransferAnswer = Static<typeof TransferAnswerSchema>;

/** One page of a point's stock ledger, newest first; `nextBefore` asks for the next page. */
export const MovementPageSchema = Type.Object({
  movements: Type.Array(MovementSchema),
  nextBefore: Type.Union([Type.String(), Type.Null()]),
});
export type MovementPage = Static<typeof MovementPageSchema>;
export type Movement = Static<typeof MovementSchema>;
