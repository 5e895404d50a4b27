import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Scope } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';
import { hasScope, type RequestWithPrincipal } from './principal';
import { PUBLIC_KEY, SCOPE_KEY } from './scopes.decorator';
import { sessionCookie, SessionsService } from './sessions.service';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const needed = this.reflector.getAllAndOverride<Scope>(SCOPE_KEY, targets) ?? 'admin';
    const req = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    // The web page's session cookie stands in for a key only when no Authorization is sent.
    const cookie = req.headers.authorization === undefined ? sessionCookie(req) : null;
    if (cookie !== null) {
      req.principal = await this.sessions.authenticate(req, cookie);
      if (!hasScope(req.principal, needed)) {
        throw new ForbiddenException(`this API key lacks the "${needed}" scope`);
      }
      return true;
    }
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
    if (!match) throw new UnauthorizedException('missing API key: send Authorization: Bearer <key>');
    const principal = await this.apiKeys.authenticate(match[1]);
    if (!principal) throw new UnauthorizedException('unknown or revoked API key');
    req.principal = principal;
    if (!hasScope(principal, needed)) {
      throw new ForbiddenException(`this API key lacks the "${needed}" scope`);
    }
    return true;
  }
}
