/**
 * At most one log line per key per interval, so a flood (thousands of
 * rejected connections a second) costs a line every few seconds, not one
 * each. The next line says how many were held back; counters keep the totals.
 */
export class ThrottledLog {
  private readonly last = new Map<string, { at: number; heldBack: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Calls `write` with the number of lines held back since the previous one, unless `key` wrote within the interval. */
  log(key: string, write: (heldBack: number) => void): void {
    const now = this.now();
    const last = this.last.get(key);
    if (last && now - last.at < this.intervalMs) {
      last.heldBack++;
      return;
    }
    this.last.set(key, { at: now, heldBack: 0 });
    write(last?.heldBack ?? 0);
  }
}
