import { describe, expect, it } from 'vitest';
import { brandColor, brandLogo, effectiveBrand, readBrand } from './brand';

// Stands in for the browser's CSS.supports: hex colours, a few names and rgb() count as colours,
// and var() is taken at parse time as browsers do (which is why brandColor refuses it first).
const supports = (_: string, value: string) => /^#[0-9a-f]{3,8}$/i.test(value) || /^(red|teal|rebeccapurple)$/.test(value) || /^rgb\(/.test(value) || /^var\(/.test(value);

describe('brandColor', () => {
  it('takes a literal colour', () => {
    for (const color of ['#0a7', '#00aa77', 'teal', 'rgb(0 170 119 / 80%)']) expect(brandColor(color, supports)).toBe(color);
  });

  it('refuses anything else, whatever the browser would parse', () => {
    for (const value of [null, '', 'red; background: url(https://evil.example/x)', 'var(--x)', 'url(x)', '"red"', 'red}body{', 'notacolor', '#'.repeat(70)]) {
      expect([value, brandColor(value, supports)]).toEqual([value, null]);
    }
  });
});

describe('brandLogo', () => {
  it('takes an https URL', () => {
    expect(brandLogo('https://cdn.example.com/logo.svg')).toBe('https://cdn.example.com/logo.svg');
  });

  it('refuses other schemes, credentials and junk', () => {
    for (const value of [null, 'http://cdn.example.com/logo.png', 'javascript:alert(1)', 'data:image/svg+xml,<svg onload=alert(1)>', 'https://user:pw@cdn.example.com/l.png', '/logo.png', 'not a url']) {
      expect([value, brandLogo(value)]).toEqual([value, null]);
    }
  });
});

describe('readBrand', () => {
  it('reads both from the query string', () => {
    expect(readBrand('?brandColor=%230a7&logo=https%3A%2F%2Fcdn.example.com%2Fl.png', supports)).toEqual({ color: '#0a7', logo: 'https://cdn.example.com/l.png' });
    expect(readBrand('', supports)).toEqual({ color: null, logo: null });
  });
});

describe('effectiveBrand', () => {
  const metadata = { brandColor: '#123456', logo: 'https://cdn.example.com/shop.svg' };

  it("takes the application's metadata for what the query leaves out", () => {
    expect(effectiveBrand({ color: null, logo: null }, metadata, supports)).toEqual({ color: '#123456', logo: 'https://cdn.example.com/shop.svg' });
    expect(effectiveBrand({ color: 'teal', logo: null }, metadata, supports)).toEqual({ color: 'teal', logo: 'https://cdn.example.com/shop.svg' });
  });

  it('checks the metadata by the same rules, and needs none', () => {
    expect(effectiveBrand({ color: null, logo: null }, { brandColor: 'var(--x)', logo: 'javascript:alert(1)' }, supports)).toEqual({ color: null, logo: null });
    expect(effectiveBrand({ color: null, logo: null }, undefined, supports)).toEqual({ color: null, logo: null });
  });
});
