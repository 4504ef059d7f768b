import { AddressPolicy, BlockedAddressError, parseRetryAfter } from '@hookline/egress';

// Every address here is only judged by the policy: none is ever connected to.
const strict = new AddressPolicy({ allowHttp: false, allowedSubnets: [] });

function refusal(policy: AddressPolicy, address: string): string | null {
  try {
    policy.check(address);
    return null;
  } catch (error) {
    if (error instanceof BlockedAddressError) return error.message;
    throw error;
  }
}

describe('AddressPolicy.check', () => {
  it.each([
    ['10.0.0.1', 'private address'],
    ['172.16.5.4', 'private address'],
    ['192.168.1.1', 'private address'],
    ['127.0.0.1', 'loopback address'],
    ['169.254.169.254', 'link-local address'],
    ['100.64.0.1', 'carrier-grade NAT address'],
    ['0.0.0.0', 'unspecified address'],
    ['255.255.255.255', 'broadcast address'],
    ['224.0.0.1', 'multicast address'],
    ['192.0.2.10', 'reserved or documentation address'],
    ['240.0.0.1', 'reserved or documentation address'],
    ['::1', 'loopback address'],
    ['::', 'unspecified address'],
    ['fe80::1%lo', 'link-local address'],
    ['fd00::1', 'unique-local address'],
    ['ff02::1', 'multicast address'],
    ['::ffff:10.0.0.1', 'private address'],
    ['::ffff:127.0.0.1', 'loopback address'],
    ['64:ff9b::a00:1', 'NAT64 address'],
    ['2002:a00:1::1', '6to4 address'],
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'Teredo address'],
    ['2001:db8::1', 'reserved or documentation address'],
    ['::10.0.0.1', 'private address'],
    ['::a00:1', 'not a global unicast address'],
    ['4000::1', 'not a global unicast address'],
  ])('refuses %s as a %s', (address, reason) => {
    expect(refusal(strict, address)).toBe(`refused to connect to ${address}: ${reason}`);
  });

  it.each(['93.184.216.34', '2606:4700::1111', '::ffff:93.184.216.34'])('allows the public address %s', (address) => {
    expect(refusal(strict, address)).toBeNull();
  });

  it('refuses what is not an IP address', () => {
    expect(refusal(strict, 'hooks.example.com')).toBe('refused to connect to hooks.example.com: not an IP address');
  });

  it('allows addresses inside an allowed subnet, IPv4-mapped ones included', () => {
    const policy = new AddressPolicy({ allowHttp: false, allowedSubnets: ['10.20.0.0/16', 'fd00::/8'] });
    expect(refusal(policy, '10.20.1.2')).toBeNull();
    expect(refusal(policy, '::ffff:10.20.1.2')).toBeNull();
    expect(refusal(policy, 'fd00::1')).toBeNull();
    expect(refusal(policy, '10.21.0.1')).toBe('refused to connect to 10.21.0.1: private address');
    expect(refusal(policy, '127.0.0.1')).toBe('refused to connect to 127.0.0.1: loopback address');
  });

  it('rejects an invalid allowed subnet up front', () => {
    expect(() => new AddressPolicy({ allowHttp: false, allowedSubnets: ['10.0.0.0/99'] })).toThrow();
  });
});

describe('AddressPolicy.checkUrl', () => {
  const withHttp = new AddressPolicy({ allowHttp: true, allowedSubnets: [] });

  it('allows https, and http only when allowHttp', () => {
    expect(strict.checkUrl('https://hooks.example.com/in').hostname).toBe('hooks.example.com');
    expect(() => strict.checkUrl('http://hooks.example.com/in')).toThrow('refused to connect to hooks.example.com: plain http is not allowed');
    expect(withHttp.checkUrl('http://hooks.example.com/in').protocol).toBe('http:');
  });

  it('refuses other schemes and URLs with credentials', () => {
    expect(() => withHttp.checkUrl('ftp://hooks.example.com/in')).toThrow('scheme ftp: is not allowed');
    expect(() => withHttp.checkUrl('file:///etc/passwd')).toThrow(BlockedAddressError);
    expect(() => strict.checkUrl('https://user:secret@hooks.example.com/in')).toThrow('URLs with credentials are not allowed');
  });

  it('judges literal IP hosts at once, whatever their spelling', () => {
    expect(() => strict.checkUrl('https://10.0.0.5/in')).toThrow('refused to connect to 10.0.0.5: private address');
    expect(() => strict.checkUrl('https://[::1]:8443/in')).toThrow('refused to connect to ::1: loopback address');
    // WHATWG URL parsing normalises numeric IPv4 forms before the policy sees them.
    expect(() => strict.checkUrl('https://2130706433/in')).toThrow('refused to connect to 127.0.0.1: loopback address');
    expect(() => strict.checkUrl('https://0x7f.1/in')).toThrow('loopback address');
    expect(() => strict.checkUrl('https://0177.0.0.1/in')).toThrow('refused to connect to 127.0.0.1: loopback address');
    expect(() => strict.checkUrl('https://012.0.0.1/in')).toThrow('refused to connect to 10.0.0.1: private address');
    expect(() => strict.checkUrl('https://[::ffff:a9fe:a9fe]/latest/meta-data')).toThrow('refused to connect to ::ffff:a9fe:a9fe: link-local address');
    expect(strict.checkUrl('https://93.184.216.34/in').host).toBe('93.184.216.34');
  });

  it('refuses an IPv6 zone id in a URL, which no WHATWG URL parser accepts', () => {
    expect(() => strict.checkUrl('https://[fe80::1%25eth0]/in')).toThrow('Invalid URL');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads delay-seconds and HTTP-dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });

  it('gives null for a missing or unreadable value', () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
  });
});
