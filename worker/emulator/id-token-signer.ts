/**
 * The emulators' OpenID Connect signing key: one RSA key per emulator, published as a JWKS, signing ID
 * tokens with RS256 as Google and Entra do. Tests can make a token wrong on purpose (`faults`) to check
 * that Rapport refuses it: another audience, an expired one, another nonce, or a key nobody published.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

export interface IdTokenFaults {
  /** `aud` becomes this instead of the client id. */
  audience?: string;
  /** `iss` becomes this. */
  issuer?: string;
  /** The token expired this many seconds ago. */
  expiredSecondsAgo?: number;
  /** `nonce` becomes this instead of the one the request sent. */
  nonce?: string;
  /** Signed with a key that is not in the JWKS (same `kid`): a forged token. */
  foreignKey?: boolean;
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export class IdTokenSigner {
  readonly kid = randomBytes(8).toString('hex');
  private readonly privateKey: KeyObject;
  private readonly publicJwk: Record<string, unknown>;
  private foreign: KeyObject | null = null;
  faults: IdTokenFaults = {};

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: this.kid, use: 'sig', alg: 'RS256' };
  }

  /** GET jwks_uri */
  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [this.publicJwk] };
  }

  /** A signed JWT with `claims`, after applying the configured faults. */
  sign(claims: Record<string, unknown>): string {
    const f = this.faults;
    const now = Math.floor(Date.now() / 1000);
    const body: Record<string, unknown> = { ...claims };
    if (f.audience !== undefined) body.aud = f.audience;
    if (f.issuer !== undefined) body.iss = f.issuer;
    if (f.nonce !== undefined) body.nonce = f.nonce;
    if (f.expiredSecondsAgo !== undefined) {
      body.iat = now - 3600 - f.expiredSecondsAgo;
      body.nbf = body.iat;
      body.exp = now - f.expiredSecondsAgo;
    }
    const input = `${b64url({ alg: 'RS256', kid: this.kid, typ: 'JWT' })}.${b64url(body)}`;
    const key = f.foreignKey ? this.foreignKey() : this.privateKey;
    return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
  }

  private foreignKey(): KeyObject {
    if (!this.foreign) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.foreign = createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }));
    }
    return this.foreign;
  }
}
