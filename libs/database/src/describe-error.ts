import { CERTIFICATE_PERIOD_CODES, UNTRUSTED_CERTIFICATE_CODES } from '@hookline/config';

/**
 * Why PostgreSQL could not be reached, in one line naming the setting to check; null for a
 * failure that is not about reaching it (a query's own error).
 */
export function describeDatabaseError(error: unknown): string | null {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const because = (what: string, check: string) => `PostgreSQL unavailable: ${what} (${message}); check ${check}`;
  if (code && UNTRUSTED_CERTIFICATE_CODES.has(code)) return because('TLS certificate verify failed: the server’s certificate is not signed by a trusted CA', 'HOOKLINE_DATABASE_SSL_CA_FILE');
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return because('TLS hostname mismatch: the server’s certificate does not name the host in DATABASE_URL', 'the host in DATABASE_URL, or HOOKLINE_DATABASE_SSLMODE=verify-ca');
  if (code && CERTIFICATE_PERIOD_CODES.has(code)) return because('TLS certificate verify failed: the server’s certificate is outside its validity period', "the server's certificate, and this machine's clock");
  if (/server does not support SSL/i.test(message ?? '')) return because('the server does not accept TLS', 'HOOKLINE_DATABASE_SSLMODE');
  if (/no pg_hba.conf entry .*no encryption/i.test(message ?? '')) return because('the server accepts only TLS connections', 'HOOKLINE_DATABASE_SSLMODE');
  if (code === '28P01' || code === '28000') return because('authentication failed', 'the user and password in DATABASE_URL');
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return because('cannot connect', 'the host and port in DATABASE_URL');
  return null;
}
