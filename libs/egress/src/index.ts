export { AddressPolicy, BlockedAddressError, type AddressPolicyOptions } from './address-policy.js';
export { EgressClient, USER_AGENT, type DeliveryOutcome, type DeliveryRequest, type EgressClientOptions } from './egress-client.js';
export { guardedConnector, type DnsLookup } from './guarded-connector.js';
export { parseRetryAfter } from './retry-after.js';
export { addressPolicyProvider } from './address-policy.provider.js';
export { customHeaderProblem, HEADER_PATTERNS, MAX_CUSTOM_HEADERS, MAX_HEADER_VALUE_LENGTH, sendableHeaders } from './custom-headers.js';
