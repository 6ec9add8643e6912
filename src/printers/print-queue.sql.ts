/**
 * The print queue's statements, sent as named prepared statements. Indexes behind them are in the printers
 * migration (print_jobs_claim_idx, print_jobs_printing_uq).
 */

const CLAIMED = `RETURNING pj.id, pj.printer_id, pj.template, pj.data, pj.label, pj.zpl, pj.attempts, pj.max_attempts`;

export const PRINT_SQL = {
  claim: {
    name: 'ix_print_claim',
    // For each printer this worker can drive ($2) that has no label `printing` anywhere in the cluster, its oldest
    // runnable queued label: one label in flight per printer. Claimers take the printer row (FOR NO KEY UPDATE, which
    // leaves inserts referencing it alone) and skip printers another claimer holds, so they rarely meet. They still
    // can: one whose snapshot predates another's commit passes NOT EXISTS once the row lock is free. The unique
    // partial index print_jobs_printing_uq then fails its statement (23505): it claims nothing and tries again.
    text: `WITH free AS (
      SELECT p.id FROM printers p
       WHERE p.id = ANY($2::uuid[])
         AND NOT EXISTS (SELECT 1 FROM print_jobs r WHERE r.printer_id = p.id AND r.status = 'printing')
       FOR NO KEY UPDATE SKIP LOCKED
    ), c AS (
      SELECT q.id FROM free f
      CROSS JOIN LATERAL (
        SELECT j.id FROM print_jobs j
         WHERE j.printer_id = f.id AND j.status = 'queued' AND j.run_after <= now()
         ORDER BY j.seq
         LIMIT 1
         FOR UPDATE SKIP LOCKED) q)
    UPDATE print_jobs pj SET status = 'printing', locked_by = $1, started_at = now(), attempts = pj.attempts + 1
      FROM c WHERE pj.id = c.id
    ${CLAIMED}`,
  },
  printed: {
    name: 'ix_print_printed',
    text: `UPDATE print_jobs SET status = 'printed', printed_at = now(), locked_by = NULL, last_error = NULL
      WHERE id = $2 AND locked_by = $1 AND status = 'printing' RETURNING id`,
  },
  fail: {
    name: 'ix_print_fail',
    // Retryable failures go back to the queue with exponential backoff and jitter while attempts remain:
    // base * 2^(attempts-1), capped, times a random factor in [0.5, 1.5). Others end the label at once.
    text: `UPDATE print_jobs SET
        status = CASE WHEN $3::boolean AND attempts < max_attempts THEN 'queued' ELSE 'failed' END,
        run_after = CASE WHEN $3::boolean AND attempts < max_attempts
          THEN now() + make_interval(secs => least($5::float8 * power(2, attempts - 1), $6::float8)
                                             * (0.5 + random()) / 1000.0)
          ELSE run_after END,
        last_error = $4, locked_by = NULL, started_at = NULL
      WHERE id = $2 AND locked_by = $1 AND status = 'printing'
      RETURNING status, run_after`,
  },
  release: {
    name: 'ix_print_release',
    // Shutdown: labels not sent are handed back without charging an attempt.
    text: `UPDATE print_jobs SET status = 'queued', locked_by = NULL, started_at = NULL, run_after = now(),
        attempts = greatest(attempts - 1, 0)
      WHERE id = ANY($2::text[]) AND locked_by = $1 AND status = 'printing' RETURNING id`,
  },
  sweep: {
    name: 'ix_print_sweep',
    // A worker that died mid-label (kill -9) would block its printer forever: after $1 seconds its label is
    // queued again (or failed when its attempts are spent). Far longer than any driver timeout.
    text: `UPDATE print_jobs SET
        status = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END,
        last_error = 'worker ' || coalesce(locked_by, '?') || ' stopped while printing',
        locked_by = NULL, started_at = NULL, run_after = now()
      WHERE status = 'printing' AND started_at < now() - make_interval(secs => $1::float8)
      RETURNING id`,
  },
} as const;
