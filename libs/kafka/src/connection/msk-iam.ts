import type { KafkaSasl } from '@hookline/config';
import type { OauthbearerProviderResponse } from 'kafkajs';

type AwsMskIam = Extract<KafkaSasl, { mechanism: 'aws-msk-iam' }>;

/** What AWS's MSK IAM signer takes: the region, and the role to assume if any. */
export interface MskTokenRequest {
  region: string;
  awsRoleArn?: string;
  awsRoleSessionName?: string;
}

export type MskTokenGenerator = (request: MskTokenRequest) => Promise<{ token: string; expiryTime: number }>;

/**
 * AWS's signer (aws-msk-iam-sasl-signer-js), loaded only when IAM is configured: with a role, its
 * STS assume-role path; otherwise the default credential chain (environment, web identity of
 * EKS/IRSA, ECS and EC2 roles, AWS_PROFILE).
 */
const awsSigner: MskTokenGenerator = async (request) => {
  const signer = await import('aws-msk-iam-sasl-signer-js');
  return request.awsRoleArn ? signer.generateAuthTokenFromRole({ ...request, awsRoleArn: request.awsRoleArn }) : signer.generateAuthToken(request);
};

/** A token is reused until a minute before it expires (they last 15 minutes). */
const RENEW_BEFORE_MS = 60_000;

/**
 * kafkajs' OAUTHBEARER provider for MSK's IAM access control, the route AWS documents for Node:
 * a SigV4-presigned `kafka-cluster:Connect` request as the bearer token. kafkajs asks on every
 * (re)authentication of every broker connection, so a token is shared until it nears expiry.
 */
export function mskIamTokenProvider(sasl: AwsMskIam, generate: MskTokenGenerator = awsSigner): () => Promise<OauthbearerProviderResponse> {
  const request: MskTokenRequest = {
    region: sasl.region,
    ...(sasl.roleArn && { awsRoleArn: sasl.roleArn }),
    ...(sasl.roleSessionName && { awsRoleSessionName: sasl.roleSessionName }),
  };
  let current: Promise<{ token: string; expiryTime: number }> | null = null;
  return async () => {
    const cached = current && (await current.catch(() => null));
    if (!cached || cached.expiryTime - RENEW_BEFORE_MS <= Date.now()) {
      current = generate(request);
      return { value: (await current).token };
    }
    return { value: cached.token };
  };
}
