import { describe, expect, it } from 'vitest';
import { operationalEventTypesOf } from './operational-event-types';

/** A document whose operational endpoint's create takes `eventTypes` as given. */
const documentWith = (eventTypes: unknown) => ({
  paths: {
    '/api/v1/app/{app_id}/endpoint': { post: { requestBody: { content: { 'application/json': { schema: { properties: { eventTypes: { type: 'array', items: { type: 'string', enum: ['not.this'] } } } } } } } } },
    '/api/v1/operational-webhook/endpoint': { post: { requestBody: { content: { 'application/json': { schema: { properties: { url: { type: 'string' }, eventTypes } } } } } } },
  },
});

describe('operationalEventTypesOf', () => {
  it("reads the enum of the operational endpoint's eventTypes, through a nullable array", () => {
    const eventTypes = { anyOf: [{ type: 'array', minItems: 1, items: { type: 'string', enum: ['endpoint.created', 'message.attempt.exhausted'] } }, { type: 'null' }] };
    expect(operationalEventTypesOf(documentWith(eventTypes))).toEqual(['endpoint.created', 'message.attempt.exhausted']);
  });

  it('is empty when the document does not say', () => {
    expect(operationalEventTypesOf(null)).toEqual([]);
    expect(operationalEventTypesOf({ paths: {} })).toEqual([]);
    expect(operationalEventTypesOf(documentWith({ type: 'array', items: { type: 'string' } }))).toEqual([]);
  });
});
