import { SetMetadata } from '@nestjs/common';
import type { Scope } from './api-key.entity';

export const SCOPE_KEY = 'crashkb:scope';
export const PUBLIC_KEY = 'crashkb:public';

/** The scope a route needs. Routes without it (and not @Public) need `admin`: fail closed. */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPE_KEY, scope);

/** No API key needed (health, docs, webhooks authenticated by their own signature). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
