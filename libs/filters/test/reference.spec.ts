import { compileFilter } from '@hookline/filters';
import fc from 'fast-check';
import { referenceMatches } from './reference-interpreter.js';

// A small vocabulary, shared by payloads and filters, so that generated filters often find the
// fields and values they name and the comparison exercises both answers.
const KEYS = ['a', 'b', 'c', '0', '1'];
const scalar = fc.constantFrom(0, 1, 2, -1, 2.5, 'x', 'y', 'xy', '', 'X1', true, false, null);

const { payloadValue } = fc.letrec<{ payloadValue: unknown }>((tie) => ({
  payloadValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('payloadValue'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('payloadValue'), { maxKeys: 3 }),
  ),
}));
const payload = fc.dictionary(fc.constantFrom(...KEYS), payloadValue, { maxKeys: 4 });

/** A dotted field key of 1-3 segments; a `$` is never last (that would be refused). */
const fieldKey = fc
  .array(fc.constantFrom(...KEYS, '$'), { minLength: 1, maxLength: 3 })
  .map((segments) => (segments.at(-1) === '$' ? [...segments, 'a'] : segments).join('.'));

const orderable = fc.constantFrom(0, 1, 2, -1, 'x', 'xy', 'y', '');
const operators = fc
  .record(
    {
      $eq: payloadValue,
      $neq: payloadValue,
      $gt: orderable,
      $gte: orderable,
      $lt: orderable,
      $lte: orderable,
      $in: fc.oneof(fc.array(payloadValue, { maxLength: 4 }), scalar),
      $nin: fc.oneof(fc.array(payloadValue, { maxLength: 4 }), scalar),
      $exist: fc.boolean(),
      $regex: fc.constantFrom('^x', 'y$', 'x|y', '^$', '[0-9]', '^X\\d$'),
    },
    { requiredKeys: [] },
  )
  .filter((ops) => Object.keys(ops).length > 0);

// Depth is shared by nested objects and $and/$or, and bounded, so filters stay within the limits.
const nesting = { maxDepth: 3, depthIdentifier: 'filter' } as const;
const { conditions } = fc.letrec<{ conditions: Record<string, unknown>; condition: unknown; logical: Record<string, unknown> }>((tie) => ({
  condition: fc.oneof(nesting, scalar, fc.array(scalar, { maxLength: 2 }), operators, tie('conditions').filter((nested) => Object.keys(nested).length > 0)),
  logical: fc.oneof(
    nesting,
    fc.constant({}),
    fc.record({ $and: fc.array(tie('conditions'), { minLength: 1, maxLength: 2 }) }),
    fc.record({ $or: fc.array(tie('conditions'), { minLength: 1, maxLength: 3 }) }),
  ),
  conditions: fc.tuple(fc.dictionary(fieldKey, tie('condition'), { maxKeys: 3 }), tie('logical')).map(([fields, logical]) => ({ ...fields, ...logical })),
}));

describe('the compiled predicate agrees with the reference interpreter', () => {
  it('on generated filters and payloads', () => {
    const outcomes = { matched: 0, unmatched: 0 };
    fc.assert(
      fc.property(conditions, fc.array(payload, { minLength: 1, maxLength: 5 }), (filter, payloads) => {
        const result = compileFilter(filter);
        // Nesting can stack a fourth `$` onto a path, which is refused; every other refusal is a bug.
        fc.pre(result.ok || result.problems.every((problem) => problem.message.includes('array wildcards')));
        if (!result.ok) return;
        for (const candidate of payloads) {
          const expected = referenceMatches(filter, candidate);
          expect(result.predicate(candidate)).toBe(expected);
          outcomes[expected ? 'matched' : 'unmatched']++;
        }
      }),
      { numRuns: 1_500 },
    );
    // Both answers are common enough for the agreement to mean something.
    expect(outcomes.matched).toBeGreaterThan(100);
    expect(outcomes.unmatched).toBeGreaterThan(100);
  });
});

describe('compiling any JSON document', () => {
  /** The value at `path` in `document`, or undefined when the path does not exist there. */
  function at(document: unknown, path: Array<string | number>): unknown {
    let node = document;
    for (const segment of path) {
      if (node === null || typeof node !== 'object' || !Object.hasOwn(node, segment)) return undefined;
      node = (node as Record<string | number, unknown>)[segment];
    }
    return node;
  }

  it('never throws; a refusal names places that exist in the document, and a predicate never throws either', () => {
    const document = fc.oneof(fc.jsonValue({ maxDepth: 5 }), conditions);
    fc.assert(
      fc.property(document, payload, (filter, candidate) => {
        const result = compileFilter(filter);
        if (result.ok) {
          expect(typeof result.predicate(candidate)).toBe('boolean');
          return;
        }
        expect(result.problems.length).toBeGreaterThan(0);
        for (const problem of result.problems) {
          expect(at(filter, problem.path)).not.toBeUndefined();
          if (problem.operator !== undefined) expect(problem.path.at(-1)).toBe(problem.operator);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
