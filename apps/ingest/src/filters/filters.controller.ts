import { Body } from '@nestjs/common';
import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import { FiltersService } from './filters.service.js';
import { type FilterTestIn, filterTestIn, FilterTestOut } from './filters.schemas.js';

@ApiController()
export class FiltersController {
  constructor(private readonly filters: FiltersService) {}

  @Operation({ method: 'post', path: '/api/v1/filter/test', summary: 'Try a payload filter on a sample payload (nothing is stored)', access: 'token', body: filterTestIn, status: 200, response: FilterTestOut })
  test(@Body() body: FilterTestIn) { return this.filters.test(body); }
}
