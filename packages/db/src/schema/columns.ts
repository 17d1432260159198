import { randomUUID } from "node:crypto";
import { text, timestamp } from "drizzle-orm/pg-core";

/** Ids that say what they are: `dec_…` is a breaker decision, `jdg_…` a judgement, `can_…` a canary result. */
export const newId = (prefix: string) => `${prefix}_${randomUUID().replaceAll("-", "")}`;

export const prefixedId = (prefix: string) =>
  text("id")
    .primaryKey()
    .$defaultFn(() => newId(prefix));

export const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
