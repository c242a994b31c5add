// OAuth2 bearer tokens for sources: a JWT checked against the issuer's JSON Web Key Set (fetched
// through hookrelay's own HTTP agent, so the private-network rule applies to it as well),
// its issuer, audience and expiry. Key sets are cached per URL by jose (refetched when an
// unknown key id shows up, at most every 30 s). jose is imported on first use, so a node
// without oauth2 sources never loads it.
import { request, type Agent } from 'undici';
import type { JWTVerifyGetKey } from 'jose';

type Jose = typeof import('jose');

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const CLOCK_TOLERANCE_SECONDS = 30;
const JWKS_MAX_BYTES = 1_048_576;
const JWKS_TIMEOUT_MS = 5000;

export type JwtCheck =
  | { ok: true; subject: string | null }
  /** The token is missing, malformed, expired, or not for this source: 401. */
  | { ok: false; unavailable: false; reason: string }
  /** The key set could not be fetched: 503, so the sender retries instead of giving up. */
  | { ok: false; unavailable: true; reason: string };

export interface JwtRule {
  jwksUrl: string;
  issuer: string;
  audience: string;
}

export class JwtVerifier {
  private jose: Promise<Jose> | null = null;
  private readonly keySets = new Map<string, JWTVerifyGetKey>();

  constructor(private readonly agent: Agent) {}

  async verify(rule: JwtRule, token: string): Promise<JwtCheck> {
    const jose = await (this.jose ??= import('jose').catch((err: unknown) => {
      throw new Error("oauth2 sources need the 'jose' package, which could not be loaded; install hookrelay's dependencies", { cause: err });
    }));
    try {
      const { payload } = await jose.jwtVerify(token, this.keySet(jose, rule.jwksUrl), {
        issuer: rule.issuer,
        audience: rule.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
      });
      return { ok: true, subject: payload.sub ?? null };
    } catch (err) {
      return classify(jose, err);
    }
  }

  private keySet(jose: Jose, url: string): JWTVerifyGetKey {
    let set = this.keySets.get(url);
    if (set === undefined) {
      const agent = this.agent;
      set = jose.createRemoteJWKSet(new URL(url), {
        timeoutDuration: JWKS_TIMEOUT_MS,
        [jose.customFetch]: async (href: string, options: { headers: Headers; signal: AbortSignal }) => fetchKeySet(agent, href, options),
      });
      if (this.keySets.size > 1000) this.keySets.clear();
      this.keySets.set(url, set);
    }
    return set;
  }
}

/** GET through the node's agent; the answer is re-wrapped as a WHATWG Response for jose. */
async function fetchKeySet(agent: Agent, href: string, options: { headers: Headers; signal: AbortSignal }): Promise<Response> {
  const res = await request(href, { method: 'GET', headers: Object.fromEntries(options.headers), signal: options.signal, dispatcher: agent });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > JWKS_MAX_BYTES) {
      res.body.destroy();
      throw new Error(`the key set at ${href} is larger than ${JWKS_MAX_BYTES} bytes`);
    }
    chunks.push(buf);
  }
  // Statuses that may not carry a body (1xx, 204, 304) become a bodiless non-200, which jose refuses.
  const status = res.statusCode >= 200 && res.statusCode <= 599 && ![204, 205, 304].includes(res.statusCode) ? res.statusCode : 502;
  return new Response(Buffer.concat(chunks), { status, headers: { 'content-type': String(res.headers['content-type'] ?? 'application/json') } });
}

function classify(jose: Jose, err: unknown): JwtCheck {
  const { errors } = jose;
  const invalid = (reason: string): JwtCheck => ({ ok: false, unavailable: false, reason });
  if (err instanceof errors.JWTExpired) return invalid('The token expired; get a new one from the issuer.');
  if (err instanceof errors.JWTClaimValidationFailed) return invalid(`The token's ${err.claim} claim is not accepted here (${err.reason}).`);
  if (err instanceof errors.JWKSNoMatchingKey) return invalid("No key in the issuer's key set matches the token; it was not signed by the configured issuer.");
  if (err instanceof errors.JWSSignatureVerificationFailed) return invalid('The token signature is not valid.');
  if (err instanceof errors.JOSEAlgNotAllowed) return invalid('The token is signed with an algorithm that is not accepted (use an asymmetric one such as RS256 or ES256).');
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || err instanceof errors.JWKSMultipleMatchingKeys) {
    return { ok: false, unavailable: true, reason: 'The issuer key set could not be used right now.' };
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid || err instanceof errors.JOSENotSupported) return invalid('The bearer token is not a valid signed JWT.');
  // Anything else (no answer from the key set URL, a non-200, an unparsable key set) is ours or
  // the issuer's problem, not the sender's.
  return { ok: false, unavailable: true, reason: 'The issuer key set could not be fetched right now.' };
}
