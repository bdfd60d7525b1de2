import { AmparoError } from '../../platform/errors.js';
import type { CardHolder, FacePhotoFormat } from './card-payload.js';
import { cardFacePhotoBytesMax } from './limits.js';

/**
 * The catalogue attributes a card is built from (and the audit entry of an issuance names).
 * Nothing else of the person's file is read into a card (safeguard 7).
 */
export const cardAttributeNames = [
  'given_names',
  'first_surname',
  'second_surname',
  'birth_date',
  'sex',
  'photo',
] as const;

/**
 * A card holder from one person version's attributes (plain and opened sealed ones). The full
 * name is the given names and surnames as recorded; sex F/M becomes female/male. The photo goes
 * on the card only when the stored image is at most 1 KiB: the registry keeps photos up to
 * 256 KiB and Amparo has no image resizer, so a larger photo is left off (the card still shows
 * the silhouette and the QR stays small), rather than cut.
 *
 * @throws AmparoError `AMP_CONFLICT` when the version lacks a name, a sex or a date of birth
 * @example
 * cardHolderFrom('4829175036', { given_names: 'Ana', first_surname: 'Pérez', sex: 'F',
 *   birth_date: '1988-01-02' }); // { uin, fullName: 'Ana Pérez', sex: 'female', … }
 */
export function cardHolderFrom(uin: string, attributes: Record<string, unknown>): CardHolder {
  const names = [attributes.given_names, attributes.first_surname, attributes.second_surname]
    .filter((part): part is string => typeof part === 'string' && part.trim() !== '')
    .map((part) => part.trim());
  const sex = attributes.sex === 'F' ? 'female' : attributes.sex === 'M' ? 'male' : undefined;
  const birthDate = attributes.birth_date;
  if (names.length === 0 || sex === undefined || typeof birthDate !== 'string') {
    throw new AmparoError('AMP_CONFLICT', {
      detail: 'This record lacks a name, a sex or a date of birth: no card can be issued',
    });
  }
  const holder: CardHolder = { uin, fullName: names.join(' '), dateOfBirth: birthDate, sex };
  const photo = cardPhoto(attributes.photo);
  if (photo !== undefined) holder.facePhoto = photo;
  return holder;
}

/** The stored photo (base64) when it fits on a card, with its format read from its bytes. */
function cardPhoto(value: unknown): CardHolder['facePhoto'] {
  if (typeof value !== 'string' || value === '') return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length === 0 || bytes.length > cardFacePhotoBytesMax) return undefined;
  const format = imageFormat(bytes);
  return format === undefined ? undefined : { bytes: new Uint8Array(bytes), format };
}

function imageFormat(bytes: Buffer): FacePhotoFormat | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpeg';
  if (bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return 'png';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF') {
    return bytes.subarray(8, 12).toString('latin1') === 'WEBP' ? 'webp' : undefined;
  }
  return undefined;
}
