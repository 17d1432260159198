/** Opaque keyset cursors: (time, id) of the last row served, newest first. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.getTime()}|${id}`).toString("base64url");
}

export function decodeCursor(cursor: string): { at: Date; id: string } | undefined {
  const [ms, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const at = new Date(Number(ms));
  if (!id || Number.isNaN(at.getTime())) return undefined;
  return { at, id };
}
