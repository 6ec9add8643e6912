import { fileTypeFromBuffer } from 'file-type';
import { SUPPORTED_MEDIA_TYPES, type SupportedMediaType } from './document.types.js';

function isSupported(mime: string): mime is SupportedMediaType {
  return (SUPPORTED_MEDIA_TYPES as readonly string[]).includes(mime);
}

/**
 * The media type the bytes really are, from their magic bytes; the client's declared type and file name are never
 * trusted. `null` for anything else (including TIFF-based camera raw formats, which file-type names separately).
 * Magic bytes say nothing about the rest of the file: `DocumentInspector` parses it.
 */
export async function sniffMediaType(bytes: Uint8Array): Promise<SupportedMediaType | null> {
  const detected = await fileTypeFromBuffer(bytes);
  return detected && isSupported(detected.mime) ? detected.mime : null;
}
