import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import type { Request, Response } from 'express';
import { ApiKeysService } from './api-keys.service';
import { Public } from './scopes.decorator';
import { assertSameOrigin, SESSION_COOKIE, sessionCookie, SessionsService } from './sessions.service';

export class LoginDto {
  @ApiProperty({ description: 'an API key; the browser gets a session cookie for it' })
  @IsString()
  @Length(1, 512)
  key: string;
}

/**
 * The web page's login: an API key is exchanged for a session cookie (http-only,
 * SameSite=Strict, Secure over https). Bots keep sending `Authorization: Bearer`.
 * Public: these routes check the key or the cookie themselves.
 */
@ApiTags('session')
@Public()
@Controller('api/v1/session')
export class SessionsController {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly sessions: SessionsService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Log in: JSON {key}; sets the session cookie, answers the CSRF token for changes',
  })
  async login(@Body() body: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    // Login CSRF (being logged in as someone else) is refused like any cross-origin change.
    assertSameOrigin(req);
    const principal = await this.apiKeys.authenticate(body.key.trim());
    if (!principal) throw new UnauthorizedException('unknown or revoked API key');
    const { token, view } = await this.sessions.open(principal);
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/',
      maxAge: this.sessions.ttlSeconds * 1000,
    });
    res.setHeader('Cache-Control', 'no-store');
    return view;
  }

  @Get()
  @ApiOperation({ summary: 'Who the session cookie is, with its CSRF token; 401 without a live session' })
  async current(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const token = sessionCookie(req);
    const session = token ? await this.sessions.resolve(token) : null;
    if (!session) throw new UnauthorizedException('not logged in');
    res.setHeader('Cache-Control', 'no-store');
    return this.sessions.view(session.principal, session.token, session.expiresAt);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Log out: ends the session (needs X-CSRF-Token) and clears the cookie' })
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const token = sessionCookie(req);
    if (token && (await this.sessions.resolve(token))) {
      this.sessions.assertCsrf(req, token);
      await this.sessions.close(token);
    }
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
  }
}
