/** How many nodes a token client's memo of prepared requests holds by default. */
export const MAX_PREPARED_REQUESTS = 1000;

interface MemoNode<V> {
  value: V | undefined;
  next: Map<unknown, MemoNode<V>> | undefined;
}

const emptyNode = <V>(): MemoNode<V> => ({ value: undefined, next: undefined });

/**
 * A bounded memo for work done once per distinct input (validating and keying a token
 * request), so that a cache hit repeats none of it. It is keyed by a path of parts, each
 * compared as a `Map` key (SameValueZero): exact, with no key text to build, so a hit costs
 * one `Map.get` per part on strings whose hashes are already known. No recency bookkeeping:
 * when a new path needs more than `maxNodes` nodes in all, everything is forgotten, which
 * only costs the preparations again.
 */
export class BoundedMemo<V> {
  private root: MemoNode<V> = emptyNode();
  private nodes = 0;

  constructor(readonly maxNodes: number = MAX_PREPARED_REQUESTS) {
    if (!Number.isInteger(maxNodes) || maxNodes < 1) throw new RangeError('maxNodes must be a whole number of at least 1');
  }

  /** Nodes in use: at most `maxNodes`, and at most one per part of each path remembered. */
  get size(): number {
    return this.nodes;
  }

  /** The value remembered for exactly this path, if any. */
  get(path: readonly unknown[]): V | undefined {
    let node: MemoNode<V> | undefined = this.root;
    for (let index = 0; index < path.length && node !== undefined; index++) node = node.next?.get(path[index]);
    return node?.value;
  }

  /** Remembers `value` for `path` and returns it; store only what was validated. */
  set(path: readonly unknown[], value: V): V {
    let node = this.root;
    let depth = 0;
    while (depth < path.length) {
      const next = node.next?.get(path[depth]);
      if (next === undefined) break;
      node = next;
      depth += 1;
    }
    if (this.nodes + path.length - depth > this.maxNodes) {
      if (path.length > this.maxNodes) return value;
      node = this.root = emptyNode();
      depth = 0;
      this.nodes = 0;
    }
    for (; depth < path.length; depth++) {
      const next = emptyNode<V>();
      node.next ??= new Map();
      node.next.set(path[depth], next);
      this.nodes += 1;
      node = next;
    }
    node.value = value;
    return value;
  }
}
