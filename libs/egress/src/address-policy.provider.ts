import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import type { FactoryProvider } from '@nestjs/common';
import { AddressPolicy } from './address-policy.js';

/** Which delivery targets are allowed, from HOOKLINE_DELIVERY_ALLOW_HTTP and _ALLOWED_SUBNETS. */
export const addressPolicyProvider: FactoryProvider<AddressPolicy> = {
  provide: AddressPolicy,
  inject: [HOOKLINE_CONFIG],
  useFactory: (config: HooklineConfig) =>
    new AddressPolicy({ allowHttp: config.delivery.allowHttp, allowedSubnets: config.delivery.allowedSubnets }),
};
