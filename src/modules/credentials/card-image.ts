import { Resvg } from '@resvg/resvg-js';
import jsQR from 'jsqr';
import { CredentialsError } from './credentials-error.js';
import { verifyImageBytesMax, verifyImagePixelsMax } from './limits.js';

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Raw RGBA pixels of an image. */
export interface RgbaImage {
  pixels: Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * Decodes a PNG into RGBA pixels, after refusing, from the header alone, a file above 10 MiB
 * or an image above 40 megapixels (a small PNG can declare a huge canvas). Only PNG is read:
 * JPEG would need a decoder the project does not have a way to test without a JPEG encoder.
 *
 * @throws CredentialsError `AMP_VERIFY_IMAGE_REFUSED`
 * @example
 * const image = decodePng(readFileSync('card.png'));
 */
export function decodePng(bytes: Uint8Array): RgbaImage {
  if (bytes.length > verifyImageBytesMax) {
    throw refused(`the image is ${bytes.length} bytes; at most ${verifyImageBytesMax} are read`);
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const isPng =
    buffer.length >= 33 &&
    buffer.subarray(0, 8).equals(pngSignature) &&
    buffer.toString('latin1', 12, 16) === 'IHDR';
  if (!isPng) throw refused('the image is not a PNG file');
  const width = buffer.readUInt32BE(16);
  const height = buffer.readUInt32BE(20);
  if (width === 0 || height === 0 || width * height > verifyImagePixelsMax) {
    throw refused(
      `the image is ${width} × ${height} pixels; at most ${verifyImagePixelsMax} are read`,
    );
  }
  // resvg decodes the PNG as an SVG image at its natural size, so no PNG decoder is needed.
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><image width="${width}" height="${height}" href="data:image/png;base64,${buffer.toString('base64')}"/></svg>`;
  let rendered: ReturnType<Resvg['render']>;
  try {
    rendered = new Resvg(svg, { background: '#ffffff', font: { loadSystemFonts: false } }).render();
  } catch (error) {
    throw new CredentialsError('AMP_VERIFY_IMAGE_REFUSED', 'The PNG cannot be decoded.', {
      cause: error,
    });
  }
  const pixels = new Uint8ClampedArray(
    rendered.pixels.buffer,
    rendered.pixels.byteOffset,
    rendered.pixels.length,
  );
  return { pixels, width: rendered.width, height: rendered.height };
}

/**
 * The text of the QR code in an image, or undefined when none is found.
 *
 * @example
 * findQrText(decodePng(readFileSync('card.png'))); // 'NCF…'
 */
export function findQrText(image: RgbaImage): string | undefined {
  const found = jsQR.default(image.pixels, image.width, image.height);
  return found === null ? undefined : found.data;
}

function refused(detail: string): CredentialsError {
  return new CredentialsError('AMP_VERIFY_IMAGE_REFUSED', `Image refused: ${detail}.`);
}
