/**
 * What a payment request's QR says, read in the payer's browser before they type their PIN:
 * the merchant, the amount, the reference and until when. The browser does not check the
 * signature (it holds no key); the server does when the person pays, and refuses a forged,
 * expired or already paid request.
 *
 * @example
 *   readPaymentRequest('AMPPAY1.eyJ….sig'); // { merchantName: 'Bodega', amountMinor: '2000', … }
 */
export interface PaymentRequestPreview {
  merchantName: string;
  amountMinor: string;
  currency: string;
  reference: string;
  expiresAt: Date;
  subsidised: boolean;
}

export function readPaymentRequest(text: string): PaymentRequestPreview | undefined {
  const [prefix, body] = text.trim().split('.');
  if (prefix !== 'AMPPAY1' || body === undefined) return undefined;
  try {
    const json = atob(body.replaceAll('-', '+').replaceAll('_', '/'));
    const bytes = Uint8Array.from(json, (character) => character.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    if (typeof payload.n !== 'string' || typeof payload.a !== 'string') return undefined;
    if (typeof payload.c !== 'string' || typeof payload.r !== 'string') return undefined;
    if (typeof payload.e !== 'number') return undefined;
    return {
      merchantName: payload.n,
      amountMinor: payload.a,
      currency: payload.c,
      reference: payload.r,
      expiresAt: new Date(payload.e * 1000),
      subsidised: typeof payload.p === 'string',
    };
  } catch {
    return undefined;
  }
}
