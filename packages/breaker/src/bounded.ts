/** A store call that answered, failed, or did not answer in time: a value, so the caller decides what each means. */
export type Bounded<T> = { ok: true; value: T } | { ok: false; cause: "timeout" | "error"; error?: unknown };

/**
 * Waits for `work` at most `ms`. The work is not cancelled — a late answer is
 * dropped, a late failure swallowed here (the caller has moved on) — so use it
 * only where the caller's fallback is safe whether or not the work lands.
 */
export function within<T>(work: Promise<T>, ms: number): Promise<Bounded<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, cause: "timeout" }), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve({ ok: true, value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ ok: false, cause: "error", error });
      },
    );
  });
}
