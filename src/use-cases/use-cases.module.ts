import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { UseCaseCatalog } from './use-case-catalog.js';
import { AdminUseCasesController, UseCasesController } from './use-cases.controller.js';
import { UseCasesHealth } from './use-cases.health.js';
import { UseCasesRepository } from './use-cases.repository.js';

@Module({
  imports: [TerminusModule],
  controllers: [UseCasesController, AdminUseCasesController],
  providers: [UseCasesRepository, UseCaseCatalog, UseCasesHealth],
  exports: [UseCaseCatalog],
})
export class UseCasesModule {}
