// A slow, literal reading of the semantics in libs/filters/README.md, built differently from the
// library on purpose: it lists every node of the payload with its concrete path, selects the
// nodes a field path names by comparing paths, compares JSON values by their canonical text, and
// runs `$regex` with JavaScript's RegExp (the generated patterns mean the same in both engines).
// The property test checks the compiled predicate against it.

interface Located {
  path: string[];
  /** For each segment of `path`, whether it indexed an array (rather than named an object key). */
  indexed: boolean[];
  value: unknown;
}

function locateAll(root: unknown): Located[] {
  const found: Located[] = [];
  const visit = (value: unknown, path: string[], indexed: boolean[]) => {
    found.push({ path, indexed, value });
    if (Array.isArray(value)) value.forEach((element, index) => visit(element, [...path, String(index)], [...indexed, true]));
    else if (value !== null && typeof value === 'object') for (const [key, child] of Object.entries(value)) visit(child, [...path, key], [...indexed, false]);
  };
  visit(root, [], []);
  return found;
}

function names(pattern: string[], node: Located): boolean {
  if (pattern.length !== node.path.length) return false;
  return pattern.every((segment, position) => (segment === '$' ? node.indexed[position] : segment === node.path[position]));
}

const valuesAt = (payload: unknown, pattern: string[]) => locateAll(payload).filter((node) => names(pattern, node)).map((node) => node.value);

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonical(child)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function inList(value: unknown, operand: unknown): boolean {
  return Array.isArray(operand) ? operand.some((member) => same(value, member)) : Array.isArray(value) && value.some((element) => same(element, operand));
}

function operatorHolds(operator: string, operand: unknown, value: unknown): boolean {
  switch (operator) {
    case '$eq':
      return same(value, operand);
    case '$neq':
      return !same(value, operand);
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      if (typeof value !== typeof operand || (typeof value !== 'number' && typeof value !== 'string')) return false;
      const [a, b] = [value as number, operand as number];
      return { $gt: a > b, $gte: a >= b, $lt: a < b, $lte: a <= b }[operator];
    }
    case '$in':
      return inList(value, operand);
    case '$nin':
      return !inList(value, operand);
    case '$regex':
      return typeof value === 'string' && new RegExp(operand as string, 'u').test(value);
    default:
      throw new Error(`the reference interpreter does not know ${operator}`);
  }
}

function bareHolds(expected: unknown, value: unknown): boolean {
  if (Array.isArray(expected)) return same(value, expected);
  return same(value, expected) || (Array.isArray(value) && value.some((element) => same(element, expected)));
}

/** Whether `payload` passes the filter `conditions` placed at the field path `field`. */
export function referenceMatches(conditions: Record<string, unknown>, payload: unknown, field: string[] = []): boolean {
  const operators: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(conditions)) {
    if (key === '$and') {
      if (!(value as Array<Record<string, unknown>>).every((branch) => referenceMatches(branch, payload, field))) return false;
    } else if (key === '$or') {
      if (!(value as Array<Record<string, unknown>>).some((branch) => referenceMatches(branch, payload, field))) return false;
    } else if (key === '$exist') {
      if (valuesAt(payload, field).length > 0 !== value) return false;
    } else if (key.startsWith('$') && !key.startsWith('$.')) {
      operators.push([key, value]);
    } else {
      const path = [...field, ...key.split('.')];
      if (isObject(value)) {
        if (!referenceMatches(value, payload, path)) return false;
      } else if (!valuesAt(payload, path).some((found) => bareHolds(value, found))) {
        return false;
      }
    }
  }
  if (operators.length === 0) return true;
  return valuesAt(payload, field).some((found) => operators.every(([operator, operand]) => operatorHolds(operator, operand, found)));
}
