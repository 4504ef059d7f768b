/** The path segment that stands for any element of an array (Convoy's `$.` positional syntax). */
export const ARRAY_WILDCARD = '$';

/** Convoy refuses more wildcards than this in one path; so does Hookline, so the same filters pass. */
export const MAX_ARRAY_WILDCARDS = 3;

/** A test on a value found at a path: called only for values that are present. */
export type ValueTest = (value: unknown) => boolean;

/** A compiled lookup: true when some value at the path (any element, for a wildcard) passes. */
export type PathProbe = (payload: unknown) => boolean;

const MISSING = Symbol('missing');
const CANONICAL_INDEX = /^(?:0|[1-9][0-9]{0,8})$/;

interface Step {
  key: string;
  /** The array index the key names, or -1: `0`, `12`; not `01`, `-1`, `1e3`. */
  index: number;
  wildcard: boolean;
}

function stepOf(segment: string): Step {
  return { key: segment, index: CANONICAL_INDEX.test(segment) ? Number(segment) : -1, wildcard: segment === ARRAY_WILDCARD };
}

/** Own properties only, and indices only of arrays: nothing reaches a prototype. */
function childOf(node: unknown, step: Step): unknown {
  if (typeof node !== 'object' || node === null) return MISSING;
  if (Array.isArray(node)) return step.index >= 0 && step.index < node.length ? node[step.index] : MISSING;
  return Object.hasOwn(node, step.key) ? (node as Record<string, unknown>)[step.key] : MISSING;
}

function someBelow(node: unknown, steps: readonly Step[], from: number, test: ValueTest): boolean {
  let at = node;
  for (let position = from; position < steps.length; position++) {
    const step = steps[position]!;
    if (step.wildcard) {
      if (!Array.isArray(at)) return false;
      for (const element of at) if (someBelow(element, steps, position + 1, test)) return true;
      return false;
    }
    at = childOf(at, step);
    if (at === MISSING) return false;
  }
  return test(at);
}

/**
 * Compiles a path into a probe that walks the payload without allocating: each segment names an
 * object's own key or, when it is a canonical integer, an array's index; `$` fans out over an
 * array's elements, and the probe is true when the test passes for any of them. A path that does
 * not resolve (a missing key, an index past the end, a key on a scalar) gives no value at all,
 * and so is false.
 */
export function compilePathProbe(segments: readonly string[], test: ValueTest): PathProbe {
  const steps = segments.map(stepOf);
  if (steps.some((step) => step.wildcard)) return (payload) => someBelow(payload, steps, 0, test);
  if (steps.length === 1) {
    const only = steps[0]!;
    return (payload) => {
      const value = childOf(payload, only);
      return value !== MISSING && test(value);
    };
  }
  return (payload) => {
    let at = payload;
    for (const step of steps) {
      at = childOf(at, step);
      if (at === MISSING) return false;
    }
    return test(at);
  };
}
