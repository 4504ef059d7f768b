import { EmitTurnstile } from '../../src/ingest-topic/emit-turnstile.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('EmitTurnstile', () => {
  it('lets a record emit only after every earlier record of its lane has left, other lanes untouched', async () => {
    const turnstile = new EmitTurnstile();
    const { signal } = new AbortController();
    const first = turnstile.enter('p0/app/k', '10', signal);
    const second = turnstile.enter('p0/app/k', '11', signal);
    const other = turnstile.enter('p0/app/other', '12', signal);
    const order: string[] = [];
    void second.turn().then(() => order.push('second'));
    void other.turn().then(() => order.push('other'));
    await first.turn().then(() => order.push('first'));
    await tick();
    expect(order).toEqual(['other', 'first']);
    first.leave();
    await tick();
    expect(order).toEqual(['other', 'first', 'second']);
    second.leave();
    other.leave();
    expect(turnstile.size).toBe(0);
  });

  it('keeps a failed record in place: its retry gets the same ticket, and the records behind it wait', async () => {
    const turnstile = new EmitTurnstile();
    const { signal } = new AbortController();
    turnstile.enter('lane', '1', signal);
    const behind = turnstile.enter('lane', '2', signal);
    let passed = false;
    void behind.turn().then(() => (passed = true));
    await tick();
    expect(passed).toBe(false);
    // The transport runs the handler of offset 1 again: same place in the lane.
    turnstile.enter('lane', '1', signal).leave();
    await tick();
    expect(passed).toBe(true);
  });

  it("abandons a generation's tickets with its signal's reason as it ends, and refuses any record still from it", async () => {
    const turnstile = new EmitTurnstile();
    const first = new AbortController();
    turnstile.enter('lane', '1', first.signal);
    const waiting = turnstile.enter('lane', '2', first.signal).turn();
    // A rebalance: offset 1 went to another consumer and was committed there; offset 2 is fetched again.
    const over = new Error('generation over');
    first.abort(over);
    await expect(waiting).rejects.toBe(over);
    expect(turnstile.size).toBe(0);
    const next = new AbortController();
    await expect(turnstile.enter('lane', '2', next.signal).turn()).resolves.toBeUndefined();
    await expect(turnstile.enter('lane', '3', first.signal).turn()).rejects.toBe(over);
  });
});
