/**
 * Decodes canonical, padded, standard base64, or returns undefined. Node's decoder silently
 * skips characters outside the alphabet, so a mistyped value would otherwise decode to
 * different bytes; the round trip also rejects missing padding, which verifiers such as the
 * `standardwebhooks` library refuse.
 */
export function decodeCanonicalBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
