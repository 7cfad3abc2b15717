/** Dates and durations as a person reads them on a page. */
export function ago(date: Date | null, now = new Date()): string {
  if (!date) return 'never';
  const seconds = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** 2001-12-15 09:30 UTC */
export function dateTime(date: Date | null): string {
  return date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '—';
}

export function day(iso: string | null): string {
  return iso ? iso.slice(0, 10) : '—';
}
