/** Which Enron mailboxes the forecast evaluation tunes on (dev) and which it only reports (validation). */

/**
 * The fixed split, made once before any tuning and never changed: mailboxes sorted by how many dates they
 * can be judged at (most first, then by name), each given to the half with fewer (mailbox, T) pairs so
 * far (ties: development). That gives 18 pairs a half. whalley-g and whalley-l are two exports of one
 * person's mail and stay together. Mailboxes too sparse for any date alternate, alphabetically.
 */
export const SPLIT: Record<string, 'dev' | 'validation'> = {
  'nemec-g': 'dev',
  'sanders-r': 'validation',
  'skilling-j': 'dev',
  'buy-r': 'validation',
  'fossum-d': 'validation',
  'lay-k': 'dev',
  'whalley-l': 'validation',
  'whalley-g': 'validation',
  'dean-c': 'dev',
  'hain-m': 'dev',
  'shankman-j': 'validation',
  'wolfe-j': 'dev',
  'delainey-d': 'validation',
  'guzman-m': 'validation',
  'richey-c': 'dev',
  'williams-w3': 'validation',
  'badeer-r': 'dev',
  'cuilla-m': 'validation',
  'keavey-p': 'dev',
  'lewis-a': 'validation',
  'martin-t': 'dev',
  'ring-r': 'validation',
};
