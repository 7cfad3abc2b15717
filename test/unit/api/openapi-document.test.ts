/**
 * The OpenAPI document of /v1 is generated from the zod schemas: it passes a standard OpenAPI validator,
 * names exactly the parameters the query schemas accept, and answers that the schemas refuse are
 * refused by the document too.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { openApiDocument, V1_OPERATIONS } from '../../../worker/api/openapi.js';
import { coolingOffAnswer, problemAnswer, shapeAnswer } from '../../../worker/api/v1-schemas.js';

// biome-ignore lint/suspicious/noExplicitAny: a generated JSON document, read by path
type Json = Record<string, any>;
const doc = openApiDocument() as Json;

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document (@readme/openapi-parser)', async () => {
    // validate() dereferences in place: give it a copy.
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(doc.openapi).toBe('3.1.0');
    // The validator does refuse a broken document.
    const broken = structuredClone(doc);
    broken.paths['/v1/people'].get.responses['200'].content['application/json'].schema = { type: 'nope' };
    delete broken.info;
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it('is the same with a server URL, which becomes its one server', async () => {
    const served = openApiDocument({ serverUrl: 'https://rapport.example.com/' }) as Json;
    expect(served.servers).toEqual([{ url: 'https://rapport.example.com' }]);
    const { servers: _servers, ...rest } = served;
    expect(rest).toEqual(doc);
    expect((await validate(structuredClone(served) as never)).valid).toBe(true);
  });

  it("has every /v1 operation, with the path and query schemas' parameters and descriptions", () => {
    expect(Object.keys(doc.paths).sort()).toEqual(
      [...new Set(V1_OPERATIONS.map((op) => op.path)), '/v1/openapi.json'].sort(),
    );
    for (const op of V1_OPERATIONS) {
      const get = doc.paths[op.path][op.method ?? 'get'];
      const pathParams = Object.keys(op.params?.shape ?? {});
      expect(
        get.parameters.map((p: Json) => p.name),
        op.path,
      ).toEqual([...pathParams, ...Object.keys(op.query.out.shape)]);
      for (const p of get.parameters) {
        const inPath = pathParams.includes(p.name);
        expect(p.in).toBe(inPath ? 'path' : 'query');
        expect(p.required).toBe(inPath);
        expect(p.description, `${op.path} ${p.name}`).toMatch(/\w/);
      }
      expect(Object.keys(get.responses)).toEqual(['200', ...op.errors.map(String)]);
    }
    const limit = doc.paths['/v1/cooling-off'].get.parameters.find((p: Json) => p.name === 'limit');
    expect(limit.schema).toEqual({ default: 20, type: 'integer', minimum: 1, maximum: 1000 });
    const asOf = doc.paths['/v1/people'].get.parameters.find((p: Json) => p.name === 'asOf');
    expect(asOf.schema.anyOf.map((s: Json) => s.format)).toEqual(['date-time', 'date']);
  });

  it('needs a bearer token everywhere but for itself', () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/v1/openapi.json'].get.security).toEqual([]);
    expect(doc.components.responses.Unauthorized.headers['WWW-Authenticate'].required).toBe(true);
    expect(doc.components.responses.TooManyRequests.headers['Retry-After'].required).toBe(true);
  });

  it('describes answers with the schemas the routes shape them with (JSON Schema from zod, output side)', () => {
    const s = doc.components.schemas;
    expect(s.CoolingOffList).toMatchObject({
      type: 'array',
      items: { $ref: '#/components/schemas/CoolingOffEntry' },
    });
    expect(s.CoolingOffEntry.required).toEqual(Object.keys(coolingOffAnswer.element.shape));
    expect(s.CoolingOffEntry.additionalProperties).toBe(false);
    expect(s.CoolingOffEntry.properties.tier).toEqual({ $ref: '#/components/schemas/Tier' });
    expect(s.CoolingOffEntry.properties.lastInteractionAt.anyOf[1]).toEqual({ type: 'null' });
    expect(s.Error.required).toEqual(['error']);
    for (const schema of Object.values(s) as Json[]) {
      expect(schema.$id).toBeUndefined();
      expect(schema.$schema).toBeUndefined();
    }
    expect(JSON.stringify(doc)).not.toContain(String(Number.MAX_SAFE_INTEGER));
  });

  it('shapeAnswer keeps fields and order, and a mismatch is a plain Error (a 500), not a ZodError (a 400)', () => {
    const entry = {
      name: null,
      email: 'a@example.com',
      tier: 'one-way',
      strength: 3,
      lastInteractionAt: '2001-12-01T00:00:00.000Z',
      usualGapDays: null,
      daysSilent: 14,
      fadingProbability: 0.5,
      reason: 'quiet',
    };
    expect(JSON.stringify(shapeAnswer(coolingOffAnswer, [entry]))).toBe(JSON.stringify([entry]));
    let thrown: unknown;
    try {
      shapeAnswer(coolingOffAnswer, [{ ...entry, strength: 'strong' }]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).constructor).toBe(Error);
    expect((thrown as Error).message).toMatch(/does not match its schema[\s\S]*strength/);
    expect(problemAnswer.safeParse({ error: 'x', details: [{ param: 'limit', message: 'y' }] }).success).toBe(
      true,
    );
  });

  const written = path.resolve(import.meta.dirname, '../../../docs/openapi.json');
  it('docs/openapi.json is up to date (npm run openapi)', () => {
    expect(JSON.parse(readFileSync(written, 'utf8'))).toEqual(doc);
  });
});
