/**
 * Debian's Chromium for the browser tests, launched as the machine's own probe runs it: headless, as
 * root, with no calls home (the network is closed). Missing Chromium fails the test with the command
 * that installs it, rather than skipping it. Screenshots go to test-artifacts/ (kept by CI).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');

/** `why`: what cannot be checked without it, for the error message. */
export async function launchChromium(why: string): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}, so ${why}. Install it with: apt-get update && apt-get install -y chromium`,
    );
  }
  // playwright gives every launch a new, empty profile directory of its own.
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Where a screenshot called `name` goes, the folder created if needed. */
export async function artifactPath(name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
