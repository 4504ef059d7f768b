import { errorMessage } from './errors';

/**
 * A payload (or another JSON object, named by `what`) typed into a form: it must be a JSON
 * object, as the API takes. The problem, if any, says what is wrong in words a person can act on.
 */
export function parsePayload(text: string, what = 'The payload'): { payload: Record<string, unknown> } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `${what} is not valid JSON: ${errorMessage(error)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: `${what} must be a JSON object ({ … }).` };
  return { payload: value as Record<string, unknown> };
}

/**
 * The example payload of an event type's schema, if its catalogue entry has one: Svix's `schemas`
 * map a version to a JSON Schema, whose `examples` (or `example`) hold sample payloads. The
 * newest version that has an object example wins.
 */
export function schemaExample(schemas: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!schemas) return null;
  const versions = Object.keys(schemas).sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
  for (const version of versions) {
    const schema = schemas[version] as { examples?: unknown; example?: unknown } | null;
    const candidates = [...(Array.isArray(schema?.examples) ? schema.examples : []), schema?.example];
    const example = candidates.find((candidate) => typeof candidate === 'object' && candidate !== null && !Array.isArray(candidate));
    if (example) return example as Record<string, unknown>;
  }
  return null;
}
