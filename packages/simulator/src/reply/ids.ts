import { randomBytes } from "node:crypto";

/** Random hex for reply, tool-call and signature ids; protocols add their own prefixes. */
export const newId = (bytes = 12): string => randomBytes(bytes).toString("hex");
