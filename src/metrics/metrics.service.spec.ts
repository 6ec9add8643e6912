import { describe, expect, it } from '@jest/globals';
import type { Histogram } from 'prom-client';
import type { TaskRegistry } from '../scheduler/task-registry.js';
import type { MetricsRepository } from './metrics.repository.js';
import { MetricsService } from './metrics.service.js';

function service(): MetricsService {
  return new MetricsService({} as MetricsRepository, {} as TaskRegistry);
}

describe(MetricsService.name, () => {
  describe('observeStepDuration', () => {
    it('records milliseconds as seconds per step and ignores nonsense', async () => {
      const sut = service();
      sut.observeStepDuration('ocr', 812);
      sut.observeStepDuration('ocr', 40);
      sut.observeStepDuration('ocr', -1);
      sut.observeStepDuration('ocr', Number.NaN);
      const histogram = sut.registry.getSingleMetric('ix_pipeline_step_duration_seconds') as Histogram;
      const metric = await histogram.get();
      const value = (name: string, le?: number) =>
        metric.values.find(
          (v) => v.metricName === name && v.labels.step === 'ocr' && (le === undefined || v.labels.le === le),
        )?.value;
      expect(value('ix_pipeline_step_duration_seconds_count')).toBe(2);
      expect(value('ix_pipeline_step_duration_seconds_sum')).toBeCloseTo(0.852);
      expect(value('ix_pipeline_step_duration_seconds_bucket', 0.05)).toBe(1);
      expect(value('ix_pipeline_step_duration_seconds_bucket', 1)).toBe(2);
    });
  });

  it('keeps its metrics in its own registry (two apps in one process do not collide)', () => {
    expect(service().registry).not.toBe(service().registry);
  });
});
