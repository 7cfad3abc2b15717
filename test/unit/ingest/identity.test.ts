import { describe, expect, it } from 'vitest';
import {
  canonicalAddress,
  groupIdentities,
  isRoomAddress,
  personNameKey,
} from '../../../worker/ingest/identity.js';
import { rng, shuffled } from '../analysis/history-builder.js';

describe('canonicalAddress', () => {
  it.each([
    ['John.Smith@Example.COM', 'john.smith@example.com'],
    ['john.smith+newsletters@example.com', 'john.smith@example.com'],
    ['J.O.H.N+x@gmail.com', 'john@gmail.com'],
    ['john.smith@googlemail.com', 'johnsmith@gmail.com'],
    ['  <Jane@Example.org>  ', 'jane@example.org'],
    ['mailto:jane@example.org', 'jane@example.org'],
    ['+tagonly@example.com', '+tagonly@example.com'], // nothing before the +: left alone
    ['first.last@outlook.com', 'first.last@outlook.com'], // dots only matter at Gmail
    ['not an address', 'not an address'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalAddress(input)).toBe(expected);
  });
});

describe('isRoomAddress', () => {
  it.each([
    ['c_1888abc@resource.calendar.google.com', null],
    ['acme.com_3732@resource.calendar.google.com', 'Building 1-2-Everest (8)'],
    ['room-everest@example.com', null],
    ['conf.rm.3b@example.com', null],
    ['boardroom@example.com', null],
    ['everest@example.com', 'Conf Rm Everest (8)'],
    ['b12@example.com', 'Meeting Room 4.12'],
    ['b13@example.com', 'Conference Room B'],
  ])('%s (%s) is a room', (address, name) => {
    expect(isRoomAddress(address, name)).toBe(true);
  });

  it.each([
    ['jane.doe@example.com', 'Jane Doe'],
    ['broome@example.com', 'Tom Broome'],
    ['roomba@example.com', null],
    ['conference@events.example.com', 'Conference Team'],
  ])('%s (%s) is a person', (address, name) => {
    expect(isRoomAddress(address, name)).toBe(false);
  });
});

describe('personNameKey', () => {
  it('normalizes "Last, First", case, quotes, accents', () => {
    expect(personNameKey('Smith, John')).toBe('john smith');
    expect(personNameKey('"John  SMITH"')).toBe('john smith');
    expect(personNameKey("'Jöhn Smith'")).toBe('john smith');
    expect(personNameKey('Smith, John (Sales)')).toBe('john smith');
  });

  it('refuses names too generic or too short to merge on', () => {
    for (const name of [
      'info',
      'John',
      'Support Team',
      'Outlook Team',
      'Enron Announcements',
      'jane@example.com',
      'J S',
      'A. Smith',
      '',
      null,
      'Room 101',
      'Smith, John, Jr, III',
    ]) {
      expect(personNameKey(name)).toBeNull();
    }
  });
});

describe('names from the Enron mailboxes (real headers)', () => {
  it('a middle initial does not split a person: "Rebecca W. Cantrell" / "Rebecca W Cantrell" / "Rebecca Cantrell"', () => {
    expect(personNameKey('Rebecca W. Cantrell')).toBe('rebecca cantrell');
    expect(personNameKey('Cantrell, Rebecca W.')).toBe('rebecca cantrell');
    const groups = groupIdentities(
      [
        // nemec-g: From: rebecca.cantrell@enron.com / X-From: Rebecca W Cantrell (10 messages)
        { address: 'rebecca.cantrell@enron.com', name: 'Rebecca W Cantrell', seen: 10 },
        // nemec-g: From: "Rebecca W. Cantrell" <w..cantrell@enron.com> (3 messages)
        { address: 'w..cantrell@enron.com', name: 'Rebecca W. Cantrell', seen: 3 },
        // sanders-r: From: frank.vickers@enron.com / X-From: Frank Vickers; and Frank W. Vickers <w..vickers@enron.com>
        { address: 'frank.vickers@enron.com', name: 'Frank Vickers', seen: 2 },
        { address: 'w..vickers@enron.com', name: 'Frank W. Vickers', seen: 1 },
      ],
      [],
    );
    expect(groups.map((g) => [g.addresses, g.primaryAddress])).toEqual([
      [['frank.vickers@enron.com', 'w..vickers@enron.com'], 'frank.vickers@enron.com'],
      [['rebecca.cantrell@enron.com', 'w..cantrell@enron.com'], 'rebecca.cantrell@enron.com'],
    ]);
  });

  it('different people who share a surname stay apart, and "J. Smith" is too little to merge on', () => {
    const groups = groupIdentities(
      [
        { address: 'kim.ward@enron.com', name: 'Kim Ward' },
        { address: 'georgia.ward@enron.com', name: 'Georgia Ward' },
        { address: 'leslie.ward@enron.com', name: 'Leslie A Ward' },
      ],
      [],
    );
    expect(groups).toHaveLength(3);
    expect(personNameKey('J. Smith')).toBeNull();
  });

  it('a full name beats a fragment seen more often', () => {
    const [group] = groupIdentities(
      [
        { address: 'kckrisa@apex2000.net', name: 'Ken', seen: 40 },
        { address: 'kckrisa@apex2000.net', name: 'Ken Krisa', seen: 2 },
      ],
      [],
    );
    expect(group!.name).toBe('Ken Krisa');
  });
});

