/** A dependency that did not answer within the time an endpoint may wait for it. */
export class TookTooLong extends Error {
  override name = "TookTooLong";
}

/**
 * `work`'s result if it settles within `ms`, else a TookTooLong rejection.
 * The work itself carries on (nothing here can cancel it; the database client
 * bounds its own queries): this only bounds how long a caller waits.
 */
export function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TookTooLong(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
