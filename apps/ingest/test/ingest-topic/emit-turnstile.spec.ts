import { EmitTurnstile, TurnAbandoned } from '../../src/ingest-topic/emit-turnstile.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('EmitTurnstile', () => {
  it('lets a record emit only after every earlier record of its lane has left, other lanes untouched', async () => {
    const turnstile = new EmitTurnstile();
    const first = turnstile.enter('p0/app/k', '10', 1);
    const second = turnstile.enter('p0/app/k', '11', 1);
    const other = turnstile.enter('p0/app/other', '12', 1);
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
    turnstile.enter('lane', '1', 1);
    const behind = turnstile.enter('lane', '2', 1);
    let passed = false;
    void behind.turn().then(() => (passed = true));
    await tick();
    expect(passed).toBe(false);
    // The transport runs the handler of offset 1 again: same place in the lane.
    turnstile.enter('lane', '1', 1).leave();
    await tick();
    expect(passed).toBe(true);
  });

  it('abandons the tickets of an older generation, and refuses any record still from it', async () => {
    const turnstile = new EmitTurnstile();
    turnstile.enter('lane', '1', 1);
    const waiting = turnstile.enter('lane', '2', 1).turn();
    // A rebalance: offset 1 went to another consumer and was committed there; offset 2 is fetched again.
    const again = turnstile.enter('lane', '2', 2);
    await expect(waiting).rejects.toBeInstanceOf(TurnAbandoned);
    await expect(again.turn()).resolves.toBeUndefined();
    await expect(turnstile.enter('lane', '3', 1).turn()).rejects.toBeInstanceOf(TurnAbandoned);
  });
});
