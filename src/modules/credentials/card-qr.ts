import QRCode from 'qrcode';

/** A QR symbol: its version and its modules, row by row (true = dark). */
export interface CardQr {
  version: number;
  /** Modules per side, without the quiet zone. */
  size: number;
  isDark(row: number, column: number): boolean;
}

/**
 * The QR symbol of a card's credential text: error-correction level Q (a card survives
 * scratches and a punched hole better than at M) and one alphanumeric segment, the mode base45
 * was designed for. The smallest version that fits is chosen.
 *
 * @example
 * cardQr(card.text).version; // 12 for a typical card (11 for a name of up to 22 bytes)
 */
export function cardQr(text: string): CardQr {
  const symbol = QRCode.create([{ data: text, mode: 'alphanumeric' }], {
    errorCorrectionLevel: 'Q',
  });
  const { size, data } = symbol.modules;
  return {
    version: symbol.version,
    size,
    isDark: (row, column) => data[row * size + column] === 1,
  };
}
