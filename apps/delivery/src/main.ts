import 'reflect-metadata';
import { startTelemetry } from '@hookline/telemetry';

// Telemetry starts before the application's modules load.
startTelemetry('hookline-delivery');
const { runService } = await import('@hookline/service');
const { service } = await import('./service.js');
await runService(service);
