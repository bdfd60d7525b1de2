import { limits } from '../../limits.js';

/** Bounds of cards, lists and the verifier: `limits.credentials` in src/limits.ts. */
export const {
  cardFacePhotoBytesMax,
  cardFullNameBytesMax,
  cardValiditySecondsDefault,
  cardValiditySecondsMax,
  cardQrVersionTarget,
  cardRenderDpiDefault,
  cardRenderDpiMax,
  cardQrQuietZoneModules,
  trustListBytesMax,
  trustListKeysMax,
  revocationListBytesMax,
  verifyImageBytesMax,
  verifyImagePixelsMax,
  personCredentialsListedMax,
  cardRowsReadTogetherMax,
} = limits.credentials;
