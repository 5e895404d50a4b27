import { Module } from '@nestjs/common';
import { HistoryRepository } from './history.repository';
import { TriageController } from './triage.controller';
import { UiController } from './ui.controller';

@Module({ controllers: [UiController, TriageController], providers: [HistoryRepository] })
export class UiModule {}
