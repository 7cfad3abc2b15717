/**
 * A small validator over the Graph v1.0 metadata subset (test/fixtures/api-specs): the structural
 * properties of an entity or complex type (base types included), `$select` names, and JSON values
 * against OData types (Edm.String, Edm.Boolean, Edm.Int32, Edm.DateTimeOffset, enums, complex types,
 * Collection(…)), honouring `nullable`. Problems come back as "where: what" strings.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface GraphProperty {
  type: string;
  nullable: boolean;
}

interface GraphType {
  kind: 'EntityType' | 'ComplexType' | 'EnumType';
  baseType?: string;
  properties?: Record<string, GraphProperty>;
  members?: string[];
}

export interface GraphMetadata {
  types: Record<string, GraphType>;
  deltaFunctions: {
    bindingType: string;
    customQueryOptions: { name: string; required: boolean }[];
  }[];
}

export function loadGraphMetadata(): GraphMetadata {
  const file = path.resolve(import.meta.dirname, '../../fixtures/api-specs/graph-v1.0.subset.json');
  return JSON.parse(readFileSync(file, 'utf8')) as GraphMetadata;
}

const local = (name: string): string => name.replace(/^(graph|microsoft\.graph)\./, '');

/** Every structural property of a type, its base types' included. */
export function propertiesOf(meta: GraphMetadata, typeName: string): Map<string, GraphProperty> {
  const type = meta.types[local(typeName)];
  if (!type) throw new Error(`type ${typeName} is not in the metadata subset`);
  const inherited = type.baseType ? propertiesOf(meta, type.baseType) : new Map<string, GraphProperty>();
  for (const [name, prop] of Object.entries(type.properties ?? {})) inherited.set(name, prop);
  return inherited;
}

export function checkSelect(meta: GraphMetadata, typeName: string, select: readonly string[]): string[] {
  const properties = propertiesOf(meta, typeName);
  return select.filter((p) => !properties.has(p)).map((p) => `$select=${p}: not a property of ${typeName}`);
}

/** The custom query options of `delta` bound to a collection of `typeName`. */
export function deltaOptions(meta: GraphMetadata, typeName: string): { name: string; required: boolean }[] {
  const fn = meta.deltaFunctions.find((f) => f.bindingType === `Collection(graph.${typeName})`);
  if (!fn) throw new Error(`no delta function on ${typeName}`);
  return fn.customQueryOptions;
}

const DATE_TIME_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})$/;

/** One JSON value against an OData type. */
export function checkValue(
  meta: GraphMetadata,
  type: string,
  nullable: boolean,
  value: unknown,
  where: string,
): string[] {
  if (value === null) return nullable ? [] : [`${where}: null but not nullable`];
  const collection = /^Collection\((.+)\)$/.exec(type)?.[1];
  if (collection) {
    if (!Array.isArray(value)) return [`${where}: not an array (${type})`];
    return value.flatMap((item, i) => checkValue(meta, collection, false, item, `${where}[${i}]`));
  }
  switch (type) {
    case 'Edm.String':
    case 'Edm.Binary':
      return typeof value === 'string' ? [] : [`${where}: not a string`];
    case 'Edm.Boolean':
      return typeof value === 'boolean' ? [] : [`${where}: not a boolean`];
    case 'Edm.Int32':
    case 'Edm.Int64':
      return Number.isInteger(value) ? [] : [`${where}: not an integer`];
    case 'Edm.Double':
      return typeof value === 'number' ? [] : [`${where}: not a number`];
    case 'Edm.DateTimeOffset':
      return typeof value === 'string' && DATE_TIME_OFFSET.test(value)
        ? []
        : [`${where}: not a DateTimeOffset`];
    case 'Edm.Date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? [] : [`${where}: not a Date`];
  }
  const named = meta.types[local(type)];
  if (!named) return [`${where}: type ${type} is not in the metadata subset`];
  if (named.kind === 'EnumType')
    return typeof value === 'string' && named.members?.includes(value)
      ? []
      : [`${where}: '${String(value)}' is not a member of ${type}`];
  return checkObject(meta, local(type), value, where);
}

/**
 * An entity or complex value: every key is a structural property of the type (or an OData control
 * annotation such as `@odata.etag`), every value fits its property's type.
 */
export function checkObject(meta: GraphMetadata, typeName: string, value: unknown, where: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${where}: not an object`];
  const properties = propertiesOf(meta, typeName);
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('@odata.')) continue;
    const prop = properties.get(key);
    if (!prop) problems.push(`${where}.${key}: not a property of ${typeName}`);
    else problems.push(...checkValue(meta, prop.type, prop.nullable, child, `${where}.${key}`));
  }
  return problems;
}
