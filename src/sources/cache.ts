// Per-runtime state of the inbound path: the sources behind /in/{id}, cached briefly so a
// busy source costs no database read per request, and the JWT verifier with its key sets.
// A change made through this node's API is seen at once (forget); one made on another node
// (or a tenant enabled or disabled) within CACHE_MS.
import type { Runtime } from '../runtime.js';
import type { Source } from '../store/sources.js';
import { JwtVerifier } from './jwt.js';

const CACHE_MS = 2000;
const MAX_ENTRIES = 10_000;

export interface InboundSource {
  source: Source;
  tenantEnabled: boolean;
}

export class SourceCache {
  private readonly entries = new Map<string, { value: InboundSource | null; at: number }>();
  private readonly loading = new Map<string, Promise<InboundSource | null>>();
  private generation = 0;

  constructor(private readonly rt: Pick<Runtime, 'store' | 'clock'>) {}

  async get(id: string): Promise<InboundSource | null> {
    const hit = this.entries.get(id);
    if (hit !== undefined && this.rt.clock.now() - hit.at < CACHE_MS) return hit.value;
    // One read per id at a time, however many requests arrive for it.
    const loading = this.loading.get(id);
    if (loading !== undefined) return loading;
    const generation = this.generation;
    const pending: Promise<InboundSource | null> = this.rt.store.sources.findInboundSource(id).then((found) => {
      const value = found ?? null;
      // A forget() while reading means the value may already be stale: do not keep it.
      if (generation === this.generation) {
        if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
        this.entries.set(id, { value, at: this.rt.clock.now() });
      }
      return value;
    }).finally(() => {
      if (this.loading.get(id) === pending) this.loading.delete(id);
    });
    this.loading.set(id, pending);
    return pending;
  }

  /** Drops what is known about a source after a change on this node. */
  forget(id: string): void {
    this.generation += 1;
    this.entries.delete(id);
    this.loading.delete(id);
  }
}

export interface InboundState {
  sources: SourceCache;
  jwt: JwtVerifier;
}

const states = new WeakMap<Runtime, InboundState>();

export function inboundState(rt: Runtime): InboundState {
  let state = states.get(rt);
  if (state === undefined) {
    state = { sources: new SourceCache(rt), jwt: new JwtVerifier(rt.agent) };
    states.set(rt, state);
  }
  return state;
}
