import { randomBytes } from "node:crypto";

/** A new epoch: when it was minted (base 36 ms, for a reader of the logs) and 48 random bits. */
export const mintEpoch = (): string => `${Date.now().toString(36)}-${randomBytes(6).toString("hex")}`;
