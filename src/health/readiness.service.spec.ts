import { describe, expect, it } from '@jest/globals';
import { overallStatus, ReadinessService, toCheckReport } from './readiness.service.js';
import { ReadinessRegistry } from './readiness.registry.js';

describe(ReadinessService.name, () => {
  describe('overallStatus', () => {
    it('is ready when every check is ok or info', () => {
      expect(overallStatus({ a: { status: 'ok', critical: true }, b: { status: 'info', critical: false } })).toBe(
        'ready',
      );
    });

    it('is degraded when only non-critical checks have problems', () => {
      expect(overallStatus({ a: { status: 'ok', critical: true }, b: { status: 'stale', critical: false } })).toBe(
        'degraded',
      );
    });

    it('is not-ready when a critical check fails, whatever the others say', () => {
      expect(overallStatus({ a: { status: 'fail', critical: true }, b: { status: 'ok', critical: false } })).toBe(
        'not-ready',
      );
    });
  });

  describe('toCheckReport', () => {
    it('maps up/degraded/down and lets an indicator name its state', () => {
      const check = { name: 'x', critical: false };
      expect(toCheckReport(check, { x: { status: 'up', latency_ms: 2 } })).toEqual({
        status: 'ok',
        critical: false,
        latency_ms: 2,
      });
      expect(toCheckReport(check, { x: { status: 'degraded' } }).status).toBe('degraded');
      expect(toCheckReport(check, { x: { status: 'down' } }).status).toBe('fail');
      expect(toCheckReport(check, { x: { status: 'down', state: 'stale', detail: 'old' } })).toEqual({
        status: 'stale',
        critical: false,
        detail: 'old',
      });
    });
  });

  describe('evaluate', () => {
    it('turns a throwing check into a failure of that check only', async () => {
      const registry = new ReadinessRegistry();
      registry.register({ name: 'good', critical: true, check: () => Promise.resolve({ good: { status: 'up' } }) });
      registry.register({ name: 'bad', critical: false, check: () => Promise.reject(new Error('boom')) });
      const sut = new ReadinessService(registry);
      await expect(sut.evaluate()).resolves.toEqual({
        status: 'degraded',
        checks: { good: { status: 'ok', critical: true }, bad: { status: 'fail', critical: false, detail: 'boom' } },
      });
    });
  });
});
