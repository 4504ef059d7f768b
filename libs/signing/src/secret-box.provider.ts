import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import type { FactoryProvider } from '@nestjs/common';
import { parseKeyring } from './keyring.js';
import { SecretBox } from './secret-box.js';

/** The SecretBox of a service that reads or writes endpoint secrets, from HOOKLINE_SECRETS_KEYS. */
export const secretBoxProvider: FactoryProvider<SecretBox> = {
  provide: SecretBox,
  inject: [HOOKLINE_CONFIG],
  useFactory: (config: HooklineConfig) => new SecretBox(parseKeyring(config.secretsKeys ?? '')),
};
