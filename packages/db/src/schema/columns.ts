import { randomUUID } from "node:crypto";
import { text, timestamp } from "drizzle-orm/pg-core";

/** Ids that say what they are: `dec_…` is a breaker decision, `jdg_…` a judgement. */
export const prefixedId = (prefix: string) =>
  text("id")
    .primaryKey()
    .$defaultFn(() => `${prefix}_${randomUUID().replaceAll("-", "")}`);

export const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
