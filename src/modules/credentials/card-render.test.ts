import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { decodeCredential } from '../../shared/claim169/credential.js';
import { decodePng, findQrText } from './card-image.js';
import { encodeCard } from './card-payload.js';
import {
  cardFontFilesDefault,
  renderCardPdf,
  renderCardPng,
  renderCardSheetPdf,
} from './card-render.js';
import type { CardFace } from './card-svg.js';
import { issuedAtExample, makeHolder, makeSigningKey } from './card-test-kit.js';
import { CredentialsError } from './credentials-error.js';
import { createNodeSigner, nodePrimitives, rawPublicKey } from './node-primitives.js';

const key = makeSigningKey();
const signer = createNodeSigner(key.privateKey);

async function makeFace(overrides: Parameters<typeof makeHolder>[0] = {}): Promise<CardFace> {
  const holder = makeHolder(overrides);
  const card = await encodeCard({ holder, signer, issuedAt: issuedAtExample });
  return { holder, qrText: card.text, expiresAt: card.expiresAt, issuerName: 'Amparo · Venezuela' };
}

describe('renderCardPng', () => {
  it('renders a card whose QR, read back from the PNG pixels, verifies', async () => {
    const face = await makeFace({ fullName: 'María de los Ángeles Hernández Villalobos' });
    const { png, layout } = renderCardPng(face);
    // 85.60 mm × 53.98 mm at 300 dpi.
    expect([layout.widthPx, layout.heightPx]).toEqual([1011, 638]);
    expect(Number.isInteger(layout.qr.modulePx)).toBe(true);
    const image = decodePng(png);
    expect([image.width, image.height]).toEqual([1011, 638]);
    const text = findQrText(image);
    expect(text).toBe(face.qrText);
    const verified = await decodeCredential(text ?? '', {
      primitives: nodePrimitives,
      now: issuedAtExample + 60,
      resolveKeys: () => [{ algorithm: 'EdDSA', publicKey: rawPublicKey(key.publicKey) }],
    });
    expect(verified.claim169.fullName).toBe(face.holder.fullName);
    expect(verified.claim169.id).toBe(face.holder.uin);
  });

  it('draws every QR module as a whole block of pixels with a white quiet zone', async () => {
    const { png, layout } = renderCardPng(await makeFace(), { dpi: 300 });
    const image = decodePng(png);
    const { leftPx, topPx, modulePx, modules } = layout.qr;
    const grey = (x: number, y: number) => image.pixels[(y * image.width + x) * 4] ?? -1;
    for (let row = 0; row < modules; row++) {
      for (let column = 0; column < modules; column++) {
        const x = leftPx + column * modulePx;
        const y = topPx + row * modulePx;
        const first = grey(x, y);
        expect([0, 255]).toContain(first);
        expect(grey(x + modulePx - 1, y + modulePx - 1)).toBe(first);
      }
    }
    for (let offset = 1; offset <= 4 * modulePx; offset++) {
      expect(grey(leftPx - offset, topPx)).toBe(255);
      expect(grey(leftPx, topPx - offset)).toBe(255);
    }
  });

  it('refuses to render with a missing font file instead of dropping the text', async () => {
    const face = await makeFace();
    const missing = ['/nonexistent/DejaVuSans.ttf'];
    expect(() => renderCardPng(face, { fontFiles: missing })).toThrow(CredentialsError);
    expect(cardFontFilesDefault.length).toBeGreaterThan(0);
  });
});

describe('PDF output', () => {
  const pointsPerMm = 72 / 25.4;

  it('makes a one-page PDF of CR80 size', async () => {
    const pdf = await PDFDocument.load(await renderCardPdf(await makeFace()));
    expect(pdf.getPageCount()).toBe(1);
    const { width, height } = pdf.getPage(0).getSize();
    expect(width).toBeCloseTo(85.6 * pointsPerMm, 2);
    expect(height).toBeCloseTo(53.98 * pointsPerMm, 2);
  });

  it('puts 10 cards on each A4 sheet', async () => {
    const face = await makeFace();
    const faces = Array.from({ length: 11 }, () => face);
    const pdf = await PDFDocument.load(await renderCardSheetPdf(faces));
    expect(pdf.getPageCount()).toBe(2);
    for (const page of pdf.getPages()) {
      expect(page.getWidth()).toBeCloseTo(210 * pointsPerMm, 1);
      expect(page.getHeight()).toBeCloseTo(297 * pointsPerMm, 1);
    }
  });
});
