import { createHash } from 'node:crypto';

/**
 * The namespace of every ix printer id. Fixed forever: changing it would give every configured printer a new id,
 * orphaning its status rows and print jobs.
 */
export const IX_PRINTER_NAMESPACE = 'ff5b579c-6d99-4470-89e7-14300b405e02';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Name-based UUID, version 5 (SHA-1), as RFC 4122 section 4.3 defines it. */
export function uuidV5(name: string, namespace: string): string {
  if (!UUID.test(namespace)) {
    throw new TypeError(`namespace must be a UUID (got "${namespace}")`);
  }
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of a configured printer: the same model, host and port give the same id on every replica and after every
 * restart, so rows can be upserted at boot without coordination. Host and model are taken as configured (not
 * normalised): `Printer.local` and `printer.local` are two ids.
 */
export function printerId(model: string, host: string, port: number): string {
  return uuidV5(`${model}|${host}|${port}`, IX_PRINTER_NAMESPACE);
}
