import type { Application, Attempt, Endpoint, EventType, Message } from '@hookline/database';

// Response bodies in the svix SDK's (2.x) field names.

export const applicationOut = (app: Application) => ({
  id: app.id,
  uid: app.uid,
  name: app.name,
  throttleRate: app.rateLimit,
  metadata: app.metadata,
  createdAt: app.createdAt.toISOString(),
  updatedAt: app.updatedAt.toISOString(),
});

export const eventTypeOut = (type: EventType) => ({
  name: type.name,
  description: type.description,
  archived: type.archived,
  deprecated: false,
  schemas: type.schemas,
  featureFlag: type.featureFlag,
  createdAt: type.createdAt.toISOString(),
  updatedAt: type.updatedAt.toISOString(),
});

export const endpointOut = (endpoint: Endpoint) => ({
  id: endpoint.id,
  uid: endpoint.uid,
  url: endpoint.url,
  description: endpoint.description,
  version: endpoint.version,
  throttleRate: endpoint.rateLimit,
  disabled: endpoint.disabled,
  eventTypes: endpoint.eventTypes,
  channels: endpoint.channels,
  metadata: endpoint.metadata,
  // Hookline's own (the svix SDK ignores them): whether the endpoint must pass the verification
  // handshake before it receives events, and when it last did.
  verificationRequired: endpoint.verificationRequired,
  verifiedAt: endpoint.verifiedAt?.toISOString() ?? null,
  createdAt: endpoint.createdAt.toISOString(),
  updatedAt: endpoint.updatedAt.toISOString(),
});

export const messageOut = (message: Message, withContent = true) => ({
  id: message.id,
  eventType: message.eventType,
  eventId: message.eventId,
  channels: message.channels.length > 0 ? message.channels : null,
  payload: withContent ? message.payload : {},
  timestamp: message.createdAt.toISOString(),
});

/** Svix's MessageStatus: 0 success, 1 pending, 2 fail, 3 sending. */
export const attemptOut = (attempt: Attempt) => ({
  id: attempt.id,
  msgId: attempt.messageId,
  endpointId: attempt.endpointId,
  url: attempt.url,
  response: attempt.error ?? attempt.responseExcerpt,
  responseStatusCode: attempt.responseStatusCode ?? 0,
  responseDurationMs: attempt.responseDurationMs,
  status: attempt.succeeded ? 0 : 2,
  statusText: attempt.succeeded ? 'success' : 'fail',
  triggerType: attempt.trigger === 'manual' ? 1 : 0,
  timestamp: attempt.createdAt.toISOString(),
});
