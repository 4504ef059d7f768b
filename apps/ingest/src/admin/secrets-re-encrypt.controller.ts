import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import { SecretsReEncryptService } from './secrets-re-encrypt.service.js';
import { ReEncryptOut } from './secrets-re-encrypt.schemas.js';

/** The operator's own: the secrets at rest moved to the active key of HOOKLINE_SECRETS_KEYS. */
@ApiController()
export class SecretsReEncryptController {
  constructor(private readonly reEncryption: SecretsReEncryptService) {}

  @Operation({
    method: 'post',
    path: '/api/v1/admin/secrets/re-encrypt',
    summary: 'Re-encrypt every endpoint secret under the active key of HOOKLINE_SECRETS_KEYS (admin, Hookline)',
    access: 'admin',
    status: 200,
    response: ReEncryptOut,
  })
  reEncrypt() { return this.reEncryption.reEncrypt(); }
}
