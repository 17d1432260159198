import type { ScreenWindow } from "@breakwater/core";

/**
 * Per tier, the screen's verdicts on the last answers this process got under
 * the tier's current generation (the breaker's `screen` signal): a ring of
 * `size`, reset by a new generation as the windows are. Process-local, like
 * the failure run: each gateway screens its own answers, and any one seeing a
 * garbage brownout opens the tier for all. A flagged answer is kept under the
 * client key it answered, so no one client's requests can trip the signal
 * (screenReason).
 */
export class ScreenWindows {
  /** Per answer: the name of the client key it answered when flagged, null when clean. */
  private readonly windows = new Map<string, { generation: number; flags: Array<string | null>; next: number }>();

  constructor(private readonly size = 20) {}

  /** Notes one screened answer (`flaggedFor`: the client key of a flagged answer); returns the tier's window after it. */
  note(tier: string, generation: number, flaggedFor: string | null): ScreenWindow {
    let window = this.windows.get(tier);
    if (!window || window.generation !== generation) {
      // An answer admitted under an older generation says nothing about the current one.
      if (window && generation < window.generation) return empty();
      window = { generation, flags: [], next: 0 };
      this.windows.set(tier, window);
    }
    if (window.flags.length < this.size) window.flags.push(flaggedFor);
    else window.flags[window.next] = flaggedFor;
    window.next = (window.next + 1) % this.size;
    return this.of(tier, generation);
  }

  of(tier: string, generation: number): ScreenWindow {
    const window = this.windows.get(tier);
    if (window?.generation !== generation) return empty();
    const flaggedBy: Record<string, number> = {};
    let flagged = 0;
    for (const client of window.flags) {
      if (client === null) continue;
      flagged++;
      flaggedBy[client] = (flaggedBy[client] ?? 0) + 1;
    }
    return { screened: window.flags.length, flagged, flaggedBy };
  }
}

const empty = (): ScreenWindow => ({ screened: 0, flagged: 0, flaggedBy: {} });
