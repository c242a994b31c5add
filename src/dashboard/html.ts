// Escaped HTML templates. Every value interpolated into `html` is escaped unless it is itself
// the result of `html` (or of `raw`, for the few trusted fragments such as inline SVG built
// from numbers). Escaping is the default, so forgetting to escape is not possible by accident.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

/** A fragment that is already safe HTML. Only `html` and `raw` create one. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** A value that may appear in a template: text (escaped), numbers, safe fragments, lists of them. */
export type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return (value as readonly Interpolation[]).map(render).join('');
  if (value === true) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Marks trusted markup as safe. Never pass anything derived from user input. */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

/** `attr` when `on`, else nothing: for boolean attributes such as checked and selected. */
export function when(on: boolean, fragment: SafeHtml | string): SafeHtml {
  return on ? (typeof fragment === 'string' ? raw(fragment) : fragment) : raw('');
}

/** A query string from defined, non-empty values (already URL-encoded, still needs html escaping). */
export function query(params: Record<string, string | number | undefined | null>): string {
  const parts = Object.entries(params)
    .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== null && e[1] !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** `/webhooks/<id>` with the id percent-encoded: ids come from the database, but stay careful. */
export function path(...segments: string[]): string {
  return segments.map((s, i) => (i === 0 ? s : encodeURIComponent(s))).join('/');
}
