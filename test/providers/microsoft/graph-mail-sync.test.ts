import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMessages } from '../../../worker/emulator/mailbox-generator.js';
import { graphMessageId } from '../../../worker/emulator/microsoft/graph-message-json.js';
import { graphMailCursorSchema } from '../../../worker/providers/microsoft/graph-mail-cursor.js';
import { providerErrorOf } from '../../support/provider-error.js';
import { drainMail, type GraphTestEnv, NOW, sorted, startGraphTestEnv, USER } from './graph-test-env.js';

describe('Graph mail sync against the emulator (real Graph client over HTTPS)', () => {
  let env: GraphTestEnv;
  let finalCursor: unknown;

  beforeAll(async () => {
    env = await startGraphTestEnv({ messages: 1200, people: 100, seed: 11 });
  });
  afterAll(() => env.close());

  it('reads the profile with aliases from proxyAddresses', async () => {
    const profile = await env.session().profile();
    expect(profile).toEqual({ email: USER.email, aliases: [USER.email, ...USER.aliases], name: USER.name });
  });

  it('backfills exactly the seeded mailbox: Inbox then Sent Items, page by page', async () => {
    const result = await drainMail(env.session({ pageSize: 200 }), null);
    const seeded = sorted(env.mailbox.messages.map((m) => graphMessageId(m.id)));
    expect(result.ids).toHaveLength(seeded.length);
    expect(sorted(result.ids)).toEqual(seeded);
    expect(result.skipped).toEqual([]);
    expect(result.deleted).toEqual([]);
    const sent = env.mailbox.messages.filter((m) => m.labelIds.includes('SENT')).length;
    const pages = Math.ceil((1200 - sent) / 200) + Math.ceil(sent / 200);
    expect(result.calls).toBe(pages);
    expect(result.pages.slice(0, -1).every((p) => !p.done)).toBe(true);
    const sentRecords = result.records.filter((r) => r.labels.includes('SENT'));
    expect(sentRecords).toHaveLength(sent);
    const cursor = graphMailCursorSchema.parse(result.cursor);
    expect(cursor).toMatchObject({
      v: 1,
      folder: 'inbox',
      inbox: { phase: 'synced' },
      sentitems: { phase: 'synced' },
    });
    expect(env.emulator.counters().requests['graph.messages.delta']).toBe(pages);
    finalCursor = result.cursor;
  });

  it('maps what Mail.ReadBasic gives', async () => {
    const page = await env.session().mailChanges(null);
    const record = page.records[0];
    expect(record?.from?.address).toMatch(/@/);
    expect(record?.messageId).toBeTruthy();
    expect(record?.messageId).not.toMatch(/^</);
    expect(record?.threadId).toMatch(/^AAQkAD/);
    expect(record?.sentAt).toBeInstanceOf(Date);
    expect(record?.receivedAt).toBeInstanceOf(Date);
    expect(record?.snippet).toBeNull();
  });

  it('a round with the final cursor returns nothing new (one call per folder)', async () => {
    const result = await drainMail(env.session(), finalCursor);
    expect(result.records).toEqual([]);
    expect(result.deleted).toEqual([]);
    expect(result.calls).toBe(2);
    finalCursor = result.cursor;
  });

  it('after appending messages, the next delta round returns exactly those', async () => {
    const fresh = generateMessages({
      user: USER,
      count: 50,
      people: 100,
      seed: 12,
      peopleSeed: 11,
      start: new Date(NOW.getTime() + 60_000),
      end: new Date(NOW.getTime() + 3_600_000),
    });
    const ids = env.emulator.appendMessages(USER.email, fresh);
    const result = await drainMail(env.session(), finalCursor);
    expect(sorted(result.ids)).toEqual(sorted(ids));
    expect(new Set(result.ids).size).toBe(50);
    finalCursor = result.cursor;
  });

  it('reports deletions as @removed', async () => {
    const victim = env.mailbox.messages[10];
    if (!victim) throw new Error('fixture');
    env.emulator.deleteMessages(USER.email, [victim.id]);
    const result = await drainMail(env.session(), finalCursor);
    expect(result.deleted).toEqual([graphMessageId(victim.id)]);
    expect(result.ids).toEqual([]);
    finalCursor = result.cursor;
  });

  it('an expired delta token is cursor_invalid; a restart from null yields the same ids, no duplicates', async () => {
    env.emulator.expireDeltaTokens(USER.email);
    const error = await providerErrorOf(env.session().mailChanges(finalCursor));
    expect(error.kind).toBe('cursor_invalid');
    expect(error.options.status).toBe(410);

    const restart = await drainMail(env.session({ pageSize: 300 }), null);
    expect(new Set(restart.ids).size).toBe(restart.ids.length);
    const victim = env.mailbox.messages[10];
    const expected = new Set(env.mailbox.messages.map((m) => graphMessageId(m.id)));
    if (victim) expected.delete(graphMessageId(victim.id));
    const appended = restart.ids.filter((id) => !expected.has(id));
    expect(appended).toHaveLength(50);
    expect(restart.ids.filter((id) => expected.has(id))).toHaveLength(expected.size);
  });

  it('a stored cursor that is not ours is cursor_invalid', async () => {
    const error = await providerErrorOf(env.session().mailChanges({ v: 1, phase: 'backfill' }));
    expect(error.kind).toBe('cursor_invalid');
  });
});
