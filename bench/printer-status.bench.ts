/**
 * `npm run bench:printer`: printer status when the printer cannot be reached, against the configured SNMP timeout.
 *
 * 1. The SNMP probe itself (ix's SnmpPrinterProbe, in this process) against a real SNMP agent on loopback, a UDP
 *    socket that never answers, and a closed UDP port: how long until it answers or gives up.
 * 2. The real service (`dist/src/main.js`, a child process, `IX_ROLE=all` so the scheduler probes every second)
 *    configured with those three printers: `GET /printers/{id}/status` under load (autocannon) while probe rounds
 *    run, and the probe rounds' durations from `GET /admin/tasks/printer-status/runs`.
 *
 * The claim under test (docs: "answers in milliseconds even when the printer is off"): the status API reads the
 * cache only, so an unreachable printer costs its API nothing, and a probe gives up after its timeout.
 *
 * Knobs (env): BENCH_PRINTER_TIMEOUT_MS (500: the printers' `snmp.timeout_ms`; the product default is 2000),
 * BENCH_PRINTER_DURATION_S (5 per printer), BENCH_PRINTER_DEAD_N (5 probes per unreachable kind),
 * BENCH_PRINTER_LIVE_N (200 probes of the live agent).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SnmpPrinterProbe } from '../src/printers/snmp-printer-probe.js';
import { loadTest, type LoadResult } from './lib/load.js';
import { BenchPostgres } from './lib/postgres.js';
import {
  type BenchReport,
  envInt,
  isEntryPoint,
  packageVersion,
  progress,
  runAsScript,
  type SummaryRow,
  table,
} from './lib/report.js';
import { freePort, freeUdpPort } from '../scripts/lib/free-port.js';
import { pollUntil } from '../scripts/lib/wait.js';
import { type ServerProcess, startServer } from './lib/server-process.js';
import { SilentUdpPeer, startPrinterAgent } from './lib/snmp-agents.js';
import { formatMs, formatRate, formatRatio, summarize } from './lib/stats.js';

const TIMEOUT_MS = envInt('BENCH_PRINTER_TIMEOUT_MS', 500);
const DURATION_S = envInt('BENCH_PRINTER_DURATION_S', 5);
const DEAD_N = envInt('BENCH_PRINTER_DEAD_N', 5);
const LIVE_N = envInt('BENCH_PRINTER_LIVE_N', 200);
const CONNECTIONS = 4;
/** PrinterStatusService gives a whole probe (a get and three column walks) this many timeouts. */
const ROUND_DEADLINE_FACTOR = 3;
const COMMUNITY = 'ix-bench';
const ADMIN_KEY = randomBytes(24).toString('hex');

type Kind = 'reachable' | 'silent agent' | 'closed port';
const KINDS: Kind[] = ['reachable', 'silent agent', 'closed port'];

const KIND_TEXT: Record<Kind, string> = {
  reachable: 'a real SNMP v2c agent on 127.0.0.1 (net-snmp) serving hrPrinterTable and prtMarkerSuppliesTable',
  'silent agent': 'a UDP socket on 127.0.0.1 that reads every request and never answers',
  'closed port': 'a UDP port on 127.0.0.1 with nothing bound',
};

interface ProbeSample {
  kind: Kind;
  ms: number[];
  failures: number;
  firstError?: string;
}

async function measureProbe(kind: Kind, port: number, n: number): Promise<ProbeSample> {
  const probe = new SnmpPrinterProbe();
  const sample: ProbeSample = { kind, ms: [], failures: 0 };
  const target = { host: '127.0.0.1', port, community: COMMUNITY, timeoutMs: TIMEOUT_MS };
  for (let i = 0; i < n + (kind === 'reachable' ? 10 : 0); i++) {
    const t = performance.now();
    let failed = false;
    try {
      await probe.probe(target);
    } catch (err) {
      failed = true;
      sample.firstError ??= (err as Error).message;
    }
    const ms = performance.now() - t;
    if (kind === 'reachable' && i < 10) {
      continue; // warm-up
    }
    sample.ms.push(ms);
    sample.failures += failed ? 1 : 0;
  }
  return sample;
}

interface PrinterView {
  id: string;
  name: string;
}

interface StatusView {
  online: boolean;
  state: string;
  captured_at: string | null;
  last_error: string | null;
}

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers });
  if (!res.ok) {
    throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  }
  return (await res.json()) as T;
}

