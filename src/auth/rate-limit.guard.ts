import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { BOOTSTRAP_ADMIN_ID, type RequestWithPrincipal } from './principal';

/** Rate limits per API key (runs after the key guard), or per client address when there is none. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = (req as RequestWithPrincipal).principal;
    return principal ? `key:${principal.keyId}` : `ip:${String(req.ip ?? 'unknown')}`;
  }

  // The operator's own key (CRASHKB_ADMIN_KEY) is not limited: it is what benchmarks and
  // recovery scripts use, and whoever holds it controls the limits anyway.
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const principal = context.switchToHttp().getRequest<RequestWithPrincipal>().principal;
    return principal?.keyId === BOOTSTRAP_ADMIN_ID || super.shouldSkip(context);
  }
}
