export function byTier<T extends { tier: string }>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.tier);
    if (group) group.push(item);
    else groups.set(item.tier, [item]);
  }
  return groups;
}
