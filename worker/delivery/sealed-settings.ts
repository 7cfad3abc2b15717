/**
 * The Slack webhook URL (whoever has it can post to the channel) and the webhook signing secret are
 * credentials, so they are stored sealed like refresh tokens: AES-256-GCM under TOKEN_ENCRYPTION_KEYS, with
 * the user id and the field as additional data, so a value copied into another user's row or another
 * field does not open. Stored as `<keyId>.<ciphertext>` (base64 has no dot).
 */
import type { TokenCipher } from '../security/token-cipher.js';
import type { ChannelSettings } from './channels.js';

type SecretField = 'slackWebhookUrl' | 'webhookSecret';

const binding = (userId: string, field: SecretField) => `delivery:${userId}:${field}`;

export function sealSetting(cipher: TokenCipher, userId: string, field: SecretField, value: string): string {
  const sealed = cipher.seal(value, binding(userId, field));
  return `${sealed.keyId}.${sealed.ciphertext}`;
}

export function openSetting(
  cipher: TokenCipher,
  userId: string,
  field: SecretField,
  stored: string | null,
): string | null {
  if (stored === null) return null;
  const dot = stored.lastIndexOf('.');
  if (dot <= 0) throw new Error(`stored ${field} is not sealed`);
  return cipher.open(
    { keyId: stored.slice(0, dot), ciphertext: stored.slice(dot + 1) },
    binding(userId, field),
  );
}

/** A user's channel settings with their secrets opened, ready for sendersFor. */
export function openChannelSettings(
  cipher: TokenCipher,
  userId: string,
  settings: ChannelSettings | null,
): ChannelSettings | null {
  if (!settings) return null;
  return {
    ...settings,
    slackWebhookUrl: openSetting(cipher, userId, 'slackWebhookUrl', settings.slackWebhookUrl),
    webhookSecret: openSetting(cipher, userId, 'webhookSecret', settings.webhookSecret),
  };
}
