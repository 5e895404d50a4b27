import { Module } from '@nestjs/common';
import { FanoutService } from './fanout.service';
import { NotifyRepository } from './notify.repository';
import { NotifyWorker } from './notify-worker.service';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsService } from './subscriptions.service';

/** Notifications out: subscriptions, the outbox fan-out and the delivery queue. */
@Module({
  controllers: [SubscriptionsController],
  providers: [NotifyRepository, FanoutService, NotifyWorker, SubscriptionsService],
  exports: [NotifyWorker],
})
export class NotifyModule {}