export async function run(): Promise<BenchReport> {
  const started = new Date();
  const t0 = performance.now();
  const root = mkdtempSync(join(tmpdir(), 'ix-bench-printer-'));
  progress(`printer-status benchmark: SNMP timeout ${TIMEOUT_MS} ms, ${DURATION_S} s of GET per printer`);
  const agent = await startPrinterAgent(COMMUNITY);
  const silent = await SilentUdpPeer.start();
  const closedPort = await freeUdpPort();
  const ports: Record<Kind, number> = { reachable: agent.port, 'silent agent': silent.port, 'closed port': closedPort };
  let pg: BenchPostgres | undefined;
  let server: ServerProcess | undefined;
  try {
    // 1. The probe function
    const probes: ProbeSample[] = [];
    for (const kind of KINDS) {
      const s = await measureProbe(kind, ports[kind], kind === 'reachable' ? LIVE_N : DEAD_N);
      probes.push(s);
      const st = summarize(s.ms);
      progress(`probe ${kind}: p50 ${formatMs(st.p50)} ms, max ${formatMs(st.max)} ms, ${s.failures} failed`);
    }
    if (probes[0].failures > 0) {
      throw new Error(`the live SNMP agent did not answer the probe: ${probes[0].firstError}`);
    }

    // 2. The service
    pg = await BenchPostgres.start();
    const printers = await Promise.all(
      KINDS.map(async (kind) => ({
        name: kind.replace(' ', '-'),
        model: 'ZD421',
        driver: 'zpl',
        host: '127.0.0.1',
        // never printed to; distinct so each printer gets its own id
        port: await freePort(),
        snmp: { community: COMMUNITY, port: ports[kind], timeout_ms: TIMEOUT_MS },
      })),
    );
    const port = await freePort();
    server = await startServer({
      name: 'ix-printers',
      script: resolve('dist/src/main.js'),
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: await pg.createDatabase('bench_printer'),
        IX_ROLE: 'all',
        IX_JOB_HANDLER: 'noop',
        IX_DATA_DIR: join(root, 'data'),
        IX_USE_CASES_DIR: resolve('use-cases'),
        IX_PRINTERS: JSON.stringify(printers),
        IX_PRINTER_PROBE_INTERVAL_S: '1',
        IX_ADMIN_KEY: ADMIN_KEY,
        // The per-client rate limit (default 600/min) would answer most of these requests 429.
        IX_RATE_LIMIT_PER_MIN: '0',
        LOG_LEVEL: 'info',
      },
      port,
      readyPath: '/healthz',
      logDir: root,
    });
    const base = server.url;
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const list = await getJson<{ items: PrinterView[] }>(`${base}/printers`, admin);
    const idOf = (kind: Kind) => {
      const p = list.items.find((i) => i.name === kind.replace(' ', '-'));
      if (!p) {
        throw new Error(`printer ${kind} missing from GET /printers: ${JSON.stringify(list)}`);
      }
      return p.id;
    };
    // Wait until every printer has been probed once (the live one online, the others with an error).
    const status = (kind: Kind) => getJson<StatusView>(`${base}/printers/${idOf(kind)}/status`, admin);
    let last: StatusView[] = [];
    const probed = await pollUntil(
      async () => {
        last = await Promise.all(KINDS.map(status));
        return last[0].online && last[1].last_error && last[2].last_error;
      },
      30_000,
      200,
    );
    if (!probed) {
      throw new Error(`printers were not probed within 30 s: ${JSON.stringify(last)}\n${server.tail()}`);
    }
    progress(`ix up at ${base}; every printer probed once`);

    const gets = new Map<Kind, LoadResult>();
    // Warm-up on all three (JIT, pool connections), so the first printer measured is not the slow one.
    const all = KINDS.map((kind) => ({ method: 'GET', path: `/printers/${idOf(kind)}/status` }));
    await loadTest({ url: base, connections: CONNECTIONS, durationS: 3, headers: admin, requests: all });
    for (const kind of KINDS) {
      const requests = [{ method: 'GET', path: `/printers/${idOf(kind)}/status` }];
      const r = await loadTest({
        url: base,
        connections: CONNECTIONS,
        durationS: DURATION_S,
        headers: admin,
        requests,
      });
      gets.set(kind, r);
      progress(
        `GET status, ${kind}: ${formatRate(r.rps)} req/s, p50 ${formatMs(r.p50)} ms, p99 ${formatMs(r.p99)} ms, ` +
          `max ${formatMs(r.max)} ms${r.non2xx + r.errors > 0 ? ` (${r.non2xx} non-2xx, ${r.errors} errors)` : ''}`,
      );
    }
    const finalStatus = await Promise.all(KINDS.map(status));
    const runs = await getJson<{ runs: { duration_ms: number; status: string; started_at: string }[] }>(
      `${base}/admin/tasks/printer-status/runs?limit=1000`,
      admin,
    );
    const roundMs = runs.runs.map((r) => r.duration_ms);
    const round = summarize(roundMs);
    const measuredS = KINDS.length * DURATION_S + 3;
    progress(`probe rounds: ${roundMs.length}, p50 ${formatMs(round.p50)} ms, max ${formatMs(round.max)} ms`);

    // Report
    const get = (k: Kind) => gets.get(k)!;
    const worstDead = (['silent agent', 'closed port'] as Kind[]).reduce((a, b) => (get(a).p99 >= get(b).p99 ? a : b));
    const deadProbeMax = Math.max(summarize(probes[1].ms).max, summarize(probes[2].ms).max);
    const roundDeadline = TIMEOUT_MS * ROUND_DEADLINE_FACTOR;
    const summary: SummaryRow[] = [
      {
        area: 'Printer status',
        measure: '`GET /printers/{id}/status` p99, printer unreachable (ms)',
        ix: formatMs(get(worstDead).p99),
        reference: `SNMP timeout ${TIMEOUT_MS}`,
        ratio: get(worstDead).p99 / TIMEOUT_MS,
        better: 'lower',
        note: `${worstDead} (the worse of two); p50 ${formatMs(get(worstDead).p50)} ms, under ${CONNECTIONS} connections`,
      },
      {
        area: 'Printer status',
        measure: '`GET …/status` p99, unreachable vs reachable printer',
        ix: formatMs(get(worstDead).p99),
        reference: `reachable ${formatMs(get('reachable').p99)}`,
        ratio: get(worstDead).p99 / get('reachable').p99,
        better: 'lower',
        note: 'both read the cache',
      },
      {
        area: 'Printer status',
        measure: 'SNMP probe of an unreachable printer, slowest (ms)',
        ix: formatMs(deadProbeMax),
        reference: `SNMP timeout ${TIMEOUT_MS}`,
        ratio: deadProbeMax / TIMEOUT_MS,
        better: 'lower',
        note: 'gives up at its timeout (retries 0)',
      },
      {
        area: 'Printer status',
        measure: 'probe round with two unreachable printers, slowest (ms)',
        ix: formatMs(round.max),
        reference: `round deadline ${roundDeadline}`,
        ratio: round.max / roundDeadline,
        better: 'lower',
        note: `${roundMs.length} rounds, from \`/admin/tasks/printer-status/runs\``,
      },
    ];

    const probeRows = probes.map((p) => {
      const st = summarize(p.ms);
      return [
        p.kind,
        String(st.n),
        formatMs(st.p50),
        formatMs(st.p99),
        formatMs(st.max),
        formatRatio(st.p99 / TIMEOUT_MS),
        p.failures === 0 ? 'answered' : `${p.failures} timed out`,
      ];
    });
    const getRows = KINDS.map((k, i) => {
      const r = get(k);
      const s = finalStatus[i];
      return [
        k,
        formatRate(r.rps),
        formatMs(r.p50),
        formatMs(r.p99),
        formatMs(r.max),
        formatRatio(r.p99 / TIMEOUT_MS),
        `online=${s.online}, state=${s.state}, last_error ${s.last_error ? `"${s.last_error.slice(0, 60)}…"` : 'null'}`,
        r.non2xx + r.errors > 0 ? `${r.non2xx} non-2xx, ${r.errors} errors` : '—',
      ];
    });
    const detail = [
      `Every printer is configured with \`snmp.timeout_ms\` = ${TIMEOUT_MS} (the product default is 2000; ` +
        `smaller here so the run is short). Peers: ${KINDS.map((k) => `**${k}** — ${KIND_TEXT[k]}`).join('; ')}. ` +
        `The silent socket swallowed ${silent.requests} SNMP requests over the run.`,
      '',
      `**The probe** (SnmpPrinterProbe.probe in the benchmark process: one UDP session, a get and three column walks ` +
        `in parallel, retries 0), one probe at a time:`,
      '',
      table(
        ['printer', 'probes', 'p50 ms', 'p99 ms', 'max ms', 'p99 / timeout', 'outcome'],
        ['l', 'r', 'r', 'r', 'r', 'r', 'l'],
        probeRows,
      ),
      '',
      `**The API** (\`GET /printers/{id}/status\` on \`node dist/src/main.js\`, \`IX_ROLE=all\`, ` +
        `\`IX_PRINTER_PROBE_INTERVAL_S=1\`, so probe rounds ran throughout the ${measuredS} s of requests), ` +
        `${CONNECTIONS} connections, ${DURATION_S} s per printer after 3 s of warm-up on all three:`,
      '',
      table(
        ['printer', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'p99 / timeout', 'status at the end', 'non-2xx / errors'],
        ['l', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
        getRows,
      ),
      '',
      `**Probe rounds** (the scheduler's \`printer-status\` task, all three printers in parallel, each within ` +
        `${ROUND_DEADLINE_FACTOR} × its timeout = ${roundDeadline} ms): ${roundMs.length} rounds, p50 ` +
        `${formatMs(round.p50)} ms, max ${formatMs(round.max)} ms — a round lasts as long as its slowest printer's ` +
        `timeout, and rounds never overlap.`,
      '',
      `net-snmp ${packageVersion('net-snmp')}; PostgreSQL embedded (the status cache is a table).`,
    ].join('\n');

    return {
      id: 'printer',
      title: 'Printer status',
      startedAt: started.toISOString(),
      durationS: (performance.now() - t0) / 1000,
      summary,
      detail,
      versions: { 'net-snmp': packageVersion('net-snmp') },
      skipped: [],
    };
  } finally {
    await server?.stop();
    await pg?.stop();
    await agent.close();
    await silent.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (isEntryPoint(import.meta.url)) {
  runAsScript(run);
}
