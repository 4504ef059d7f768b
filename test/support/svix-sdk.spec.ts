import { notServedInReadme, problemsAgainst, returnModelOf, sdkMethods } from './svix-sdk.js';

// The contract test's reading of the svix SDK: it must find what is wrong, or its passing means nothing.

describe("the contract test's reading of the svix SDK", () => {
  const endpoint = { id: 'ep_1', metadata: {}, url: 'https://example.com', description: '', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00Z' };

  it('finds methods by reflection, nested resources included, and what each resolves to', () => {
    const methods = sdkMethods();
    expect(methods).toEqual(expect.arrayContaining(['application.list', 'endpoint.getHeaders', 'operationalWebhook.endpoint.list', 'message.poller.poll']));
    expect([returnModelOf('endpoint.getHeaders'), returnModelOf('application.getOrCreate'), returnModelOf('health.get'), returnModelOf('operationalWebhook.endpoint.list')]).toEqual([
      'EndpointHeadersOut',
      'ApplicationOut',
      null,
      'ListResponseOperationalWebhookEndpointOut',
    ]);
  });

  it('takes an answer that has every required field with its type, optional ones absent or typed', () => {
    expect(problemsAgainst(endpoint, 'EndpointOut')).toEqual([]);
    expect(problemsAgainst({ data: [endpoint], iterator: null, prevIterator: null, done: true }, 'ListResponseEndpointOut')).toEqual([]);
  });

  it('names each field missing, mistyped, or not in the model, however deep', () => {
    const withoutUrl = Object.fromEntries(Object.entries(endpoint).filter(([field]) => field !== 'url'));
    expect(problemsAgainst({ ...withoutUrl, disabled: 'no', createdAt: 'yesterday', extra: 1 }, 'EndpointOut')).toEqual([
      'EndpointOut.url: missing (required by EndpointOut)',
      'EndpointOut.disabled: not a boolean (got "no")',
      'EndpointOut.createdAt: not an RFC 3339 time (got "yesterday")',
      'EndpointOut.extra: not a field of EndpointOut',
    ]);
    expect(problemsAgainst({ ...endpoint, extra: 1 }, 'EndpointOut', { EndpointOut: ['extra'] })).toEqual([]);
    expect(problemsAgainst({ data: [{ ...endpoint, channels: [1] }], iterator: null, done: 'yes' }, 'ListResponseEndpointOut')).toEqual([
      'ListResponseEndpointOut.data[0].channels[0]: not a string (got 1)',
      'ListResponseEndpointOut.done: not a boolean (got "yes")',
    ]);
    expect(problemsAgainst({ headers: { a: 'b' }, sensitive: null }, 'EndpointHeadersOut')).toEqual(['EndpointHeadersOut.sensitive: not an array (got null)']);
  });

  it("checks enums by their members' values", () => {
    const attempt = { id: 'a', msgId: 'm', endpointId: 'e', url: 'u', response: '', responseStatusCode: 0, responseDurationMs: 1, status: 0, statusText: 'success', triggerType: 0, timestamp: '2026-01-01T00:00:00Z' };
    expect(problemsAgainst(attempt, 'MessageAttemptOut')).toEqual([]);
    expect(problemsAgainst({ ...attempt, status: 7, statusText: 'done' }, 'MessageAttemptOut')).toEqual([
      'MessageAttemptOut.status: 7 is none of MessageStatus (0, 1, 2, 3, 4)',
      'MessageAttemptOut.statusText: "done" is none of MessageStatusText (success, pending, fail, sending, canceled)',
    ]);
  });

  it("reads the README's table of methods not served, several to a row", () => {
    const readme = '# x\n### SDK methods Hookline does not serve\n\n| Methods | Why not |\n| --- | --- |\n| `a.b`, `a.c` | A reason |\n| `d.e` | Another |\n\n## Next\n| `f.g` | not in the section |\n';
    expect([...notServedInReadme(readme)]).toEqual([
      ['a.b', 'A reason'],
      ['a.c', 'A reason'],
      ['d.e', 'Another'],
    ]);
  });
});
