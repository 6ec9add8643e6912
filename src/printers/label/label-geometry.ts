import { LabelDataError } from './label-data.error.js';
import type { LabelSize } from './label-layout.types.js';

export const MIN_LABEL_MM = 15;
export const MAX_LABEL_MM = 300;

export function mmToDots(mm: number, dpi: number): number {
  return Math.round((mm * dpi) / 25.4);
}

/** The label in dots, or a RangeError: a bad size is a configuration mistake, not the client's. */
export function labelDots(size: LabelSize): { width: number; height: number } {
  if (![203, 300, 600].includes(size.dpi)) {
    throw new RangeError(`label dpi must be 203, 300 or 600 (got ${size.dpi})`);
  }
  for (const [name, mm] of [
    ['widthMm', size.widthMm],
    ['heightMm', size.heightMm],
  ] as const) {
    if (!Number.isFinite(mm) || mm < MIN_LABEL_MM || mm > MAX_LABEL_MM) {
      throw new RangeError(`label ${name} must be between ${MIN_LABEL_MM} and ${MAX_LABEL_MM} (got ${mm})`);
    }
  }
  return { width: mmToDots(size.widthMm, size.dpi), height: mmToDots(size.heightMm, size.dpi) };
}

/** QR byte-mode capacity at error correction M for versions 1 to 10 (ISO/IEC 18004 table 7). */
const QR_BYTE_CAPACITY_M = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213];
export const QR_MAX_BYTES = QR_BYTE_CAPACITY_M[QR_BYTE_CAPACITY_M.length - 1];

/**
 * Side in modules of the QR code for this data, assuming byte mode: the printer and the preview may pick a denser
 * mode and a smaller symbol, never a larger one, so the space reserved is always enough.
 */
export function qrModules(data: string, field: string): number {
  const bytes = Buffer.byteLength(data, 'utf8');
  const version = QR_BYTE_CAPACITY_M.findIndex((capacity) => bytes <= capacity) + 1;
  if (version === 0) {
    throw new LabelDataError(
      `${field} must be at most ${QR_MAX_BYTES} bytes for a label QR code (got ${bytes})`,
      field,
    );
  }
  return 17 + 4 * version;
}

/**
 * Width in modules of a Code 128 symbol in subset B (11 per character plus start, check and the 13-module stop):
 * the widest encoding, so the space reserved is always enough.
 */
export function code128Modules(data: string): number {
  return 11 * (Array.from(data).length + 2) + 13;
}
