import { setMaxListeners } from "node:events";
import type { Server } from "node:http";
import type { Logger } from "@breakwater/telemetry";

export interface DrainTimes {
  /** /readyz answers 503 this long before the listener closes. */
  delayMs: number;
  /** The whole drain, from the signal: in-flight requests may finish until then. */
  graceMs: number;
}

/** After the grace period: how long streams get to write their in-stream error event before connections close. */
const streamErrorFlushMs = 1_000;
const pollMs = 25;

/**
 * A gateway's shutdown, in the order load balancers and clients need:
 * 1. readiness turns 503 (the listener still accepts, so probes see the 503
 *    instead of a refused connection and take the replica out);
 * 2. after `delayMs`, the listener closes; responses from then on say
 *    `connection: close` so keep-alive clients reconnect elsewhere;
 * 3. in-flight requests finish until `graceMs` after the signal;
 * 4. streams still running then are told to end (`streamsEnd`): each writes its
 *    protocol's in-stream error event, never a silent cut; then every
 *    connection closes.
 */
export class Drain {
  private started = false;
  private listenerClosed = false;
  private inFlight = 0;
  private readonly streamsEndController = new AbortController();
  private readonly startsController = new AbortController();

  constructor() {
    // Every open stream listens for the end of the grace period; thousands are normal, not a leak.
    setMaxListeners(0, this.streamsEndController.signal, this.startsController.signal);
  }

  /** True from the first moment of shutdown: /readyz answers 503. */
  get draining(): boolean {
    return this.started;
  }

  /** Aborted when shutdown begins. */
  get starts(): AbortSignal {
    return this.startsController.signal;
  }

  /** Aborted when the grace period ends with streams still running. */
  get streamsEnd(): AbortSignal {
    return this.streamsEndController.signal;
  }

  /** Counts the server's in-flight requests; call once, before it serves. */
  track(server: Server): void {
    server.prependListener("request", (_request, response) => {
      this.inFlight++;
      response.once("close", () => this.inFlight--);
      if (this.listenerClosed) response.setHeader("connection", "close");
    });
  }

  async run(server: Server, times: DrainTimes, logger: Logger): Promise<void> {
    const started = Date.now();
    this.started = true;
    this.startsController.abort();
    logger.info("draining: /readyz answers 503", { delay_ms: times.delayMs, in_flight: this.inFlight });
    await sleep(Math.min(times.delayMs, times.graceMs));

    this.listenerClosed = true;
    server.close();
    logger.info("listener closed; finishing in-flight requests", { in_flight: this.inFlight });
    await this.settled(started + times.graceMs);

    if (this.inFlight > 0) {
      logger.warn("shutdown grace elapsed; ending streams with their error event", { in_flight: this.inFlight });
      this.streamsEndController.abort();
      await this.settled(Date.now() + streamErrorFlushMs);
      if (this.inFlight > 0) logger.warn("closing connections of unfinished requests", { in_flight: this.inFlight });
    }
    server.closeAllConnections();
  }

  /** Resolves when nothing is in flight, or at `deadline`. */
  private async settled(deadline: number): Promise<void> {
    while (this.inFlight > 0 && Date.now() < deadline) await sleep(Math.min(pollMs, deadline - Date.now()));
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
