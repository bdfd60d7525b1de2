import { Type } from 'typebox';
import { MeResponse } from '../../shared/api/access.js';
import { accessLimits } from './limits.js';

/** Request and response schemas of the authentication routes (the response is the presenter). */
export const SignInBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    // Generous: the policy counts code points after NFKC; this only bounds the request.
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    totp: Type.String({ minLength: 1, maxLength: 16 }),
  },
  { additionalProperties: false },
);

export const OperatorProfile = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(Type.String()),
  regions: Type.Array(Type.String()),
});

/** `GET /api/auth/session`: the same identity as `/me`, or null for a visitor. */
export const SessionResponse = Type.Object({ me: Type.Union([MeResponse, Type.Null()]) });

export const PasswordChangeBody = Type.Object(
  {
    current: Type.String({ minLength: 1, maxLength: 1024 }),
    next: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export const DeviceTokenBody = Type.Object(
  {
    label: Type.String({ minLength: 1, maxLength: 80 }),
    expiresInDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: accessLimits.session.deviceDaysMax }),
    ),
  },
  { additionalProperties: false },
);

export const DeviceTokenCreated = Type.Object({
  id: Type.String({ format: 'uuid' }),
  label: Type.String(),
  /** Shown once; only its SHA-256 is kept. */
  token: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});

export const DeviceTokenSummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  label: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const DeviceTokenList = Type.Object({ tokens: Type.Array(DeviceTokenSummary) });

export const TokenIdParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

export const Done = Type.Object({ ok: Type.Literal(true) });

const uin = Type.String({ pattern: '^[0-9]{10}$' });

export const CitizenStartBody = Type.Object({ uin }, { additionalProperties: false });

export const CitizenStartResponse = Type.Object({
  status: Type.Literal('accepted'),
  message: Type.String(),
});

export const CitizenVerifyBody = Type.Object(
  { uin, code: Type.String({ minLength: 1, maxLength: 16 }) },
  { additionalProperties: false },
);

export const CitizenSignedIn = Type.Object({
  kind: Type.Literal('citizen'),
  expiresAt: Type.String({ format: 'date-time' }),
});

export const CitizenCodeBody = Type.Object(
  { personId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

export const CitizenCodeIssued = Type.Object({
  /** Printed on the slip and shown once; only an HMAC of it is kept. */
  code: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});

/** A staff member enrols: both code halves, their own password and their own TOTP secret. */
export const EnrolBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    firstCode: Type.String({ minLength: 1, maxLength: 64 }),
    secondCode: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    /** Base32 (RFC 4648), made by the person's device; 160 bits. */
    totpSecret: Type.String({ pattern: '^[A-Za-z2-7]{32}$' }),
    totp: Type.String({ minLength: 1, maxLength: 16 }),
  },
  { additionalProperties: false },
);
