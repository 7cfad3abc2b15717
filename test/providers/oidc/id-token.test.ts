/** verifyIdToken on its own, with tokens made by jose: each check refuses for its own reason. */
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { IdTokenRejected, verifyIdToken } from '../../../worker/identity/oidc-client.js';

const ISSUER = 'https://login.example/{tenantid}/v2.0';
const CLIENT = 'rapport-client';
let keys: ReturnType<typeof createLocalJWKSet>;
type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let good: Key;
let other: Key;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  good = pair.privateKey;
  other = (await generateKeyPair('RS256')).privateKey;
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] });
});

async function token(claims: JWTPayload, key = good, alg = 'RS256'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: 'https://login.example/t1/v2.0',
    aud: CLIENT,
    sub: 's',
    tid: 't1',
    nonce: 'n1',
    ...claims,
  })
    .setProtectedHeader({ alg, kid: 'k1' })
    .setIssuedAt(now)
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : now + 600)
    .sign(key);
}
const check = (jwt: string) => verifyIdToken(jwt, { issuer: ISSUER, audience: CLIENT, nonce: 'n1', keys });

describe('verifyIdToken', () => {
  it('accepts a good token, filling {tenantid} from tid', async () => {
    expect((await check(await token({}))).sub).toBe('s');
  });
  it.each([
    ['wrong audience', { aud: 'someone-else' }, /aud/],
    ['issuer of another tenant than tid', { iss: 'https://login.example/t2/v2.0' }, /issuer/],
    ['no nonce', { nonce: undefined }, /nonce/],
    ['wrong nonce', { nonce: 'n2' }, /nonce/],
    ['several audiences, azp not us', { aud: [CLIENT, 'other'], azp: 'other' }, /authorized party/],
    ['expired beyond a minute', { exp: Math.floor(Date.now() / 1000) - 120 }, /exp/],
  ])('refuses %s', async (_label, claims, reason) => {
    await expect(check(await token(claims as JWTPayload))).rejects.toThrow(IdTokenRejected);
    await expect(check(await token(claims as JWTPayload))).rejects.toThrow(reason);
  });
  it('refuses a signature by another key, and alg other than RS256', async () => {
    await expect(check(await token({}, other))).rejects.toThrow(/signature/);
    const hs = await new SignJWT({
      iss: 'https://login.example/t1/v2.0',
      aud: CLIENT,
      sub: 's',
      tid: 't1',
      nonce: 'n1',
    })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    await expect(check(hs)).rejects.toThrow(IdTokenRejected);
  });
});
