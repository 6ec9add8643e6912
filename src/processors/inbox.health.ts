import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config.js';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import type { PendingFile } from './file-processor.js';
import { InboxProcessor } from './inbox.processor.js';

export type InboxVerdict =
  | { state: 'ok'; pending: number }
  | { state: 'info' | 'warning'; pending: number; overdue: number; oldest: PendingFile; detail: string };

/**
 * FIFO semantics over the unprocessed files (oldest first): one old file at the head is a stuck file (an
 * operator should look: `info`, never degrades); newer files also waiting past the grace mean the inbox is not
 * moving (`warning`, degrades).
 */
export function evaluateInbox(pending: PendingFile[], graceS: number): InboxVerdict {
  const overdue = pending.filter((f) => f.ageS > graceS);
  const oldest = overdue[0];
  if (!oldest) {
    return { state: 'ok', pending: pending.length };
  }
  const age = Math.round(oldest.ageS);
  if (overdue.length === 1) {
    return {
      state: 'info',
      pending: pending.length,
      overdue: 1,
      oldest,
      detail: `oldest unprocessed file ${oldest.path} has waited ${age} s (grace ${graceS} s)`,
    };
  }
  return {
    state: 'warning',
    pending: pending.length,
    overdue: overdue.length,
    oldest,
    detail: `${overdue.length} unprocessed files have waited over ${graceS} s; oldest ${oldest.path} (${age} s)`,
  };
}

/** Readiness check `inbox` (non-critical): see `evaluateInbox`; grace IX_INBOX_STUCK_GRACE_S. */
@Injectable()
export class InboxHealth implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly inbox: InboxProcessor,
    private readonly health: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register({ name: 'inbox', critical: false, check: () => this.check() });
  }

  async check() {
    const indicator = this.health.check('inbox');
    const verdict = evaluateInbox(await this.inbox.pendingFiles(), this.config.scheduler.inboxStuckGraceS);
    if (verdict.state === 'ok') {
      return indicator.up({ pending: verdict.pending });
    }
    const details = {
      state: verdict.state,
      detail: verdict.detail,
      pending: verdict.pending,
      overdue: verdict.overdue,
      path: verdict.oldest.path,
      age_s: Math.round(verdict.oldest.ageS),
    };
    return verdict.state === 'info' ? indicator.up(details) : indicator.down(details);
  }
}
