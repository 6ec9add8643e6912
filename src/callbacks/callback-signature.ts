import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Ix-Signature';
export const JOB_ID_HEADER = 'X-Ix-Job-Id';
export const DEFAULT_TOLERANCE_S = 300;

export type SignatureCheck =
  { valid: true; timestamp: number } | { valid: false; reason: 'malformed' | 'stale' | 'mismatch' };

export interface VerifyOptions {
  /** How far the signed time may be from now, either way. Default 300 s. */
  toleranceS?: number;
  /** Unix seconds; defaults to the clock. */
  nowS?: number;
}

/**
 * The secret that signs a client's callbacks (`IX_CALLBACK_SECRETS=client:secret,…`): the client's own, else the `*`
 * fallback, else none (the callback goes unsigned). One client's secret never signs another client's callbacks.
 */
export function callbackSecretFor(secrets: ReadonlyMap<string, string>, clientId: string): string | undefined {
  return secrets.get(clientId) ?? secrets.get('*');
}

/**
 * `X-Ix-Signature` for a callback body: `t=<unix>,v1=<hex hmac-sha256(secret, t + "." + body)>`.
 * Signing the time with the body lets a receiver refuse replays of an old delivery.
 */
export function signCallback(secret: string, body: string, nowS: number): string {
  if (!secret) {
    throw new Error('a callback secret must not be empty');
  }
  if (!Number.isSafeInteger(nowS) || nowS < 0) {
    throw new RangeError(`signature time must be whole unix seconds (got ${nowS})`);
  }
  return `t=${nowS},v1=${hmacHex(secret, nowS, body)}`;
}

/**
 * What a receiver runs (and what ix's tests run as one): recompute the HMAC over the raw body and compare
 * in constant time. Several `v1` entries and several secrets are accepted so a secret can be rotated
 * without a window of failures; unknown keys (a future `v2`) are ignored.
 */
export function verifyCallbackSignature(
  header: string | undefined,
  body: string,
  secret: string | readonly string[],
  options: VerifyOptions = {},
): SignatureCheck {
  const parsed = parseSignatureHeader(header);
  if (!parsed) {
    return { valid: false, reason: 'malformed' };
  }
  const toleranceS = options.toleranceS ?? DEFAULT_TOLERANCE_S;
  const nowS = options.nowS ?? Math.floor(Date.now() / 1000);
  if (Math.abs(nowS - parsed.timestamp) > toleranceS) {
    return { valid: false, reason: 'stale' };
  }
  const secrets = (typeof secret === 'string' ? [secret] : secret).filter((s) => s.length > 0);
  for (const s of secrets) {
    const expected = Buffer.from(hmacHex(s, parsed.timestamp, body), 'hex');
    // Constant time per comparison; the parser guarantees the equal lengths timingSafeEqual requires.
    if (parsed.signatures.some((candidate) => timingSafeEqual(candidate, expected))) {
      return { valid: true, timestamp: parsed.timestamp };
    }
  }
  return { valid: false, reason: 'mismatch' };
}

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

function parseSignatureHeader(header: string | undefined): { timestamp: number; signatures: Buffer[] } | undefined {
  if (!header) {
    return undefined;
  }
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      return undefined;
    }
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !/^[0-9]{1,12}$/.test(value)) {
        return undefined;
      }
      timestamp = Number(value);
    } else if (key === 'v1') {
      // 64 hex digits exactly, so every candidate has the HMAC's length (timingSafeEqual requires it).
      if (!/^[0-9a-f]{64}$/i.test(value)) {
        return undefined;
      }
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}
