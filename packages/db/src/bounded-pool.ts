import postgres, { type Sql } from "postgres";
import { DatabaseTimeout } from "./database-errors.ts";
import type { PostgresSettings } from "./postgres-settings.ts";

/** How much longer than the statement timeout a query may take before the client stops waiting. */
const CLIENT_GRACE_MS = 1_000;

type PendingQuery = ReturnType<Sql["unsafe"]>;

/**
 * A postgres.js pool whose every query has a deadline. Postgres cancels a slow
 * statement itself (statement_timeout), but a server or network that hangs —
 * accepts, never answers — sends nothing, and postgres.js has no client-side
 * deadline: the query, and every later one queued behind its connection, would
 * wait for ever. So each query gets `statement_timeout + 1 s`, connecting and
 * queueing included; when one passes, the pool's connections are presumed stuck
 * and the pool is replaced by a fresh one (queries still running on the old
 * pool fail as unreachable; their callers retry as they do for any outage).
 *
 * `client` is what drizzle is given: it stands for whichever pool is current.
 */
export class BoundedPool {
  private pool: Sql;
  private resets = 0;
  readonly client: Sql;
  private readonly deadlineMs: number;

  constructor(
    private readonly settings: PostgresSettings,
    private readonly poolOptions: { max: number },
  ) {
    this.deadlineMs = settings.statementTimeoutMs + CLIENT_GRACE_MS;
    this.pool = this.open();
    const unsafe = (query: string, params?: unknown[], options?: object) => this.unsafe(query, params, options);
    // Everything but `unsafe` (drizzle's only query path) is the current pool's own.
    this.client = new Proxy(this.pool, {
      get: (_target, property) => {
        if (property === "unsafe") return unsafe;
        const value = Reflect.get(this.pool, property);
        return typeof value === "function" ? value.bind(this.pool) : value;
      },
    });
  }

  /** How many times a query's deadline passed and the pool was replaced. */
  get poolResets(): number {
    return this.resets;
  }

  private open(): Sql {
    return postgres(this.settings.url, {
      max: this.poolOptions.max,
      onnotice: () => {},
      connect_timeout: this.settings.connectTimeoutMs / 1000,
      connection: { statement_timeout: this.settings.statementTimeoutMs },
    });
  }

  /**
   * postgres.js queries are lazy thenables; drizzle calls `.values()` on some
   * before awaiting them. Both paths go through the deadline.
   */
  private unsafe(query: string, params: unknown[] | undefined, options: object | undefined) {
    const pool = this.pool;
    const pending = pool.unsafe(query, params as never, options as never);
    const bounded = () => this.withDeadline(pool, pending);
    // Lazy thenables, as postgres.js's own queries are: nothing runs until awaited, so `.values()` comes first.
    type Then = (ok?: (value: unknown) => unknown, ko?: (error: unknown) => unknown) => Promise<unknown>;
    const then: Then = (ok, ko) => bounded().then(ok, ko);
    return {
      values: () => {
        pending.values();
        return { then };
      },
      then,
    };
  }

  private withDeadline(pool: Sql, pending: PendingQuery): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new DatabaseTimeout(`postgres did not answer within ${this.deadlineMs} ms`));
        this.replace(pool);
      }, this.deadlineMs);
      pending.then(
        (rows) => {
          clearTimeout(timer);
          resolve(rows);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /** Swaps in a fresh pool, once per stuck pool however many of its queries time out. */
  private replace(stuck: Sql): void {
    if (stuck !== this.pool) return;
    const fresh = this.open();
    // drizzle installed its type parsers on the first pool's options; the new one needs them too.
    Object.assign(fresh.options.parsers, stuck.options.parsers);
    Object.assign(fresh.options.serializers, stuck.options.serializers);
    this.pool = fresh;
    this.resets++;
    void stuck.end({ timeout: 0 }).catch(() => {});
  }

  end(timeoutS: number): Promise<void> {
    return this.pool.end({ timeout: timeoutS });
  }
}
