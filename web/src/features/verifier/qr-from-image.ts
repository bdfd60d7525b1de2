import jsQR from 'jsqr';

/**
 * Finds the QR code in a photo or scan of a card and returns its text, in the browser: the
 * image is drawn on a canvas (scaled down past `pixelsMax`, which keeps jsQR fast on phone
 * photos) and handed to jsQR.
 *
 * @example
 *   const text = await qrTextFromImage(fileInput.files[0]); // 'NCF…' or undefined
 */
const pixelsMax = 2_000_000;

export async function qrTextFromImage(file: Blob): Promise<string | undefined> {
  const bitmap = await createImageBitmap(file);
  try {
    const scale = Math.min(1, Math.sqrt(pixelsMax / (bitmap.width * bitmap.height)));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (context === null) return undefined;
    context.drawImage(bitmap, 0, 0, width, height);
    const pixels = context.getImageData(0, 0, width, height);
    // Printed cards are dark on light: try that first, then inverted (phone screens in dark mode).
    const found =
      jsQR(pixels.data, width, height, { inversionAttempts: 'dontInvert' }) ??
      jsQR(pixels.data, width, height, { inversionAttempts: 'onlyInvert' });
    return found?.data || undefined;
  } finally {
    bitmap.close();
  }
}
