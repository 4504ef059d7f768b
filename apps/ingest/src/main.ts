import 'reflect-metadata';
import { runService } from '@hookline/service';
import { service } from './service.js';

await runService(service);
