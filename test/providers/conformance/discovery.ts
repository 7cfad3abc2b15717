/**
 * A small validator for Google discovery documents: finds the method a request calls, checks its
 * query against the method's parameters, and checks an answer against the method's response schema.
 * Every check returns a list of problems ("where: what") so a test can show all of them at once.
 *
 * Discovery conventions relied on (https://developers.google.com/discovery/v1/reference/apis):
 * - parameters have `type` string | integer | boolean, optional `enum`, `minimum`/`maximum` (as
 *   strings), `required`, `repeated`, `location` path | query, and a `format` (int64/uint64 numbers
 *   travel as strings; date-time is RFC 3339);
 * - schemas are JSON-Schema-like: object `properties` / `additionalProperties`, array `items`, `$ref`
 *   to another schema by name; no `required` lists, so a missing field is never a problem here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface DiscoveryParameter {
  type: 'string' | 'integer' | 'boolean' | 'number';
  location: 'path' | 'query';
  enum?: string[];
  minimum?: string;
  maximum?: string;
  required?: boolean;
  repeated?: boolean;
  format?: string;
  description?: string;
}

export interface DiscoveryMethod {
  id: string;
  httpMethod: string;
  path: string;
  flatPath?: string;
  parameters?: Record<string, DiscoveryParameter>;
  response?: { $ref: string };
}

export interface DiscoverySchema {
  type?: string;
  $ref?: string;
  properties?: Record<string, DiscoverySchema>;
  additionalProperties?: DiscoverySchema;
  items?: DiscoverySchema;
  enum?: string[];
  format?: string;
}

interface DiscoveryResource {
  methods?: Record<string, DiscoveryMethod>;
  resources?: Record<string, DiscoveryResource>;
}

export interface DiscoveryDocument extends DiscoveryResource {
  id: string;
  servicePath: string;
  batchPath?: string;
  parameters: Record<string, DiscoveryParameter>;
  schemas: Record<string, DiscoverySchema>;
}

const SPECS = path.resolve(import.meta.dirname, '../../fixtures/api-specs');

export function loadDiscovery(file: string): DiscoveryDocument {
  return JSON.parse(readFileSync(path.join(SPECS, file), 'utf8')) as DiscoveryDocument;
}

export function allMethods(doc: DiscoveryResource): DiscoveryMethod[] {
  return [
    ...Object.values(doc.methods ?? {}),
    ...Object.values(doc.resources ?? {}).flatMap((r) => allMethods(r)),
  ];
}

export function methodById(doc: DiscoveryDocument, id: string): DiscoveryMethod {
  const method = allMethods(doc).find((m) => m.id === id);
  if (!method) throw new Error(`${doc.id} has no method ${id}`);
  return method;
}

/** `gmail/v1/users/{userId}/messages/{id}` → a regex over the URL path (leading slash included). */
function pathPattern(doc: DiscoveryDocument, method: DiscoveryMethod): RegExp {
  const template = `/${doc.servicePath}${method.flatPath ?? method.path}`;
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\{\+?[^}]+\}/g, '[^/]+')}$`);
}

/** The method a request (HTTP verb + URL path) calls, or null. */
export function findMethod(
  doc: DiscoveryDocument,
  httpMethod: string,
  urlPath: string,
): DiscoveryMethod | null {
  return (
    allMethods(doc).find((m) => m.httpMethod === httpMethod && pathPattern(doc, m).test(urlPath)) ?? null
  );
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const INT64 = /^-?\d+$/;

function checkScalar(where: string, spec: DiscoveryParameter | DiscoverySchema, value: string): string[] {
  if (spec.enum && !spec.enum.includes(value))
    return [`${where}: '${value}' is not one of ${spec.enum.join('|')}`];
  if (spec.type === 'boolean' && value !== 'true' && value !== 'false')
    return [`${where}: '${value}' is not a boolean`];
  if (spec.type === 'integer') {
    if (!INT64.test(value)) return [`${where}: '${value}' is not an integer`];
    const p = spec as DiscoveryParameter;
    if (p.minimum !== undefined && Number(value) < Number(p.minimum))
      return [`${where}: ${value} is below the minimum ${p.minimum}`];
    if (p.maximum !== undefined && Number(value) > Number(p.maximum))
      return [`${where}: ${value} is above the maximum ${p.maximum}`];
  }
  if (spec.format === 'date-time' && !RFC3339.test(value)) return [`${where}: '${value}' is not RFC 3339`];
  if ((spec.format === 'int64' || spec.format === 'uint64') && !INT64.test(value))
    return [`${where}: '${value}' is not an ${spec.format} string`];
  return [];
}

/**
 * A request's query against the method: every name is a method or API-wide parameter, values fit
 * their type, enum and range, only `repeated` parameters repeat, required ones are present.
 * `extraMaximum` adds limits the discovery document states only in prose (see proseMaximum).
 */
export function checkQuery(
  doc: DiscoveryDocument,
  method: DiscoveryMethod,
  query: URLSearchParams,
  extraMaximum: Record<string, number> = {},
): string[] {
  const problems: string[] = [];
  const params = method.parameters ?? {};
  for (const name of new Set(query.keys())) {
    const spec = params[name]?.location === 'query' ? params[name] : doc.parameters[name];
    if (!spec) {
      problems.push(`${method.id}?${name}: no such parameter`);
      continue;
    }
    const values = query.getAll(name);
    if (values.length > 1 && !spec.repeated)
      problems.push(`${method.id}?${name}: repeated but not repeatable`);
    for (const value of values) {
      problems.push(...checkScalar(`${method.id}?${name}`, spec, value));
      const max = extraMaximum[name];
      if (max !== undefined && Number(value) > max)
        problems.push(`${method.id}?${name}: ${value} is above the documented maximum ${max}`);
    }
  }
  for (const [name, spec] of Object.entries(params))
    if (spec.location === 'query' && spec.required && !query.has(name))
      problems.push(`${method.id}?${name}: required but missing`);
  return problems;
}

/** A maximum a parameter's description states in words ("… is 500", "… larger than 2500 …"). */
export function proseMaximum(spec: DiscoveryParameter | undefined): number | null {
  const match = /(?:maximum allowed value for this field is|can never be larger than) (\d+)/.exec(
    spec?.description ?? '',
  );
  return match?.[1] ? Number(match[1]) : null;
}

/** The parameters a parameter's description lists as not allowed with it ("These are: - a - b …"). */
export function proseExclusions(spec: DiscoveryParameter | undefined): string[] {
  const list = /These are:([\s\S]*?)(?:If the|$)/.exec(spec?.description ?? '')?.[1] ?? '';
  return [...list.matchAll(/-\s*(\w+)/g)].map((m) => m[1] ?? '');
}

/** A JSON value against a schema; unknown object properties are problems (the emulator invents nothing). */
export function checkSchema(
  doc: DiscoveryDocument,
  schema: DiscoverySchema,
  value: unknown,
  where: string,
): string[] {
  if (schema.$ref) {
    const target = doc.schemas[schema.$ref];
    if (!target) return [`${where}: schema ${schema.$ref} not in the document`];
    return checkSchema(doc, target, value, where);
  }
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return [`${where}: not an object`];
      const problems: string[] = [];
      for (const [key, child] of Object.entries(value)) {
        const spec = schema.properties?.[key] ?? schema.additionalProperties;
        if (!spec) problems.push(`${where}.${key}: not in the schema`);
        else problems.push(...checkSchema(doc, spec, child, `${where}.${key}`));
      }
      return problems;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${where}: not an array`];
      return value.flatMap((item, i) => checkSchema(doc, schema.items ?? {}, item, `${where}[${i}]`));
    case 'string':
      if (typeof value !== 'string') return [`${where}: not a string`];
      return checkScalar(where, schema, value);
    case 'integer':
      return Number.isInteger(value) ? [] : [`${where}: not an integer`];
    case 'number':
      return typeof value === 'number' ? [] : [`${where}: not a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${where}: not a boolean`];
    case 'any':
    case undefined:
      return [];
    default:
      return [`${where}: unknown schema type ${schema.type}`];
  }
}
