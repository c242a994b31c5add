// What an inbound body may be and what it becomes. The inbound scope reads every body as raw
// bytes (so an HMAC is checked over exactly what was signed, and the stored request is what was
// sent), with the source's own size limit; this module then decides the event's type and data:
//   - a JSON body (application/json, application/*+json) becomes the event's data unchanged
//     (its exact text, so large integers keep their precision);
//   - any other body becomes { "contentType", "encoding": "utf8" | "base64", "body" }: text when
//     the bytes are valid UTF-8, base64 otherwise; an empty body becomes null.
import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';
import { OPERATIONAL_PREFIX } from '../webhooks/match.js';
import { EVENT_TYPE_PATTERN } from '../event-types/routes.js';
import type { SourceSettings } from '../store/sources.js';

/** The media type of a content-type header, lowercased without parameters; null when absent. */
export function mediaTypeOf(header: string | undefined): string | null {
  if (header === undefined) return null;
  const essence = header.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return essence === '' ? null : essence;
}

export function isJsonType(mediaType: string | null): boolean {
  return mediaType !== null && (mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json')));
}

/** True when one of the accepted ranges (`type/sub`, `type/*`, `*\/*`) covers the media type. */
export function accepts(ranges: readonly string[], mediaType: string): boolean {
  const slash = mediaType.indexOf('/');
  const major = slash < 0 ? mediaType : mediaType.slice(0, slash);
  return ranges.some((r) => r === '*/*' || r === mediaType || (r.endsWith('/*') && r.slice(0, -2) === major));
}

export function tooLarge(limit: number): AppError {
  return new AppError('payload_too_large', `The body is larger than this source's limit of ${limit} bytes; send a smaller body, or raise the source's maxBodyBytes.`);
}

/** Reads a request body into one Buffer, refusing it as soon as it passes `limit` bytes. */
export function readBody(payload: Readable, limit: number, declaredLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = (): void => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
    };
    function onData(chunk: Buffer | string): void {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += buf.length;
      if (received > limit) {
        cleanup();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(buf);
    }
    function onEnd(): void {
      cleanup();
      if (!Number.isNaN(declaredLength) && received !== declaredLength) {
        reject(new AppError('validation_failed', `The body has ${received} bytes but content-length said ${declaredLength}; send a matching content-length.`));
        return;
      }
      resolve(Buffer.concat(chunks, received));
    }
    function onError(err: Error): void {
      cleanup();
      reject(err);
    }
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(body: Buffer): string | null {
  try {
    return utf8.decode(body);
  } catch {
    return null;
  }
}

/** Resolves an RFC 6901 pointer inside a parsed JSON document; undefined when it leads nowhere. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(key)) return undefined;
      node = node[Number(key)];
    } else if (typeof node === 'object' && node !== null && Object.hasOwn(node, key)) {
      node = (node as Record<string, unknown>)[key];
    } else {
      return undefined;
    }
  }
  return node;
}

const TYPE_RE = new RegExp(EVENT_TYPE_PATTERN);

export interface InboundEventContent {
  type: string;
  /** The event's data as JSON text. */
  data: string;
  /** The parsed JSON body (for schema checks), or the envelope for other bodies. */
  value: unknown;
}

/** Turns a received body into the event's type and data, or explains with a 4xx why it cannot. */
export function eventContent(settings: SourceSettings, mediaType: string | null, body: Buffer): InboundEventContent {
  let data: string;
  let value: unknown;
  if (body.length > 0 && isJsonType(mediaType)) {
    let text = decodeUtf8(body);
    if (text === null) throw new AppError('malformed_json', 'The body is declared as JSON but is not valid UTF-8; send UTF-8 encoded JSON.');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    try {
      value = JSON.parse(text);
    } catch {
      throw new AppError('malformed_json', `The body is declared as ${mediaType ?? 'JSON'} but is not valid JSON; send a valid JSON document or declare another content type.`);
    }
    data = text.trim();
  } else if (body.length === 0) {
    value = null;
    data = 'null';
  } else {
    const text = decodeUtf8(body);
    value = text === null ? { contentType: mediaType, encoding: 'base64', body: body.toString('base64') } : { contentType: mediaType, encoding: 'utf8', body: text };
    data = JSON.stringify(value);
  }
  return { type: eventType(settings, isJsonType(mediaType) ? value : undefined), data, value };
}

function eventType(settings: SourceSettings, json: unknown): string {
  const pointer = settings.eventTypePointer;
  if (pointer !== null) {
    const found = json === undefined ? undefined : resolvePointer(json, pointer);
    if (typeof found === 'string' && TYPE_RE.test(found) && !found.startsWith(OPERATIONAL_PREFIX)) return found;
    if (settings.eventType !== null) return settings.eventType;
    const why = json === undefined
      ? 'the body is not JSON'
      : found === undefined ? 'nothing is there' : typeof found !== 'string' ? `it holds a ${Array.isArray(found) ? 'array' : found === null ? 'null' : typeof found}, not a string`
        : found.startsWith(OPERATIONAL_PREFIX) ? `'${OPERATIONAL_PREFIX}*' types are reserved` : 'it is not a valid event type name (letters, digits, _ . : / -, up to 200)';
    throw new AppError('unprocessable', `The event type is read from ${pointer} in the JSON body, but ${why}; send the type there (or give the source a fallback eventType).`, {
      errors: [{ field: `/body${pointer}`, rule: 'eventTypePointer', message: `${pointer}: ${why}.` }],
    });
  }
  return settings.eventType ?? 'inbound.request';
}
