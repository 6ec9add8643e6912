import type { PipelineContext } from './pipeline-context.js';

/** One stage of the pipeline. Adding a stage is adding a provider to PIPELINE_STEPS, not editing a switch. */
export interface PipelineStep {
  /** Key in `timings_ms`. */
  readonly name: string;
  run(ctx: PipelineContext): Promise<void>;
}

/** DI token: the steps in the order they run (see the factory in pipeline.module.ts). */
export const PIPELINE_STEPS = Symbol('PIPELINE_STEPS');
