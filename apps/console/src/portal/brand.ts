/**
 * The operator's brand, from the portal's query parameters or else the application's metadata
 * (`brandColor`, `logo`): each value checked, none ever written into markup or a style sheet.
 */
export interface Brand {
  color: string | null;
  logo: string | null;
}

/** Characters a CSS colour can hold (hex, names, rgb()/hsl()/oklch() with numbers, %, / and commas); no quotes, semicolons, braces or escapes. */
const COLOR_CHARACTERS = /^[#a-zA-Z0-9(),.%/\s+-]{1,64}$/;
/** Functions that would read something other than a literal colour. */
const INDIRECTION = /\b(?:var|env|attr|url|image|element|paint)\s*\(/i;

/** A literal CSS colour the browser understands (`supports` is the browser's CSS.supports), or null. */
export function brandColor(value: string | null, supports: (property: string, value: string) => boolean): string | null {
  const color = value?.trim();
  if (!color || !COLOR_CHARACTERS.test(color) || INDIRECTION.test(color)) return null;
  return supports('color', color) ? color : null;
}

/** An https:// URL without credentials, as the logo's source, or null. */
export function brandLogo(value: string | null): string | null {
  if (!value || value.length > 2_048) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return url.protocol === 'https:' && url.username === '' && url.password === '' ? url.href : null;
}

/** The brand of a portal page from its query string (`?brandColor=%230a7&logo=https://...`). */
export function readBrand(search: string, supports: (property: string, value: string) => boolean): Brand {
  const params = new URLSearchParams(search);
  return { color: brandColor(params.get('brandColor'), supports), logo: brandLogo(params.get('logo')) };
}

/**
 * The brand a portal page shows: what its query string says, and for what it leaves out, the
 * application's metadata (`brandColor`, `logo`), checked by the same rules.
 */
export function effectiveBrand(fromQuery: Brand, metadata: Record<string, string> | undefined, supports: (property: string, value: string) => boolean): Brand {
  return {
    color: fromQuery.color ?? brandColor(metadata?.brandColor ?? null, supports),
    logo: fromQuery.logo ?? brandLogo(metadata?.logo ?? null),
  };
}
