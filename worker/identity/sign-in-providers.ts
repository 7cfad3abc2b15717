/**
 * Which providers a person can sign in with, from the configuration: the same OAuth apps (client id and
 * secret) that connect mailboxes. A provider without both is not offered.
 */
import type { Agent } from 'node:https';
import type { Config } from '../config.js';
import { microsoftSettings } from '../providers/microsoft/microsoft-settings.js';
import { createAgent } from '../providers/microsoft/node-https.js';
import type { OidcProviderSettings, SignInProvider } from './oidc-client.js';

const GOOGLE_ISSUER = 'https://accounts.google.com';
const agents = new Map<string, Agent>();

/** Google, or the emulator: its issuer is the origin of GOOGLE_AUTH_URL when that is set. */
function googleSettings(config: Config): OidcProviderSettings | null {
  if (!config.GOOGLE_CLIENT_ID || !config.GOOGLE_CLIENT_SECRET) return null;
  const issuer = config.GOOGLE_AUTH_URL ? new URL(config.GOOGLE_AUTH_URL).origin : GOOGLE_ISSUER;
  return {
    provider: 'google',
    clientId: config.GOOGLE_CLIENT_ID,
    clientSecret: config.GOOGLE_CLIENT_SECRET,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    acceptsIssuer: (announced) => announced === issuer,
    // Google's ID tokens may name the issuer without the scheme.
    ...(issuer === GOOGLE_ISSUER ? { issuerAliases: ['accounts.google.com'] } : {}),
    extraAuthParams: { prompt: 'select_account' },
  };
}

/**
 * Microsoft's identity platform at MICROSOFT_AUTHORITY (`…/common` by default: work, school and personal
 * accounts). The issuer must be on the authority's host; for `common`/`organizations` it is the template
 * `https://login.microsoftonline.com/{tenantid}/v2.0` and each token's `tid` fills it in.
 */
function entraSettings(config: Config): OidcProviderSettings | null {
  const settings = microsoftSettings(config);
  if (!settings) return null;
  const authorityHost = new URL(settings.authority).host;
  let agent: Agent | undefined;
  if (settings.ca) {
    const key = config.MICROSOFT_CA_FILE ?? '';
    agent = agents.get(key) ?? createAgent(settings.ca);
    agents.set(key, agent);
  }
  return {
    provider: 'microsoft',
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    discoveryUrl: `${settings.authority}/v2.0/.well-known/openid-configuration`,
    acceptsIssuer: (announced) => {
      try {
        const url = new URL(announced.replace('{tenantid}', 'tenant'));
        return url.protocol === 'https:' && url.host === authorityHost && url.pathname.endsWith('/v2.0');
      } catch {
        return false;
      }
    },
    ...(agent ? { agent } : {}),
    extraAuthParams: { prompt: 'select_account' },
  };
}

export function signInProviderSettings(
  config: Config,
  provider: SignInProvider,
): OidcProviderSettings | null {
  return provider === 'google' ? googleSettings(config) : entraSettings(config);
}

/** The providers to offer on /login, in button order. */
export function configuredSignInProviders(config: Config): SignInProvider[] {
  return (['google', 'microsoft'] as const).filter((p) => signInProviderSettings(config, p) !== null);
}
