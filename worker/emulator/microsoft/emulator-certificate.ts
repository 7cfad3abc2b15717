/**
 * A throwaway TLS identity for the Graph emulator. The Graph client only attaches the bearer token
 * to https URLs (Graph's own hosts or `customHosts`), so the emulator must speak TLS; clients trust
 * it by passing `cert` as their `ca` (an https Agent, or NODE_EXTRA_CA_CERTS for a child process).
 */
import { generate } from 'selfsigned';

export interface EmulatorCertificate {
  /** PEM certificate: also the CA to trust (it is self-signed). */
  cert: string;
  /** PEM private key. */
  key: string;
}

export async function createEmulatorCertificate(): Promise<EmulatorCertificate> {
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 7 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
