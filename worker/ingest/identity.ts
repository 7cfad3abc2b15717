/**
 * Identity: which addresses belong to one real person, which are the user, which are rooms.
 *
 * Merging is conservative — a wrong merge (two people shown as one) is worse than a missed one:
 *  - Addresses merge when their canonical forms are equal (canonicalAddress).
 *  - Addresses merge by display name only when ALL of these hold:
 *      · the normalized names are equal ("Smith, John" = "john smith" = "John  SMITH" = "Jöhn Smith"→"john smith";
 *        middle initials are left out: "Rebecca W. Cantrell" = "Rebecca Cantrell");
 *      · the name has ≥ 2 words of ≥ 2 letters and contains no generic word (info, admin, team,
 *        support, …), no digits and no '@' (a name that is an address is no name);
 *      · every address merged this way "matches" the name: its local part contains the last name
 *        or the first name (≥ 3 letters), or is first-initial + last name / first name + last initial;
 *      · at most MAX_ADDRESSES_PER_NAME addresses carry the name (more → a common name or a shared
 *        display name such as a department; not merged);
 *      · no name merge ever touches the user's own group (aliases come from the provider profile).
 *  - The user's own addresses (selfAddresses, canonicalized) form one group with isSelf = true.
 * Output is deterministic: groups sorted by key, addresses sorted.
 */

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * Canonical form of an address for identity: lowercased, `+tag` sub-addressing removed, and for
 * Gmail dots in the local part removed and googlemail.com → gmail.com. Not an address → lowercased input.
 */
export function canonicalAddress(address: string): string {
  const a = address
    .trim()
    .toLowerCase()
    .replace(/^mailto:/, '')
    .replace(/^<|>$/g, '');
  const at = a.lastIndexOf('@');
  if (at <= 0 || at === a.length - 1) return a;
  let local = a.slice(0, at);
  let domain = a.slice(at + 1).replace(/\.$/, '');
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (GMAIL_DOMAINS.has(domain)) {
    domain = 'gmail.com';
    const undotted = local.replace(/\./g, '');
    if (undotted) local = undotted;
  }
  return `${local}@${domain}`;
}

const ROOM_DOMAINS = ['resource.calendar.google.com'];
const ROOM_TOKENS = new Set([
  'room',
  'rooms',
  'confroom',
  'conferenceroom',
  'meetingroom',
  'boardroom',
  'confrm',
]);

/**
 * Heuristic: is this a meeting room / calendar resource rather than a person? True for Google
 * resource calendars (…@resource.calendar.google.com), and for addresses or display names with a
 * room word ("Room 4.12", "Conf Rm 3B", "Boardroom", "room-everest@…", "Meeting Room (8)").
 */
