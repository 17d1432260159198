/**
 * Per tier, the screen's verdicts on the last answers this process got under
 * the tier's current generation (the breaker's `screen` signal): a ring of
 * `size`, reset by a new generation as the windows are. Process-local, like
 * the failure run: each gateway screens its own answers, and any one seeing a
 * garbage brownout opens the tier for all.
 */
export class ScreenWindows {
  private readonly windows = new Map<string, { generation: number; flags: boolean[]; next: number }>();

  constructor(private readonly size = 20) {}

  /** Notes one screened answer; returns the tier's window after it. */
  note(tier: string, generation: number, flagged: boolean): { screened: number; flagged: number } {
    let window = this.windows.get(tier);
    if (!window || window.generation !== generation) {
      // An answer admitted under an older generation says nothing about the current one.
      if (window && generation < window.generation) return { screened: 0, flagged: 0 };
      window = { generation, flags: [], next: 0 };
      this.windows.set(tier, window);
    }
    if (window.flags.length < this.size) window.flags.push(flagged);
    else window.flags[window.next] = flagged;
    window.next = (window.next + 1) % this.size;
    return this.of(tier, generation);
  }

  of(tier: string, generation: number): { screened: number; flagged: number } {
    const window = this.windows.get(tier);
    if (window?.generation !== generation) return { screened: 0, flagged: 0 };
    return { screened: window.flags.length, flagged: window.flags.filter(Boolean).length };
  }
}
