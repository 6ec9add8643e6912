/**
 * One autocannon run with exact latencies: autocannon's own histogram stores whole milliseconds, too coarse for
 * answers that take 0.3 ms, so every response time (float ms, from its 'response' event) is kept here.
 */
import autocannon from 'autocannon';
import { percentile } from './stats.js';

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  requests: autocannon.Request[];
  headers?: Record<string, string>;
}

export interface LoadResult {
  /** 2xx responses per second over the run. */
  rps: number;
  /** Completed responses, by status code. */
  statuses: Record<string, number>;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Latency of 2xx responses, ms. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  durationS: number;
}

export async function loadTest(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    duration: options.durationS,
    timeout: 10,
    headers: options.headers,
    requests: options.requests,
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) {
      ok += 1;
      latencies.push(responseTime);
    }
  });
  const started = performance.now();
  const result = await instance;
  const durationS = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    rps: ok / durationS,
    statuses,
    ok,
    non2xx: Object.entries(statuses)
      .filter(([code]) => !code.startsWith('2'))
      .reduce((s, [, n]) => s + n, 0),
    errors: result.errors,
    timeouts: result.timeouts,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.length > 0 ? latencies[latencies.length - 1] : Number.NaN,
    durationS,
  };
}
