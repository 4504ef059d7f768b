import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Svix } from 'svix';
import ts from 'typescript';

// The official svix SDK (the version package.json pins) read as the contract: its methods found
// by reflection on a client, what each returns and every model's fields read from the sources it
// ships (src/api, src/models), so that an answer of Hookline's is checked against the model the
// SDK parses it with, field by field, and no method can be added by an SDK upgrade unnoticed.

const SOURCES = join(dirname(createRequire(import.meta.url).resolve('svix/package.json')), 'src');

/** Every method of a client, as `resource.method` (`endpoint.getHeaders`, `operationalWebhook.endpoint.list`), found by reflection. */
export function sdkMethods(): string[] {
  const client = new Svix('unused', { serverUrl: 'http://127.0.0.1:9' });
  const methods: string[] = [];
  const walk = (target: object, prefix: string) => {
    const prototype = Object.getPrototypeOf(target) as object;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (name === 'constructor') continue;
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
      if (descriptor.get) walk((target as Record<string, object>)[name]!, `${prefix}${name}.`);
      else if (typeof descriptor.value === 'function') methods.push(`${prefix}${name}`);
    }
  };
  walk(client, '');
  return methods;
}

/** The class behind a resource path of the client (`endpoint` → Endpoint), from the bundle's constructor names. */
function resourceClass(path: string[]): string {
  let target: object = new Svix('unused', { serverUrl: 'http://127.0.0.1:9' });
  for (const name of path) target = (target as Record<string, object>)[name]!;
  // The bundler renames a class whose name another one took (Endpoint$1).
  return target.constructor.name.replace(/\$\d+$/, '');
}

type Field = { jsonKey: string; optional: boolean; type: ts.TypeNode };
type Declaration = { kind: 'interface'; fields: Map<string, Field> } | { kind: 'enum'; values: Array<string | number> } | { kind: 'alias'; type: ts.TypeNode };

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

let declarations: Map<string, Declaration> | null = null;

