import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { RequestWithPrincipal } from './principal';

/** Rate limits per API key (runs after the key guard), or per client address when there is none. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = (req as RequestWithPrincipal).principal;
    return principal ? `key:${principal.keyId}` : `ip:${String(req.ip ?? 'unknown')}`;
  }
}
