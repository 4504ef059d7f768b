import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A PEM certificate and key on disk, and their contents. */
export interface Issued {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });

function issued(certFile: string, keyFile: string): Issued {
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** A self-signed CA (RSA, unencrypted PKCS#8 key, valid two days) in `dir`. */
export function certificateAuthority(dir: string, name: string): Issued {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', keyFile, '-out', certFile);
  return issued(certFile, keyFile);
}

/**
 * A certificate signed by `ca`: for a server, naming only the addresses in `ips` (so a client
 * connecting by host name sees a mismatch); for a client, `CN=name`.
 */
export function issueCertificate(dir: string, ca: Issued, name: string, usage: { server: { ips: string[] } } | { client: true }): Issued {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const extensions = join(dir, `${name}.ext`);
  writeFileSync(
    extensions,
    'server' in usage
      ? `subjectAltName=${usage.server.ips.map((ip) => `IP:${ip}`).join(',')}\nextendedKeyUsage=serverAuth\n`
      : 'extendedKeyUsage=clientAuth\n',
  );
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', keyFile, '-out', csr);
  openssl('x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-days', '2', '-extfile', extensions, '-out', certFile);
  return issued(certFile, keyFile);
}