/** Every model of src/models: interfaces (with the JSON key each field is read from), enums and aliases. */
function models(): Map<string, Declaration> {
  if (declarations) return declarations;
  declarations = new Map();
  const directory = join(SOURCES, 'models');
  for (const name of readdirSync(directory).filter((file) => file.endsWith('.ts'))) {
    const source = parse(join(directory, name));
    const text = source.getFullText();
    // The serializer reads each field from `object["<json key>"]`: mostly the field's own name.
    const reader = text.slice(text.indexOf('_fromJsonObject'), text.indexOf('_toJsonObject'));
    const jsonKeys = new Map([...reader.matchAll(/^\s+(\w+): [^\n]*?object\["([^"]+)"\]/gm)].map(([, field, key]) => [field!, key!]));
    for (const statement of source.statements) {
      if (ts.isInterfaceDeclaration(statement)) {
        const fields = new Map<string, Field>();
        for (const member of statement.members) {
          if (!ts.isPropertySignature(member) || !member.type) continue;
          const field = member.name.getText(source).replace(/^"|"$/g, '');
          fields.set(field, { jsonKey: jsonKeys.get(field) ?? field, optional: Boolean(member.questionToken), type: member.type });
        }
        declarations.set(statement.name.text, { kind: 'interface', fields });
      } else if (ts.isEnumDeclaration(statement)) {
        const values = statement.members.map((member) => {
          const initializer = member.initializer!;
          return ts.isNumericLiteral(initializer) ? Number(initializer.text) : (initializer as ts.StringLiteral).text;
        });
        declarations.set(statement.name.text, { kind: 'enum', values });
      } else if (ts.isTypeAliasDeclaration(statement)) {
        declarations.set(statement.name.text, { kind: 'alias', type: statement.type });
      }
    }
  }
  return declarations;
}

let returned: Map<string, string | null> | null = null;

/** What each method of each class of src/api resolves to: a model's name, or null for void. */
function returnTypes(): Map<string, string | null> {
  if (returned) return returned;
  returned = new Map();
  const directory = join(SOURCES, 'api');
  for (const name of readdirSync(directory).filter((file) => file.endsWith('.ts'))) {
    const source = parse(join(directory, name));
    for (const statement of source.statements) {
      if (!ts.isClassDeclaration(statement) || !statement.name) continue;
      for (const member of statement.members) {
        if (!ts.isMethodDeclaration(member) || !member.type || !ts.isTypeReferenceNode(member.type)) continue;
        const resolved = member.type.typeArguments?.[0];
        if (!resolved) continue;
        const model = resolved.kind === ts.SyntaxKind.VoidKeyword ? null : resolved.getText(source);
        returned.set(`${statement.name.text}.${member.name.getText(source)}`, model);
      }
    }
  }
  return returned;
}

/** The model a method's answer is parsed as (null: no body), from the SDK's sources. */
export function returnModelOf(method: string): string | null {
  const parts = method.split('.');
  const key = `${resourceClass(parts.slice(0, -1))}.${parts.at(-1)}`;
  const types = returnTypes();
  if (!types.has(key)) throw new Error(`${method}: no ${key} with a Promise return type in the svix SDK's sources`);
  return types.get(key)!;
}

/** Whether the JSON text is an RFC 3339 time, as the SDK's Date fields are sent. */
const isTime = (value: unknown) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value);

/**
 * What is wrong with a JSON value as the SDK's type: each problem with the value's place. A
 * required field must be there (null only where the model allows it); a field the model does not
 * have must be among `extra` (Hookline's own, which the SDK ignores), by model name.
 */
export function problemsAgainst(value: unknown, model: string, extra: Record<string, readonly string[]> = {}): string[] {
  const problems: string[] = [];
  const check = (value: unknown, type: ts.TypeNode, at: string): boolean => {
    const before = problems.length;
    const fail = (why: string) => problems.push(`${at}: ${why} (got ${JSON.stringify(value)?.slice(0, 80)})`);
    switch (type.kind) {
      case ts.SyntaxKind.AnyKeyword:
        if (value === undefined) fail('missing');
        break;
      case ts.SyntaxKind.StringKeyword:
        if (typeof value !== 'string') fail('not a string');
        break;
      case ts.SyntaxKind.NumberKeyword:
        if (typeof value !== 'number') fail('not a number');
        break;
      case ts.SyntaxKind.BooleanKeyword:
        if (typeof value !== 'boolean') fail('not a boolean');
        break;
      case ts.SyntaxKind.LiteralType: {
        const literal = (type as ts.LiteralTypeNode).literal;
        if (literal.kind === ts.SyntaxKind.NullKeyword) {
          if (value !== null) fail('not null');
        } else if (ts.isStringLiteral(literal) && value !== literal.text) fail(`not "${literal.text}"`);
        break;
      }
      case ts.SyntaxKind.ArrayType:
        if (!Array.isArray(value)) fail('not an array');
        else value.forEach((item, index) => check(item, (type as ts.ArrayTypeNode).elementType, `${at}[${index}]`));
        break;
      case ts.SyntaxKind.ParenthesizedType:
        return check(value, (type as ts.ParenthesizedTypeNode).type, at);
      case ts.SyntaxKind.UnionType: {
        // One member must take the value; the problems of the closest miss are the ones told.
        const attempts = (type as ts.UnionTypeNode).types.map((member) => {
          const mark = problems.length;
          const ok = check(value, member, at);
          return { ok, found: problems.splice(mark) };
        });
        if (!attempts.some((attempt) => attempt.ok)) problems.push(...attempts.reduce((best, next) => (next.found.length < best.found.length ? next : best)).found);
        break;
      }
      case ts.SyntaxKind.IntersectionType:
        for (const member of (type as ts.IntersectionTypeNode).types) check(value, member, at);
        break;
      case ts.SyntaxKind.TypeLiteral: {
        // Only the SDK's maps: `{ [key: string]: T }`.
        const signature = (type as ts.TypeLiteralNode).members.find(ts.isIndexSignatureDeclaration);
        if (!signature) throw new Error(`${at}: a type literal the checker does not know`);
        if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('not an object');
        else for (const [key, item] of Object.entries(value)) check(item, signature.type, `${at}.${key}`);
        break;
      }
      case ts.SyntaxKind.TypeReference: {
        const name = (type as ts.TypeReferenceNode).typeName.getText();
        if (name === 'Date') {
          if (!isTime(value)) fail('not an RFC 3339 time');
          break;
        }
        checkModel(value, name, at);
        break;
      }
      default:
        throw new Error(`${at}: a type the checker does not know (${ts.SyntaxKind[type.kind]})`);
    }
    return problems.length === before;
  };
  const checkModel = (value: unknown, name: string, at: string) => {
    const declaration = models().get(name);
    if (!declaration) throw new Error(`${at}: no model ${name} in the svix SDK's sources`);
    if (declaration.kind === 'alias') {
      check(value, declaration.type, at);
      return;
    }
    if (declaration.kind === 'enum') {
      if (!declaration.values.includes(value as string | number)) problems.push(`${at}: ${JSON.stringify(value)} is none of ${name} (${declaration.values.join(', ')})`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${at}: not an object (${name})`);
      return;
    }
    const object = value as Record<string, unknown>;
    for (const [field, { jsonKey, optional, type }] of declaration.fields) {
      if (!(jsonKey in object)) {
        if (!optional) problems.push(`${at}.${jsonKey}: missing (required by ${name})`);
        continue;
      }
      // An optional field may be absent; given, it must have the field's type.
      check(object[jsonKey], type, `${at}.${field}`);
    }
    const known = new Set([...declaration.fields.values()].map((field) => field.jsonKey));
    for (const key of Object.keys(object)) if (!known.has(key) && !extra[name]?.includes(key)) problems.push(`${at}.${key}: not a field of ${name}`);
  };
  checkModel(value, model, model);
  return problems;
}

/** One request the SDK made and its answer. */
export interface Exchange {
  method: string;
  path: string;
  status: number;
  body: string;
}

/** A fetch for the SDK's `fetch` option that keeps every exchange, so that the raw answer can be checked. */
export function recordingFetch(exchanges: Exchange[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    exchanges.push({ method: init?.method ?? 'GET', path: url.pathname + url.search, status: response.status, body: await response.clone().text() });
    return response;
  };
}

/** The README's list of the SDK methods Hookline does not serve, each with its reason: the table under its "Not served" heading. */
export function notServedInReadme(readme: string): Map<string, string> {
  const start = readme.indexOf('\n### SDK methods Hookline does not serve\n');
  if (start < 0) throw new Error('the README has no "### SDK methods Hookline does not serve" section');
  const section = readme.slice(start + 1, readme.indexOf('\n#', start + 2));
  const rows = [...section.matchAll(/^\| ((?:`[\w.]+`(?:, )?)+) \| (.*) \|$/gm)];
  return new Map(rows.flatMap(([, methods, reason]) => [...methods!.matchAll(/`([\w.]+)`/g)].map(([, method]) => [method!, reason!.trim()] as const)));
}
