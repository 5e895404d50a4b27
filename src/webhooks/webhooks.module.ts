import { Module } from '@nestjs/common';
import { CrashModule } from '../crash/crash.module';
import { WebhookWorker } from './webhook-worker.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [CrashModule],
  controllers: [WebhooksController],
  providers: [WebhooksRepository, WebhooksService, WebhookWorker],
  exports: [WebhookWorker],
})
export class WebhooksModule {}
