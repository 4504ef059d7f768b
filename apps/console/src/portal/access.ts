/** What a portal link grants: one application, with a bearer token scoped to it. */
export interface PortalAccess {
  appId: string;
  token: string;
}

/**
 * Reads the access from a URL fragment (`#app=<id>&token=<token>`): the fragment never leaves the
 * browser (no request line, no Referer, no server log). Null unless both are there.
 */
export function readAccess(fragment: string): PortalAccess | null {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const appId = params.get('app')?.trim();
  const token = params.get('token')?.trim();
  return appId && token ? { appId, token } : null;
}

/** The portal's address for one application and token, with the token in the fragment. */
export function portalLink(origin: string, appId: string, token: string): string {
  return `${origin}/portal/#${new URLSearchParams({ app: appId, token }).toString()}`;
}
