/**
 * Bounds on a filter document, checked when it is compiled (at write time), so that what fanout
 * evaluates per event is small and cheap however the filter was written.
 */
export interface FilterLimits {
  /** Nesting of objects and arrays in the document, the root object being level 1. */
  maxDepth: number;
  /** Conditions (each operator, each bare value) plus `$and`/`$or` nodes. */
  maxNodes: number;
  /** Segments of one field path, the dotted key and the enclosing objects' keys together. */
  maxPathSegments: number;
  /** Members of one `$in`/`$nin` list. */
  maxInListSize: number;
  /** Characters of one `$regex` pattern. */
  maxRegexLength: number;
  /**
   * Instructions of one compiled `$regex` program. RE2 matches in time linear in the input, and
   * when its DFA gives up, proportional to program size times input: this bounds the cost per
   * character.
   */
  maxRegexProgramSize: number;
  /**
   * Characters that all the `$regex` tests of one evaluation may examine together; a test that
   * would go past it does not match. With the program size, this bounds what one filter costs per
   * event whatever the payload (a wildcard can hand a regex every string of a 256 KiB payload).
   */
  maxRegexInputPerEvaluation: number;
}

export const DEFAULT_FILTER_LIMITS: Readonly<FilterLimits> = Object.freeze({
  maxDepth: 16,
  maxNodes: 256,
  maxPathSegments: 32,
  maxInListSize: 1000,
  maxRegexLength: 512,
  maxRegexProgramSize: 256,
  maxRegexInputPerEvaluation: 65_536,
});
