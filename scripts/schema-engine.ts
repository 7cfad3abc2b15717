/**
 * Prisma's migrate engine as WebAssembly, driven through the pg driver adapter. The native engine cannot be
 * downloaded on offline machines, so migration SQL is generated with this instead of `prisma migrate dev`.
 */
import { readFileSync } from 'node:fs';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { SchemaEngine } from '@prisma/schema-engine-wasm';

export const SCHEMA_PATH = 'prisma/schema.prisma';

export interface SchemaEngineHandle {
  diff(params: unknown): Promise<unknown>;
}

// Postgres' internal one-byte "char" type (OID 18, e.g. pg_class.relkind) appears in the engine's
// introspection queries, but @prisma/adapter-pg 7.10 has no mapping for it and rejects the result. Its
// values arrive as strings anyway, so report the column as text (OID 25).
const PG_CHAR = 18;
const PG_TEXT = 25;

let patched = false;

/** Patches the adapter's query class (shared by connections, transactions and the shadow database). */
async function teachAdapterPgChar(factory: PrismaPg): Promise<void> {
  if (patched) return;
  const adapter = await factory.connect();
  let proto = Object.getPrototypeOf(adapter);
  while (proto && !Object.hasOwn(proto, 'performIO')) proto = Object.getPrototypeOf(proto);
  const performIO = proto.performIO as (q: unknown) => Promise<{ fields: { dataTypeID: number }[] }>;
  proto.performIO = async function (this: unknown, query: unknown) {
    const result = await performIO.call(this, query);
    for (const field of result.fields) if (field.dataTypeID === PG_CHAR) field.dataTypeID = PG_TEXT;
    return result;
  };
  patched = true;
  await adapter.dispose();
}

export async function openSchemaEngine(connectionString: string): Promise<SchemaEngineHandle> {
  const text = readFileSync(SCHEMA_PATH, 'utf8');
  const factory = new PrismaPg({ connectionString });
  await teachAdapterPgChar(factory);
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  return SchemaEngine.new({ datamodels: [[SCHEMA_PATH, text]] }, () => {}, adapter);
}

export function schemaDatamodelTarget(): unknown {
  return {
    tag: 'schemaDatamodel',
    files: [{ path: SCHEMA_PATH, content: readFileSync(SCHEMA_PATH, 'utf8') }],
  };
}
