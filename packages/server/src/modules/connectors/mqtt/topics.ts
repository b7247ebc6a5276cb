/**
 * MQTT topic filters → values, matched against incoming topics with a trie of topic levels.
 * Lookups of the same topic are cached, so a steady plant (the same few thousand topics over
 * and over) costs one Map lookup per message.
 */

interface TrieNode<T> {
  children: Map<string, TrieNode<T>>;
  /** Values whose filter ends exactly here. */
  values: T[];
  /** Values whose filter ends here with `/#` (match this level and everything below). */
  rest: T[];
}

const node = <T>(): TrieNode<T> => ({ children: new Map(), values: [], rest: [] });

const CACHE_LIMIT = 50_000;
const NONE: readonly never[] = Object.freeze([]);

/** Whether a topic filter is valid: `+` and `#` occupy whole levels, `#` only last. */
export function isValidFilter(filter: string): boolean {
  if (filter.length === 0) return false;
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level === '#') {
      if (i !== levels.length - 1) return false;
    } else if (level !== '+' && (level.includes('+') || level.includes('#'))) return false;
  }
  return true;
}

export class TopicIndex<T> {
  private readonly root = node<T>();
  private readonly cache = new Map<string, readonly T[]>();
  private size = 0;

  /** Adds a value under a topic filter (MQTT wildcards `+` and `#` allowed). */
  add(filter: string, value: T) {
    let at = this.root;
    const levels = filter.split('/');
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      if (level === '#') {
        at.rest.push(value);
        this.size++;
        this.cache.clear();
        return;
      }
      let next = at.children.get(level);
      if (!next) {
        next = node<T>();
        at.children.set(level, next);
      }
      at = next;
    }
    at.values.push(value);
    this.size++;
    this.cache.clear();
  }

  get count() {
    return this.size;
  }

  /** Every value whose filter matches the topic, in no particular order. */
  match(topic: string): readonly T[] {
    const cached = this.cache.get(topic);
    if (cached) return cached;
    const out: T[] = [];
    const levels = topic.split('/');
    // Wildcards at the first level never match topics beginning with `$` ($SYS/…), per MQTT.
    this.walk(this.root, levels, 0, out, topic.startsWith('$'));
    const result = out.length === 0 ? NONE : out;
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(topic, result);
    return result;
  }

  private walk(at: TrieNode<T>, levels: string[], i: number, out: T[], dollar: boolean) {
    const first = i === 0 && dollar;
    if (!first) for (const v of at.rest) out.push(v);
    if (i === levels.length) {
      for (const v of at.values) out.push(v);
      return;
    }
    const exact = at.children.get(levels[i]!);
    if (exact) this.walk(exact, levels, i + 1, out, dollar);
    if (!first) {
      const plus = at.children.get('+');
      if (plus) this.walk(plus, levels, i + 1, out, dollar);
    }
  }
}

/** A dotted JSON path (`values.vibration`, `$` or `$.a.b`, array indexes as numbers) as its keys. */
export function compilePath(path: string): string[] {
  const trimmed = path.trim();
  if (trimmed === '$' || trimmed === '') return [];
  const body = trimmed.startsWith('$.') ? trimmed.slice(2) : trimmed;
  return body.split('.');
}

/** The value at a compiled path, or undefined when any step is missing. */
export function valueAt(doc: unknown, keys: readonly string[]): unknown {
  let at = doc;
  for (let i = 0; i < keys.length; i++) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[keys[i]!];
  }
  return at;
}
