/**
 * Query parameters each emulated Google method accepts, written from the method's entry in its
 * discovery document (types, enums, minimum/maximum, plus limits the descriptions state in prose),
 * and the check that refuses what Google refuses: an unknown parameter, a value outside an enum, a
 * number out of range, a boolean that is not `true`/`false`. The conformance test
 * (test/providers/conformance) compares these tables with the discovery documents, so they cannot
 * silently drift from the real API.
 */
import { ApiFailure } from './google-error-body.js';

export type ParamSpec =
  | { type: 'string'; repeated?: true; enum?: readonly string[] }
  | { type: 'integer'; minimum?: number; maximum?: number }
  | { type: 'boolean' };

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** Parameters every method of the API takes (the discovery document's top-level `parameters`). */
export const GMAIL_SYSTEM_PARAMS = [
  '$.xgafv',
  'access_token',
  'alt',
  'callback',
  'fields',
  'key',
  'oauth_token',
  'prettyPrint',
  'quotaUser',
  'uploadType',
  'upload_protocol',
] as const;
export const CALENDAR_SYSTEM_PARAMS = [
  'alt',
  'fields',
  'key',
  'oauth_token',
  'prettyPrint',
  'quotaUser',
  'userIp',
] as const;

const invalid = (message: string, location: string): ApiFailure =>
  new ApiFailure(400, message, 'invalid', { location, locationType: 'parameter' });

/** Throws a 400 in Google's envelope for the first parameter Google would refuse. */
export function checkQuery(query: URLSearchParams, specs: ParamSpecs, system: readonly string[]): void {
  for (const [name, value] of query) {
    const spec = specs[name];
    if (!spec) {
      if (system.includes(name)) continue;
      throw invalid(
        `Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter. Field '${name}' could not be found in request message.`,
        name,
      );
    }
    if (spec.type === 'string' && spec.enum && !spec.enum.includes(value))
      throw invalid(`Invalid value at '${name}' (TYPE_ENUM), "${value}"`, name);
    if (spec.type === 'boolean' && value !== 'true' && value !== 'false')
      throw invalid(`Invalid value '${value}'. Values must be one of: true, false`, name);
    if (spec.type === 'integer') {
      if (!/^-?\d+$/.test(value))
        throw invalid(
          `Invalid value '${value}'. Values must match the following regular expression: '-?[0-9]+'`,
          name,
        );
      const n = Number(value);
      const { minimum = Number.MIN_SAFE_INTEGER, maximum = Number.MAX_SAFE_INTEGER } = spec;
      if (n < minimum || n > maximum)
        throw invalid(
          `Invalid value '${value}'. Values must be within the range: [${spec.minimum ?? ''}, ${spec.maximum ?? ''}]`,
          name,
        );
    }
  }
}
