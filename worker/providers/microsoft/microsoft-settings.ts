/**
 * Microsoft settings from the validated config, in the shape the OAuth flow and the session take.
 * The extra CA file is read once per process; it is added to Node's bundled roots (an https Agent's
 * `ca` replaces them), so a corporate proxy CA or the emulator's certificate can sit beside Microsoft's.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { Config } from '../../config.js';

export interface MicrosoftSettings {
  clientId: string;
  clientSecret: string;
  authority: string;
  graphBaseUrl?: string;
  ca?: string[];
  requestsPerSecond: number;
}

const caCache = new Map<string, string[]>();

function trustedCas(file: string): string[] {
  let cas = caCache.get(file);
  if (!cas) {
    cas = [...rootCertificates, readFileSync(file, 'utf8')];
    caCache.set(file, cas);
  }
  return cas;
}

/** null when the client id/secret are not configured; the caller words the error for its context. */
export function microsoftSettings(config: Config): MicrosoftSettings | null {
  if (!config.MICROSOFT_CLIENT_ID || !config.MICROSOFT_CLIENT_SECRET) return null;
  return {
    clientId: config.MICROSOFT_CLIENT_ID,
    clientSecret: config.MICROSOFT_CLIENT_SECRET,
    authority: config.MICROSOFT_AUTHORITY.replace(/\/+$/, ''),
    ...(config.MICROSOFT_GRAPH_URL ? { graphBaseUrl: config.MICROSOFT_GRAPH_URL } : {}),
    ...(config.MICROSOFT_CA_FILE ? { ca: trustedCas(config.MICROSOFT_CA_FILE) } : {}),
    requestsPerSecond: config.MICROSOFT_REQUESTS_PER_SECOND,
  };
}
