/** What a portal link grants: one application, with a bearer token scoped to it. */
export interface PortalAccess {
  appId: string;
  token: string;
}

/**
 * Reads the access from a URL fragment (`#app=<id>&token=<token>`): the fragment never leaves the
 * browser (no request line, no Referer, no server log). The API writes the link
 * (POST /api/v1/auth/app-portal-access, apps/ingest/src/auth/app-portal). Null unless both are there.
 */
export function readAccess(fragment: string): PortalAccess | null {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const appId = params.get('app')?.trim();
  const token = params.get('token')?.trim();
  return appId && token ? { appId, token } : null;
}
