import { within } from '@hookline/kafka';
import { errorMessage } from '@hookline/logging';
import { Controller, Get, Injectable, Res } from '@nestjs/common';
import type { Response } from 'express';

/**
 * One dependency's check: throws when it is down (the message says why), returns a sentence
 * when it works but something needs a look (degraded), or nothing when all is well.
 */
export type HealthCheck = () => Promise<string | void> | string | void;

type Outcome = { state: 'ok' | 'degraded' | 'down'; detail: string };

async function runChecks(checks: Map<string, HealthCheck>, timeoutMs: number): Promise<{ status: 'ok' | 'degraded' | 'unavailable'; checks: Record<string, string> }> {
  const results = await Promise.all(
    [...checks].map(async ([name, check]): Promise<[string, Outcome]> => {
      try {
        const note = await within(Promise.resolve(check()), timeoutMs, 'check');
        return [name, note ? { state: 'degraded', detail: `degraded: ${note}` } : { state: 'ok', detail: 'ok' }];
      } catch (error) {
        return [name, { state: 'down', detail: errorMessage(error).replace(/^check: /, '') }];
      }
    }),
  );
  const states = results.map(([, outcome]) => outcome.state);
  const status = states.includes('down') ? 'unavailable' : states.includes('degraded') ? 'degraded' : 'ok';
  return { status, checks: Object.fromEntries(results.map(([name, outcome]) => [name, outcome.detail])) };
}

/**
 * The checks of this process. Readiness: each dependency that must answer for traffic to flow.
 * Liveness: what only a restart of the process can mend (a consumer that has not come back for
 * HOOKLINE_KAFKA_RECOVERY_DEADLINE).
 */
@Injectable()
export class HealthRegistry {
  private readonly readiness = new Map<string, HealthCheck>();
  private readonly liveness = new Map<string, HealthCheck>();

  register(name: string, check: HealthCheck): void {
    this.readiness.set(name, check);
  }

  registerLiveness(name: string, check: HealthCheck): void {
    this.liveness.set(name, check);
  }

  ready(timeoutMs = 2_000) {
    return runChecks(this.readiness, timeoutMs);
  }

  live(timeoutMs = 2_000) {
    return runChecks(this.liveness, timeoutMs);
  }
}

/**
 * Kubernetes-style probes: liveness says the process can go on (503: restart it); readiness that
 * its dependencies answer (503: send it no traffic). A degraded check answers 200 and says what.
 */
@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  @Get('live')
  live(@Res({ passthrough: true }) response: Response) {
    return this.answer(response, this.registry.live());
  }

  @Get(['ready', ''])
  ready(@Res({ passthrough: true }) response: Response) {
    return this.answer(response, this.registry.ready());
  }

  private async answer(response: Response, result: ReturnType<HealthRegistry['ready']>) {
    const { status, checks } = await result;
    response.status(status === 'unavailable' ? 503 : 200);
    return { status, checks };
  }
}
