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
 * The example payload of an event type's schema, as send-example picks it: Svix's `schemas` map a
 * version to a JSON Schema, whose `examples` (or single `example`) hold sample payloads. The newest
 * version that has any gives its first; null when there is none, or it is not a JSON object (the
 * API would refuse to send it).
 */
export function schemaExample(schemas: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!schemas) return null;
  const versions = Object.keys(schemas).sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
  for (const version of versions) {
    const schema = schemas[version] as { examples?: unknown; example?: unknown } | null;
    const examples = Array.isArray(schema?.examples) ? schema.examples : schema?.example === undefined ? undefined : [schema.example];
    if (examples === undefined) continue;
    const first: unknown = examples[0];
    return typeof first === 'object' && first !== null && !Array.isArray(first) ? (first as Record<string, unknown>) : null;
  }
  return null;
}
