type Document = { paths?: Record<string, { post?: { requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> } } }> };

/**
 * The operational event types the API takes, as its own OpenAPI document states them (the enum of
 * eventTypes in the body of POST /operational-webhook/endpoint): the server's list is the only one.
 * Empty when the document does not say.
 */
export function operationalEventTypesOf(document: unknown): string[] {
  const create = (document as Document | null)?.paths?.['/api/v1/operational-webhook/endpoint']?.post;
  return firstEnum(create?.requestBody?.content?.['application/json']?.schema?.properties?.eventTypes) ?? [];
}

/** The first list of strings under an `enum`, depth first (the array's items, within an anyOf). */
function firstEnum(schema: unknown): string[] | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const { enum: values } = schema as { enum?: unknown };
  if (Array.isArray(values) && values.every((value) => typeof value === 'string')) return values as string[];
  for (const child of Object.values(schema)) {
    const found = firstEnum(child);
    if (found) return found;
  }
  return undefined;
}
