import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { secretContext, SecretsService } from '../secrets/secrets.service';
import { NotifyRepository, type NotifyEvent, type SubscriptionRow } from './notify.repository';
import { checkSubscriptionUrl } from './url-guard';

export interface SubscriptionView {
  id: string;
  url: string;
  events: NotifyEvent[];
  status: 'active' | 'paused';
  pausedReason?: string;
  failingSince?: Date;
  createdAt: Date;
}

function view(r: SubscriptionRow): SubscriptionView {
  return {
    id: r.id,
    url: r.url,
    events: r.events,
    status: r.status,
    ...(r.pausedReason ? { pausedReason: r.pausedReason } : {}),
    ...(r.failingSince ? { failingSince: r.failingSince } : {}),
    createdAt: r.createdAt,
  };
}

/** Use cases of subscriptions: create (URL checked, secret sealed), read, delete, resume, delivery log. */
@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly repo: NotifyRepository,
    private readonly secrets: SecretsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(input: { url: string; secret: string; events: NotifyEvent[] }): Promise<SubscriptionView> {
    const check = await checkSubscriptionUrl(input.url, this.config.allowPrivateUrls);
    if (!check.ok) throw new BadRequestException(check.reason);
    const id = randomUUID();
    const secretEnc = this.secrets.seal(input.secret, secretContext('subscriptions', id));
    return view(
      await this.repo.createSubscription({ id, url: check.url.toString(), secretEnc, events: input.events }),
    );
  }

  async list(): Promise<{ items: SubscriptionView[] }> {
    return { items: (await this.repo.listSubscriptions()).map(view) };
  }

  async get(id: string): Promise<SubscriptionView> {
    const row = await this.repo.findSubscription(id);
    if (!row) throw new NotFoundException(`no subscription ${id}`);
    return view(row);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.repo.deleteSubscription(id))) throw new NotFoundException(`no subscription ${id}`);
  }

  async resume(id: string): Promise<SubscriptionView> {
    const row = await this.repo.resumeSubscription(id);
    if (!row) throw new NotFoundException(`no subscription ${id}`);
    return view(row);
  }

  async deliveries(id: string, limit: number) {
    await this.get(id);
    return { items: await this.repo.deliveries(id, limit) };
  }
}
