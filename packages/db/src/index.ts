export { type Database, type Db, openDatabase } from "./client.ts";
export { breakerDecisions } from "./schema/index.ts";
