import { describe, expect, it } from 'vitest';
import { readAccess } from './access';

describe('portal access', () => {
  it('reads the application and token from the fragment', () => {
    expect(readAccess('#app=app_1&token=hk_abc-DEF_123')).toEqual({ appId: 'app_1', token: 'hk_abc-DEF_123' });
  });

  it('grants nothing unless both are there', () => {
    for (const fragment of ['', '#', '#token=hk_x', '#app=a', '#app=&token=t', '#app=a&token=%20']) expect([fragment, readAccess(fragment)]).toEqual([fragment, null]);
  });

  it("reads the link app-portal-access writes, its values form-encoded in the fragment", () => {
    // As apps/ingest/src/auth/app-portal/app-portal.service.ts writes it.
    const url = new URL(`https://hooks.example.com/portal/#${new URLSearchParams({ app: 'app_01 x', token: 'hk_portal_a+b/c=' }).toString()}`);
    expect(readAccess(url.hash)).toEqual({ appId: 'app_01 x', token: 'hk_portal_a+b/c=' });
  });
});
