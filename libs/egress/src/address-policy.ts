import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface AddressPolicyOptions {
  allowHttp: boolean;
  /** CIDRs exempt from the address checks, e.g. a test network or an internal receiver. */
  allowedSubnets: string[];
}

/** A destination the policy refuses; `target` is the address or host that was judged. */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';

  constructor(
    readonly target: string,
    readonly reason: string,
  ) {
    super(`refused to connect to ${target}: ${reason}`);
  }
}

// Readable names for the ipaddr.js range() classes; any other class is shown as "<name> range".
const RANGE_LABELS: Partial<Record<string, string>> = {
  private: 'private address',
  loopback: 'loopback address',
  linkLocal: 'link-local address',
  carrierGradeNat: 'carrier-grade NAT address',
  unspecified: 'unspecified address',
  broadcast: 'broadcast address',
  multicast: 'multicast address',
  reserved: 'reserved or documentation address',
  uniqueLocal: 'unique-local address',
  deprecatedSiteLocal: 'site-local address',
  rfc6052: 'NAT64 address',
  '6to4': '6to4 address',
  teredo: 'Teredo address',
};

// ipaddr.js calls every IPv6 address outside its special ranges 'unicast', including the
// deprecated IPv4-compatible ::a.b.c.d and unassigned space: only global unicast is routable.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/** Decides which destinations webhooks may be delivered to (SSRF protection). */
export class AddressPolicy {
  private readonly allowHttp: boolean;
  private readonly allowedSubnets: [ipaddr.IPv4 | ipaddr.IPv6, number][];

  constructor(options: AddressPolicyOptions) {
    this.allowHttp = options.allowHttp;
    this.allowedSubnets = options.allowedSubnets.map((cidr) => ipaddr.parseCIDR(cidr));
  }

  /** Throws a BlockedAddressError unless `address` (an IP literal) may be connected to. */
  check(address: string): void {
    // The zone id (fe80::1%eth0) only picks an interface: it never changes the address class.
    const bare = address.split('%')[0];
    if (!ipaddr.isValid(bare)) throw new BlockedAddressError(address, 'not an IP address');
    const parsed = ipaddr.parse(bare);
    // An IPv4-mapped ::ffff:a.b.c.d reaches the embedded IPv4 address, so that is what is judged.
    const effective = ipaddr.process(bare);
    if (this.isAllowedSubnet(parsed) || this.isAllowedSubnet(effective)) return;

    const range = effective.range();
    if (range !== 'unicast') {
      throw new BlockedAddressError(address, RANGE_LABELS[range] ?? `${range} range`);
    }
    if (effective.kind() === 'ipv6' && !effective.match(GLOBAL_UNICAST_V6)) {
      throw new BlockedAddressError(address, 'not a global unicast address');
    }
  }

  /**
   * Checks what can be judged before any DNS lookup: the scheme, credentials and literal IP
   * hosts. Host names are judged at connect time, on the addresses they resolve to.
   */
  checkUrl(url: string | URL): URL {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:') {
      if (!this.allowHttp) throw new BlockedAddressError(parsed.host, 'plain http is not allowed');
    } else if (parsed.protocol !== 'https:') {
      throw new BlockedAddressError(parsed.host, `scheme ${parsed.protocol} is not allowed`);
    }
    if (parsed.username !== '' || parsed.password !== '') {
      throw new BlockedAddressError(parsed.host, 'URLs with credentials are not allowed');
    }
    // URL keeps the brackets of an IPv6 host: [::1].
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) !== 0) this.check(host);
    return parsed;
  }

  private isAllowedSubnet(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    return ipaddr.subnetMatch(address, { allowed: this.allowedSubnets }, 'refused') === 'allowed';
  }
}
