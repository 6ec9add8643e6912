import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import type { PrinterStatusRow } from './printer.model.js';
import { PrinterRegistry } from './printer-registry.js';
import type { PrinterDefinition } from './printers.config.js';
import { PrintersRepository } from './printers.repository.js';
import { STATUS_STALE_AFTER_S } from './printers.service.js';

/** Past this, a printer's last good probe is no longer `stale` but a failure. */
export const STATUS_FAIL_AFTER_S = 600;
const QUERY_TIMEOUT_MS = 2_000;

export type PrinterVerdict = 'ok' | 'stale' | 'fail';

export interface PrintersReadiness {
  verdict: PrinterVerdict;
  detail: string;
}

function verdictOf(row: PrinterStatusRow | undefined): { verdict: PrinterVerdict; age: string } {
  const age = row?.capturedAt ? (row.captureAgeS ?? Infinity) : Infinity;
  const described = Number.isFinite(age) ? `last probed ${Math.floor(age)} s ago` : 'never answered a probe';
  if (age < STATUS_STALE_AFTER_S) {
    return { verdict: 'ok', age: described };
  }
  return { verdict: age < STATUS_FAIL_AFTER_S ? 'stale' : 'fail', age: described };
}

/**
 * Pure: the worst printer decides. Only printers with SNMP settings are judged (the others cannot be probed);
 * the detail names each of them.
 */
export function judgePrinters(
  printers: readonly PrinterDefinition[],
  rows: readonly PrinterStatusRow[],
): PrintersReadiness {
  const probed = printers.filter((p) => p.snmp !== null);
  if (probed.length === 0) {
    return { verdict: 'ok', detail: 'no printer with SNMP settings to judge' };
  }
  const byId = new Map(rows.map((r) => [r.printerId, r]));
  const rank: Record<PrinterVerdict, number> = { ok: 0, stale: 1, fail: 2 };
  let verdict: PrinterVerdict = 'ok';
  const parts = probed.map((printer) => {
    const row = byId.get(printer.id);
    const judged = verdictOf(row);
    if (rank[judged.verdict] > rank[verdict]) {
      verdict = judged.verdict;
    }
    const error = judged.verdict !== 'ok' && row?.lastError ? ` (${row.lastError})` : '';
    return `${printer.name} ${judged.age}${error}`;
  });
  return { verdict, detail: parts.join('; ') };
}

/**
 * Readiness `printers` (non-critical), from the status cache: ok when every active SNMP printer answered a probe in
 * the last 90 s, `stale` under 600 s, else fail.
 */
@Injectable()
export class PrintersHealth implements OnModuleInit {
  constructor(
    private readonly registry: PrinterRegistry,
    private readonly repository: PrintersRepository,
    private readonly health: HealthIndicatorService,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register({ name: 'printers', critical: false, check: () => this.check() });
  }

  async check() {
    const indicator = this.health.check('printers');
    const printers = this.registry.all();
    const ids = printers.filter((p) => p.snmp !== null).map((p) => p.id);
    let rows: PrinterStatusRow[] = [];
    if (ids.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      try {
        rows = await Promise.race([
          this.repository.statuses(ids),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`status cache did not answer within ${QUERY_TIMEOUT_MS} ms`)),
              QUERY_TIMEOUT_MS,
            );
          }),
        ]);
      } catch (err) {
        return indicator.down({ detail: (err as Error).message });
      } finally {
        clearTimeout(timer);
      }
    }
    const { verdict, detail } = judgePrinters(printers, rows);
    switch (verdict) {
      case 'ok':
        return indicator.up({ detail });
      case 'stale':
        return indicator.down({ state: 'stale', detail });
      case 'fail':
        return indicator.down({ detail });
    }
  }
}
