import { type LookupAddress, type LookupAllOptions, lookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { type AddressPolicy, BlockedAddressError } from './address-policy.js';

/** The resolver the connector asks (node:dns lookup, i.e. getaddrinfo, unless replaced). */
export type DnsLookup = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * An undici connector that judges the address each socket actually connects to. Checking
 * inside the socket's own DNS lookup, rather than resolving once beforehand, leaves no gap
 * for DNS rebinding between the check and the connect.
 */
export function guardedConnector(policy: AddressPolicy, connectTimeoutMs: number, resolve: DnsLookup = lookup): buildConnector.connector {
  const guardedLookup: LookupFunction = (hostname, options, callback) => {
    // Resolve every address even when one is asked for: a host mixing public and internal
    // addresses is refused whole, whichever one the socket would have tried.
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      try {
        for (const { address } of addresses) policy.check(address);
      } catch (blocked) {
        // The refusal names the host, not what it resolved to: a tenant reads it (attempts, verify),
        // and must not learn the addresses of internal names from it.
        const reason = blocked instanceof BlockedAddressError ? blocked.reason : (blocked as Error).message;
        return callback(new BlockedAddressError(hostname, `its address is not allowed (${reason})`), []);
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
  const connect = buildConnector({ timeout: connectTimeoutMs, lookup: guardedLookup });

  return (options, callback) => {
    // net.connect does not call `lookup` for an IP literal, so those are judged here.
    if (isIP(options.hostname) !== 0) {
      try {
        policy.check(options.hostname);
      } catch (blocked) {
        callback(blocked as Error, null);
        return;
      }
    }
    connect(options, callback);
  };
}