export function isRoomAddress(address: string, name: string | null): boolean {
  const a = address.trim().toLowerCase();
  const at = a.lastIndexOf('@');
  const domain = at === -1 ? '' : a.slice(at + 1);
  if (ROOM_DOMAINS.some((d) => domain === d || domain.endsWith(`.${d}`))) return true;
  const localTokens = (at === -1 ? a : a.slice(0, at)).split(/[^a-z0-9]+/).filter(Boolean);
  if (localTokens.some((t) => ROOM_TOKENS.has(t))) return true;
  if (localTokens.includes('conf') && localTokens.includes('rm')) return true;
  if (name) {
    const words = foldName(name)
      .split(/[^a-z0-9]+/)
      .filter(Boolean);
    if (words.some((t) => ROOM_TOKENS.has(t))) return true;
    if (
      (words.includes('conf') || words.includes('conference')) &&
      (words.includes('rm') || words.includes('room'))
    )
      return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------

/** Words that make a display name a role or a system, never a person. */
export const GENERIC_NAME_WORDS: ReadonlySet<string> = new Set([
  'info',
  'information',
  'admin',
  'administrator',
  'administration',
  'team',
  'support',
  'sales',
  'help',
  'helpdesk',
  'desk',
  'contact',
  'office',
  'service',
  'services',
  'customer',
  'billing',
  'account',
  'accounts',
  'marketing',
  'news',
  'newsletter',
  'notification',
  'notifications',
  'noreply',
  'reply',
  'mailer',
  'daemon',
  'postmaster',
  'announcement',
  'announcements',
  'system',
  'hr',
  'department',
  'dept',
  'group',
  'list',
  'staff',
  'all',
  'everyone',
  'committee',
  'calendar',
  'room',
  'conference',
  'unknown',
  'undisclosed',
  'recipients',
  'the',
  'mail',
  'email',
  'inc',
  'llc',
  'ltd',
  'corp',
  'company',
]);

export const MAX_ADDRESSES_PER_NAME = 4;

function foldName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/**
 * Normalized person name for merging ("Smith, John" → "john smith"), or null when the name is not
 * specific enough to merge on (see the module comment).
 */
export function personNameKey(name: string | null | undefined): string | null {
  if (!name) return null;
  let n = foldName(name).trim();
  if (!n || n.includes('@') || /\d/.test(n)) return null;
  n = n.replace(/^["'`]+|["'`]+$/g, '').trim();
  n = n.replace(/\s*[([].*?[)\]]\s*/g, ' '); // "(Sales)", "[EXT]"
  const comma = n.split(',');
  if (comma.length === 2) n = `${comma[1]} ${comma[0]}`;
  else if (comma.length > 2) return null;
  let words = n
    .replace(/[^a-z\s'-]/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^['-]+|['-]+$/g, ''))
    .filter(Boolean);
  // Middle initials come and go between mail systems ("Rebecca W. Cantrell" / "Rebecca Cantrell").
  const full = words.filter((w) => w.length > 1);
  if (full.length >= 2) words = full;
  if (words.length < 2) return null;
  if (words.some((w) => GENERIC_NAME_WORDS.has(w))) return null;
  const substantial = words.filter((w) => w.replace(/[^a-z]/g, '').length >= 2);
  if (substantial.length < 2) return null;
  return words.join(' ');
}

function localPart(address: string): string {
  const at = address.lastIndexOf('@');
  return (at === -1 ? address : address.slice(0, at)).replace(/[^a-z]/g, '');
}

/** Does the address's local part plausibly belong to someone with this name? */
function addressMatchesName(address: string, nameKey: string): boolean {
  const words = nameKey.split(' ').map((w) => w.replace(/[^a-z]/g, ''));
  const first = words[0] ?? '';
  const last = words[words.length - 1] ?? '';
  const local = localPart(address);
  if (!local) return false;
  if (last.length >= 3 && local.includes(last)) return true;
  if (first.length >= 3 && local.includes(first)) return true;
  if (first && last && (local === `${first[0]}${last}` || local === `${first}${last[0]}`)) return true;
  return false;
}

export interface IdentityGroup {
  /** The group's smallest canonical address. */
  key: string;
  /** Every distinct (lowercased) address seen for the person, sorted. */
  addresses: string[];
  /** The address seen most often (ties: the alphabetically first). */
  primaryAddress: string;
  /** The display name used most often, full names first (ties: longest, then alphabetical), or null. */
  name: string | null;
  isSelf: boolean;
}

class UnionFind {
  private parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    if (!this.parent.has(x)) this.parent.set(x, x);
    let cur = x;
    while (cur !== root) {
      const next = this.parent.get(cur)!;
      this.parent.set(cur, root);
      cur = next;
    }
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    // Smaller key becomes the root: deterministic whatever the input order.
    if (ra < rb) this.parent.set(rb, ra);
    else this.parent.set(ra, rb);
  }
}

/**
 * Groups the addresses seen (one entry per occurrence, repeats welcome: they weigh the name choice)
 * into people. See the module comment for the merge rules.
 */
export function groupIdentities(
  entries: { address: string; name: string | null; seen?: number }[],
  selfAddresses: string[],
): IdentityGroup[] {
  const uf = new UnionFind();
  const rawByCanonical = new Map<string, Set<string>>();
  const nameCounts = new Map<string, Map<string, number>>(); // canonical → display name → count
  const addressCounts = new Map<string, number>(); // raw address → sightings
  const SELF = '\u0000self';

  const addAddress = (address: string): string | null => {
    const raw = address.trim().toLowerCase();
    if (!raw.includes('@')) return null;
    const canonical = canonicalAddress(raw);
    const set = rawByCanonical.get(canonical) ?? new Set<string>();
    set.add(raw);
    rawByCanonical.set(canonical, set);
    uf.find(canonical);
    return canonical;
  };

  for (const self of selfAddresses) {
    const canonical = addAddress(self);
    if (canonical) uf.union(SELF, canonical);
  }
  const selfCanonicals = new Set([...rawByCanonical.keys()]);

  for (const entry of entries) {
    if (!entry || typeof entry.address !== 'string') continue;
    const canonical = addAddress(entry.address);
    if (!canonical) continue;
    const seen = entry.seen ?? 1;
    addressCounts.set(
      entry.address.trim().toLowerCase(),
      (addressCounts.get(entry.address.trim().toLowerCase()) ?? 0) + seen,
    );
    const name = entry.name?.trim();
    if (name) {
      const counts = nameCounts.get(canonical) ?? new Map<string, number>();
      counts.set(name, (counts.get(name) ?? 0) + seen);
      nameCounts.set(canonical, counts);
    }
  }

  // Name merges: name key → canonical addresses that match it.
  const byName = new Map<string, Set<string>>();
  for (const [canonical, counts] of nameCounts) {
    if (selfCanonicals.has(canonical)) continue;
    for (const name of counts.keys()) {
      const key = personNameKey(name);
      if (!key || !addressMatchesName(canonical, key)) continue;
      const set = byName.get(key) ?? new Set<string>();
      set.add(canonical);
      byName.set(key, set);
    }
  }
  for (const [, canonicals] of [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (canonicals.size < 2 || canonicals.size > MAX_ADDRESSES_PER_NAME) continue;
    const list = [...canonicals].sort();
    for (const c of list.slice(1)) uf.union(list[0]!, c);
  }

  const groups = new Map<string, { canonicals: string[] }>();
  for (const canonical of rawByCanonical.keys()) {
    const root = uf.find(canonical);
    const group = groups.get(root) ?? { canonicals: [] };
    group.canonicals.push(canonical);
    groups.set(root, group);
  }

  const selfRoot = uf.find(SELF);
  const result: IdentityGroup[] = [];
  for (const [root, group] of groups) {
    const canonicals = group.canonicals.sort();
    const addresses = [...new Set(canonicals.flatMap((c) => [...(rawByCanonical.get(c) ?? [])]))].sort();
    const names = new Map<string, number>();
    for (const c of canonicals)
      for (const [n, k] of nameCounts.get(c) ?? []) names.set(n, (names.get(n) ?? 0) + k);
    // A full name beats a fragment however often the fragment was seen ("Ken" vs "Ken Krisa", or a
    // mail system's "houston"); then the most seen, the longest, the alphabetically first.
    const fullName = (n: string) => (personNameKey(n) === null ? 0 : 1);
    const name =
      [...names].sort(
        ([a, ca], [b, cb]) =>
          fullName(b) - fullName(a) || cb - ca || b.length - a.length || (a < b ? -1 : a > b ? 1 : 0),
      )[0]?.[0] ?? null;
    const primary = addresses.reduce((best, a) =>
      (addressCounts.get(a) ?? 0) > (addressCounts.get(best) ?? 0) ? a : best,
    );
    result.push({
      key: canonicals[0]!,
      addresses,
      primaryAddress: primary,
      name,
      isSelf: root === selfRoot && selfAddresses.length > 0,
    });
  }
  return result.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
