import {
  BadRequestException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { SecretKeyError } from '../secrets/secret-box';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { readPayload } from './formats';
import { verifySignature } from './webhook-signature';
import { WebhookWorker } from './webhook-worker.service';
import { WebhooksRepository, type DeliveryStatus } from './webhooks.repository';

const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,200}$/;

export interface IncomingDelivery {
  source: string;
  signature: string | undefined;
  deliveryId: string | undefined;
  rawBody: Buffer;
  contentType: string | null;
}

export type ReceiveResult =
  | { accepted: true; deliveryId: string; status: 'queued' }
  | { accepted: false; deliveryId: string; status: DeliveryStatus };

@Injectable()
export class WebhooksService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly worker: WebhookWorker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Sources named in CRASHKB_WEBHOOK_SECRETS are registered (or their secret replaced) at start. */
  async onApplicationBootstrap(): Promise<void> {
    for (const s of this.config.webhookSecrets) await this.repo.upsertSource(s.name, s.secret, null);
    if (this.config.webhookSecrets.length) {
      this.logger.log(
        `webhook sources from configuration: ${this.config.webhookSecrets.map((s) => s.name).join(', ')}`,
      );
    }
  }

  /**
   * Order (API.md): unknown source 404; signature 401 before anything else; missing delivery
   * id 400; a delivery id seen before answers with the first delivery; otherwise stored,
   * and only then acknowledged. An unreadable body is kept as a failed delivery and 400.
   */
  async receive(d: IncomingDelivery): Promise<ReceiveResult> {
    const source = await this.repo.findSource(d.source);
    if (!source) throw new NotFoundException(`no webhook source "${d.source}"`);
    let secret: string;
    try {
      secret = this.repo.sourceSecret(source);
    } catch (err) {
      if (!(err instanceof SecretKeyError)) throw err;
      this.logger.error(`webhook source ${source.name}: ${err.message}`);
      throw new ServiceUnavailableException(
        `the secret of source "${source.name}" cannot be read with the configured CRASHKB_SECRET_KEY; register the source again or configure its key`,
      );
    }
    const check = verifySignature(d.signature, secret, d.rawBody);
    if (!check.ok) throw new UnauthorizedException(check.reason);
    if (!d.deliveryId)
      throw new BadRequestException('missing X-Crashkb-Delivery header (a unique id per delivery)');
    if (!DELIVERY_ID.test(d.deliveryId)) {
      throw new BadRequestException('X-Crashkb-Delivery: 1-200 characters of letters, digits, . _ : -');
    }
    // PostgreSQL text cannot hold NUL: kept as U+FFFD (as invalid UTF-8 already is), never a 500.
    const body = d.rawBody.toString('utf8').replace(/\0/g, '\uFFFD');
    const payload = readPayload(source.format, body, d.contentType);
    const earlier = await this.repo.insertDelivery({
      deliveryId: d.deliveryId,
      source: source.name,
      body,
      contentType: d.contentType,
      status: payload.ok ? 'queued' : 'failed',
      error: payload.ok ? null : payload.reason,
    });
    if (earlier) return { accepted: false, deliveryId: earlier.deliveryId, status: earlier.status };
    if (!payload.ok)
      throw new BadRequestException(`delivery ${d.deliveryId} kept but not processed: ${payload.reason}`);
    this.worker.kick();
    return { accepted: true, deliveryId: d.deliveryId, status: 'queued' };
  }

  async delivery(id: string) {
    const row = await this.repo.findDelivery(id);
    if (!row) throw new NotFoundException(`no delivery ${id}`);
    return row;
  }

  listSources() {
    return this.repo.listSources();
  }

  upsertSource(name: string, secret: string, format: string) {
    return this.repo.upsertSource(name, secret, format);
  }

  async deleteSource(name: string): Promise<void> {
    if (!(await this.repo.deleteSource(name))) throw new NotFoundException(`no webhook source "${name}"`);
  }
}
