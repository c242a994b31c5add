// Which event types a webhook receives. A pattern is an exact type name, or contains `*`,
// which matches any run of characters (dots included): `*` matches everything, `invoice.*`
// matches `invoice.paid` and `invoice.line.created`, `*.deleted` matches every deletion.
// Matching is case-sensitive, like the type names themselves.

const compiled = new Map<string, RegExp>();

function toRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re === undefined) {
    const body = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    re = new RegExp(`^${body}$`);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

export function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === type;
  return toRegExp(pattern).test(type);
}

export function matchesAny(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => matchesPattern(p, type));
}

/** hookrelay's own operational events reach only webhooks that name them explicitly. */
export const OPERATIONAL_PREFIX = 'hookrelay.';

export function subscribes(patterns: readonly string[], type: string): boolean {
  if (type.startsWith(OPERATIONAL_PREFIX)) return patterns.some((p) => p.startsWith(OPERATIONAL_PREFIX) && matchesPattern(p, type));
  return matchesAny(patterns, type);
}
