import { Param, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import { type AppAttemptStatsQuery, appAttemptStatsQuery, ApplicationStats, AttemptStatisticsResponse, EndpointStats, type OverviewQuery, overviewQuery, type StatsQuery, statsQuery, StatsOverview } from './stats.schemas.js';
import { StatsService } from './stats.service.js';

/** Attempts by outcome and deliveries by state, per endpoint and application, and the installation's overview. */
@ApiController()
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/stats', summary: "The endpoint's attempts by outcome in a range (the last 28 days by default, as Svix's), and its deliveries waiting now (the portal shows it)", access: 'portal', query: statsQuery, status: 200, response: EndpointStats })
  endpoint(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Query() query: StatsQuery) { return this.stats.endpoint(principal, appId, endpointId, query); }

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/stats', summary: "The application's attempts by outcome in a range (the last 24 h by default) and its deliveries waiting and dead now, in all and per endpoint", access: 'token', query: statsQuery, status: 200, response: ApplicationStats })
  application(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Query() query: StatsQuery) { return this.stats.application(principal, appId, query); }

  @Operation({ method: 'get', path: '/api/v1/stats/app/{app_id}/attempt', summary: "The open-source Svix server's application stats: its attempts by outcome per 5 minutes (the last 6 h by default, at most a day)", access: 'token', query: appAttemptStatsQuery, status: 200, response: AttemptStatisticsResponse })
  applicationAttempts(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Query() query: AppAttemptStatsQuery) { return this.stats.applicationAttempts(principal, appId, query); }

  @Operation({ method: 'get', path: '/api/v1/stats/overview', summary: 'The installation at a glance: attempts and dead letters per bucket (the last 3 h in 1 m by default), success rate, tasks waiting per retry tier, dead letters', access: 'admin', query: overviewQuery, status: 200, response: StatsOverview })
  overview(@Query() query: OverviewQuery) { return this.stats.overview(query); }
}
