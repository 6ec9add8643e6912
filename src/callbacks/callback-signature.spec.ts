import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { callbackSecretFor, signCallback, verifyCallbackSignature } from './callback-signature.js';

const secret = 'whsec_test_secret';
const body = JSON.stringify({ id: '3f9a0c1d2e4b5a6c', status: 'done', note: 'größe ✓' });
const t = 1_795_000_000;

describe('callback signature', () => {
  describe(callbackSecretFor.name, () => {
    it("takes the client's own secret, else the * fallback, else none", () => {
      const secrets = new Map([
        ['acme', 'acme-secret'],
        ['*', 'fallback-secret'],
      ]);
      expect(callbackSecretFor(secrets, 'acme')).toBe('acme-secret');
      expect(callbackSecretFor(secrets, 'globex')).toBe('fallback-secret');
      expect(callbackSecretFor(new Map([['acme', 'acme-secret']]), 'globex')).toBeUndefined();
    });
  });

  describe(signCallback.name, () => {
    it('is t=<unix>,v1=<hex hmac-sha256(secret, t.body)>', () => {
      const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
      expect(signCallback(secret, body, t)).toBe(`t=${t},v1=${expected}`);
    });

    it('refuses an empty secret and a non-integer time', () => {
      expect(() => signCallback('', body, t)).toThrow('must not be empty');
      expect(() => signCallback(secret, body, 1.5)).toThrow(RangeError);
    });
  });

  describe(verifyCallbackSignature.name, () => {
    const header = signCallback(secret, body, t);

    it('accepts the signature of the same body within the tolerance, either way', () => {
      expect(verifyCallbackSignature(header, body, secret, { nowS: t })).toEqual({ valid: true, timestamp: t });
      expect(verifyCallbackSignature(header, body, secret, { nowS: t + 300 }).valid).toBe(true);
      expect(verifyCallbackSignature(header, body, secret, { nowS: t - 300 }).valid).toBe(true);
    });

    it('refuses a tampered body', () => {
      const tampered = body.replace('done', 'error');
      expect(verifyCallbackSignature(header, tampered, secret, { nowS: t })).toEqual({
        valid: false,
        reason: 'mismatch',
      });
      expect(verifyCallbackSignature(header, `${body} `, secret, { nowS: t }).valid).toBe(false);
    });

    it('refuses the wrong secret', () => {
      expect(verifyCallbackSignature(header, body, 'other', { nowS: t })).toEqual({ valid: false, reason: 'mismatch' });
    });

    it('refuses a stale or future timestamp (replay protection)', () => {
      expect(verifyCallbackSignature(header, body, secret, { nowS: t + 301 })).toEqual({
        valid: false,
        reason: 'stale',
      });
      expect(verifyCallbackSignature(header, body, secret, { nowS: t - 301 })).toEqual({
        valid: false,
        reason: 'stale',
      });
      expect(verifyCallbackSignature(header, body, secret, { nowS: t + 3600, toleranceS: 3600 }).valid).toBe(true);
    });

    it('refuses a timestamp moved forward to pass the tolerance (it is signed)', () => {
      const replayed = header.replace(`t=${t}`, `t=${t + 1000}`);
      expect(verifyCallbackSignature(replayed, body, secret, { nowS: t + 1000 })).toEqual({
        valid: false,
        reason: 'mismatch',
      });
    });

    it('accepts any of several secrets and any of several v1 entries (rotation)', () => {
      const newHeader = signCallback('new-secret', body, t);
      const both = `${header},${newHeader.split(',')[1]}`;
      expect(verifyCallbackSignature(newHeader, body, [secret, 'new-secret'], { nowS: t }).valid).toBe(true);
      expect(verifyCallbackSignature(both, body, 'new-secret', { nowS: t }).valid).toBe(true);
      expect(verifyCallbackSignature(`${header},v2=abc`, body, secret, { nowS: t }).valid).toBe(true);
    });

    it.each([
      undefined,
      '',
      'garbage',
      `v1=${'a'.repeat(64)}`,
      `t=${t}`,
      `t=${t},v1=abc`,
      `t=${t},v1=${'z'.repeat(64)}`,
      `t=-5,v1=${'a'.repeat(64)}`,
      `t=${t},t=${t},v1=${'a'.repeat(64)}`,
      `t=${t},v1`,
    ])('calls %j malformed', (value) => {
      expect(verifyCallbackSignature(value, body, secret, { nowS: t })).toEqual({ valid: false, reason: 'malformed' });
    });
  });
});
