import { describe, expect, it } from 'vitest';
import { portalLink, readAccess } from './access';

describe('portal access', () => {
  it('reads the application and token from the fragment', () => {
    expect(readAccess('#app=app_1&token=hk_abc-DEF_123')).toEqual({ appId: 'app_1', token: 'hk_abc-DEF_123' });
  });

  it('grants nothing unless both are there', () => {
    for (const fragment of ['', '#', '#token=hk_x', '#app=a', '#app=&token=t', '#app=a&token=%20']) expect([fragment, readAccess(fragment)]).toEqual([fragment, null]);
  });

  it('writes a link that reads back, the token in the fragment only', () => {
    const link = portalLink('https://hooks.example.com', 'acme', 'hk_a+b/c=');
    const url = new URL(link);
    expect([url.pathname, url.search]).toEqual(['/portal/', '']);
    expect(readAccess(url.hash)).toEqual({ appId: 'acme', token: 'hk_a+b/c=' });
  });
});
