import { defineConfig } from "drizzle-kit";

// `pnpm db:generate` writes SQL migrations into the top-level migrations/ folder.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema/index.ts",
  out: "../../migrations",
});
