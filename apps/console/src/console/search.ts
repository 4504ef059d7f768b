/**
 * Whether any of the fields contains every word of the search, ignoring case: "acme eu" finds
 * "ACME Europe". An empty search matches everything.
 */
export function matchesSearch(search: string, fields: Array<string | null>): boolean {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const text = fields.filter((field): field is string => field !== null).join(' ').toLowerCase();
  return words.every((word) => text.includes(word));
}
