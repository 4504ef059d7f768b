import { currentTelemetry } from '@hookline/telemetry';
import { Controller, Get, NotFoundException, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

/** The Prometheus scrape endpoint of the service (OpenTelemetry metrics, text format). */
@Controller('metrics')
export class MetricsController {
  @Get()
  metrics(@Req() request: Request, @Res() response: Response): void {
    const telemetry = currentTelemetry();
    if (!telemetry) throw new NotFoundException('telemetry is not started in this process');
    telemetry.prometheus.getMetricsRequestHandler(request, response);
  }
}
