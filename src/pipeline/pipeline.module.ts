import { Injectable, Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module.js';
import { DocumentsModule } from '../documents/documents.module.js';
import { UseCasesModule } from '../use-cases/use-cases.module.js';
import { PipelineRunner, StepTimingSink } from './pipeline-runner.js';
import { PIPELINE_STEPS } from './pipeline-step.js';
import { PipelineRepository } from './pipeline.repository.js';
import { GenAiStep } from './steps/genai.step.js';
import { OcrStep } from './steps/ocr.step.js';
import { RedactStep } from './steps/redact.step.js';
import { ReliabilityStep } from './steps/reliability.step.js';
import { ResponseHandlerStep } from './steps/response-handler.step.js';
import { SetupStep } from './steps/setup.step.js';

/** Until a metrics module provides step timings a place to go, they are dropped here. */
@Injectable()
class NoStepTimings extends StepTimingSink {
  observeStepDuration(): void {}
}

const STEPS = [SetupStep, OcrStep, RedactStep, GenAiStep, ReliabilityStep, ResponseHandlerStep];

/** The extraction pipeline; exports `PipelineRunner`, the JobHandler the worker runs. */
@Module({
  imports: [ClientsModule, DocumentsModule, UseCasesModule],
  providers: [
    PipelineRepository,
    ...STEPS,
    {
      provide: PIPELINE_STEPS,
      inject: STEPS,
      // The order of the pipeline, in one place.
      useFactory: (
        setup: SetupStep,
        ocr: OcrStep,
        redact: RedactStep,
        genai: GenAiStep,
        reliability: ReliabilityStep,
        response: ResponseHandlerStep,
      ) => [setup, ocr, redact, genai, reliability, response],
    },
    { provide: StepTimingSink, useClass: NoStepTimings },
    PipelineRunner,
  ],
  exports: [PipelineRunner, UseCasesModule],
})
export class PipelineModule {}
