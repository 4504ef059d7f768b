import { EndpointGuard } from '../../src/endpoints/endpoint-guard.js';

function guard() {
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms) };
  const subject = new EndpointGuard({ threshold: 3, cooldownMs: 10_000, maxInlineWaitMs: 500, now: () => now });
  return { subject, clock };
}

describe('EndpointGuard', () => {
  it('lets at most `rate` requests start in any second, waiting briefly or deferring', () => {
    const { subject, clock } = guard();
    for (let i = 0; i < 5; i++) {
      expect(subject.admit('e', 5)).toEqual({ kind: 'go' });
      clock.advance(100);
    }
    // Five started in the last 500 ms: the sixth waits until the first leaves the window (1 s + 100 ms guard).
    clock.advance(200);
    expect(subject.admit('e', 5)).toEqual({ kind: 'wait', ms: 400 });
    clock.advance(400);
    expect(subject.admit('e', 5)).toEqual({ kind: 'go' });
    // Another endpoint is not affected.
    expect(subject.admit('other', 5)).toEqual({ kind: 'go' });
  });

  it('defers a long rate-limit wait instead of holding it', () => {
    const { subject } = guard();
    expect(subject.admit('e', 1)).toEqual({ kind: 'go' });
    expect(subject.admit('e', 1)).toMatchObject({ kind: 'defer', reason: 'rate limit: 1/s' });
  });

  it('opens the circuit after the threshold, probes once after the cooldown, and doubles it on failure', () => {
    const { subject, clock } = guard();
    for (let i = 0; i < 3; i++) {
      expect(subject.admit('e', null)).toEqual({ kind: 'go' });
      subject.record('e', false);
    }
    expect(subject.admit('e', null)).toMatchObject({ kind: 'defer', ms: 10_000 });
    clock.advance(10_000);
    expect(subject.admit('e', null)).toEqual({ kind: 'go' }); // the probe
    expect(subject.admit('e', null)).toMatchObject({ kind: 'defer' }); // only one probe at a time
    subject.record('e', false);
    expect(subject.admit('e', null)).toMatchObject({ kind: 'defer', ms: 20_000 });
    clock.advance(20_000);
    expect(subject.admit('e', null)).toEqual({ kind: 'go' });
    subject.record('e', true);
    expect(subject.admit('e', null)).toEqual({ kind: 'go' });
    expect(subject.admit('e', null)).toEqual({ kind: 'go' });
  });

  it('does not extend the cooldown for failures of requests admitted before the circuit opened', () => {
    const { subject, clock } = guard();
    // Five requests in flight at once; all fail, the later ones after the third opened the circuit.
    for (let i = 0; i < 5; i++) expect(subject.admit('e', null)).toEqual({ kind: 'go' });
    for (let i = 0; i < 5; i++) {
      subject.record('e', false);
      clock.advance(1_000);
    }
    // Opened by the third failure, 3 s ago: 7 s left of the first cooldown, not a doubled one.
    expect(subject.admit('e', null)).toMatchObject({ kind: 'defer', ms: 7_000 });
    clock.advance(7_000);
    expect(subject.admit('e', null)).toEqual({ kind: 'go' });
  });

  it('starts a later outage from the first cooldown again once a success closed the circuit', () => {
    const { subject, clock } = guard();
    const fail = (times: number) => {
      for (let i = 0; i < times; i++) {
        subject.admit('e', null);
        subject.record('e', false);
      }
    };
    fail(3);
    clock.advance(10_000);
    fail(1); // the probe fails: 20 s
    expect(subject.admit('e', null)).toMatchObject({ kind: 'defer', ms: 20_000 });
    clock.advance(20_000);
    expect(subject.admit('e', null)).toEqual({ kind: 'go' });
    subject.record('e', true);
    fail(3);
    expect(subject.admit('e', null)).toMatchObject({ kind: 'defer', ms: 10_000 });
  });

  it('closes the circuit when the endpoint is changed after its last failure (re-enabled, new URL)', () => {
    const { subject, clock } = guard();
    for (let i = 0; i < 3; i++) subject.record('e', false);
    const lastFailure = clock.advance(0);
    expect(subject.admit('e', null, lastFailure - 1)).toMatchObject({ kind: 'defer' });
    expect(subject.admit('e', null, lastFailure + 1)).toEqual({ kind: 'go' });
  });
});
