import type { Scope } from './api-key.entity';

/** The principal id of CRASHKB_ADMIN_KEY (it has no api_keys row). */
export const BOOTSTRAP_ADMIN_ID = 'bootstrap-admin';

/** Who is calling: set on the request by the API key guard. */
export interface Principal {
  /** The api_keys row id, or `bootstrap-admin` for CRASHKB_ADMIN_KEY. */
  keyId: string;
  name: string;
  scopes: Scope[];
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

export interface RequestWithPrincipal {
  principal?: Principal;
}
