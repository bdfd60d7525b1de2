import { describe, expect, it } from 'vitest';
import { decodePng, findQrText } from './card-image.js';
import { encodeCard } from './card-payload.js';
import { renderCardPngFast } from './card-raster.js';
import { renderCardPng } from './card-render.js';
import { issuedAtExample, makeHolder, makeSigningKey } from './card-test-kit.js';
import { createNodeSigner } from './node-primitives.js';

describe('renderCardPngFast', () => {
  const signer = createNodeSigner(makeSigningKey().privateKey);

  async function faceFor(fullName: string) {
    const holder = makeHolder({ fullName });
    const card = await encodeCard({ holder, signer, issuedAt: issuedAtExample });
    return { holder, qrText: card.text, expiresAt: card.expiresAt, issuerName: 'Amparo' };
  }

  it('draws a QR that jsQR reads back from the pixels', async () => {
    const face = await faceFor('Ñandú Ölçer Ångström Pérez');
    const image = decodePng(renderCardPngFast(face).png);
    expect(image.width).toBe(1011);
    expect(findQrText(image)).toBe(face.qrText);
  });

  it('looks like the resvg rendering: under 1% of pixels differ visibly', async () => {
    for (const name of ['María Fernanda Rodríguez Pérez', 'Li Wu']) {
      const face = await faceFor(name);
      const fast = decodePng(renderCardPngFast(face).png).pixels;
      const reference = decodePng(renderCardPng(face).png).pixels;
      let differing = 0;
      for (let i = 0; i < fast.length; i += 4) {
        const difference = Math.max(
          ...[0, 1, 2].map((c) => Math.abs((fast[i + c] ?? 0) - (reference[i + c] ?? 0))),
        );
        if (difference > 64) differing++;
      }
      expect(differing / (fast.length / 4)).toBeLessThan(0.01);
    }
  });

  it('prints the holder, not a cached previous holder', async () => {
    const first = renderCardPngFast(await faceFor('Ana Pérez')).png;
    const second = renderCardPngFast(await faceFor('Ana Pérez')).png;
    // Different UINs and QR codes: the pixel data must differ.
    expect(first.equals(second)).toBe(false);
  });
});