describe('groupIdentities', () => {
  it('merges canonical-equal addresses and picks the most used name', () => {
    const groups = groupIdentities(
      [
        { address: 'Jane.Doe@gmail.com', name: 'Jane Doe' },
        { address: 'janedoe@googlemail.com', name: 'Jane' },
        { address: 'jane.doe+work@gmail.com', name: 'Jane Doe' },
      ],
      [],
    );
    expect(groups).toEqual([
      {
        key: 'janedoe@gmail.com',
        addresses: ['jane.doe+work@gmail.com', 'jane.doe@gmail.com', 'janedoe@googlemail.com'],
        primaryAddress: 'jane.doe+work@gmail.com',
        name: 'Jane Doe',
        isSelf: false,
      },
    ]);
  });

  it('merges by a specific display name when the addresses fit the name', () => {
    const groups = groupIdentities(
      [
        { address: 'jeff.skilling@enron.com', name: 'Skilling, Jeff' },
        { address: 'jskilling@aol.com', name: 'Jeff Skilling' },
        { address: 'jeff.skilling@enron.com', name: 'Jeff Skilling' },
      ],
      [],
    );
    expect(groups).toHaveLength(1);
    expect(groups[0]!.addresses).toEqual(['jeff.skilling@enron.com', 'jskilling@aol.com']);
    expect(groups[0]!.name).toBe('Jeff Skilling');
  });

  it('does not merge on generic, one-word or address-like names', () => {
    const groups = groupIdentities(
      [
        { address: 'support@a.example', name: 'Support Team' },
        { address: 'support@b.example', name: 'Support Team' },
        { address: 'john@a.example', name: 'John' },
        { address: 'john@b.example', name: 'John' },
        { address: 'x@a.example', name: 'shared@example.com' },
        { address: 'y@b.example', name: 'shared@example.com' },
      ],
      [],
    );
    expect(groups).toHaveLength(6);
  });

  it('does not merge when an address does not fit the name (shared display name)', () => {
    const groups = groupIdentities(
      [
        { address: 'maria.garcia@example.com', name: 'Maria Garcia' },
        { address: 'assistant@example.com', name: 'Maria Garcia' }, // sent on her behalf
      ],
      [],
    );
    expect(groups.map((g) => g.addresses)).toEqual([['assistant@example.com'], ['maria.garcia@example.com']]);
  });

  it('does not merge a common name carried by many addresses', () => {
    const entries = ['a', 'b', 'c', 'd', 'e'].map((d) => ({
      address: `john.smith@${d}.example`,
      name: 'John Smith',
    }));
    expect(groupIdentities(entries, [])).toHaveLength(5);
    expect(groupIdentities(entries.slice(0, 2), [])).toHaveLength(1);
  });

  it("puts the user's own addresses (and their variants) in one self group, never merged by name", () => {
    const groups = groupIdentities(
      [
        { address: 'me+lists@example.com', name: 'Pat Lee' },
        { address: 'pat.lee@gmail.com', name: 'Pat Lee' }, // same name, but not a known alias
        { address: 'other@example.com', name: 'Other Person' },
      ],
      ['ME@example.com', 'pat@work.example'],
    );
    expect(groups).toEqual([
      {
        key: 'me@example.com',
        addresses: ['me+lists@example.com', 'me@example.com', 'pat@work.example'],
        primaryAddress: 'me+lists@example.com',
        name: 'Pat Lee',
        isSelf: true,
      },
      {
        key: 'other@example.com',
        addresses: ['other@example.com'],
        primaryAddress: 'other@example.com',
        name: 'Other Person',
        isSelf: false,
      },
      {
        key: 'patlee@gmail.com',
        addresses: ['pat.lee@gmail.com'],
        primaryAddress: 'pat.lee@gmail.com',
        name: 'Pat Lee',
        isSelf: false,
      },
    ]);
  });

  it('is deterministic whatever the input order', () => {
    const entries = [
      { address: 'jeff.skilling@enron.com', name: 'Skilling, Jeff' },
      { address: 'jskilling@aol.com', name: 'Jeff Skilling' },
      { address: 'bob@example.com', name: null },
      { address: 'Bob@Example.com', name: 'Bob' },
      { address: 'kay.mann@enron.com', name: 'Mann, Kay' },
    ];
    const reference = groupIdentities(entries, ['me@example.com']);
    const random = rng(17);
    const orders = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const order = shuffled(random, entries);
      orders.add(order.map((e) => e.address).join());
      expect(groupIdentities(order, ['me@example.com'])).toEqual(reference);
    }
    expect(orders.size).toBeGreaterThan(10);
    expect(reference.map((g) => g.key)).toEqual([...reference.map((g) => g.key)].sort());
  });

  it('ignores entries without an address', () => {
    expect(
      groupIdentities(
        [
          { address: '', name: 'x' },
          { address: 'no-at-sign', name: null },
        ],
        [],
      ),
    ).toEqual([]);
  });
});
