/**
 * The dependency graph of an order's items, from serviceOrderItemRelationship entries of type
 * `dependsOn` / `reliesOn`: an item runs only once every item it depends on has completed.
 */

/** Relationship types that order execution; others (e.g. `bundles`) carry no ordering. */
export const ORDERING_RELATIONSHIPS: ReadonlySet<string> = new Set(['dependsOn', 'reliesOn', 'dependson', 'relieson']);

export interface ItemEdges {
  id: string;
  relationships?: Array<{ relationshipType: string; orderItem: { itemId: string } }>;
}

export interface GraphProblem {
  kind: 'unknownItem' | 'cycle' | 'selfReference';
  itemId: string;
  /** For unknownItem: the missing id. For cycle: the ids around the cycle, first repeated last. */
  related: string[];
}

export class DependencyGraph {
  /** itemId -> ids it waits for */
  readonly dependsOn: ReadonlyMap<string, readonly string[]>;

  private constructor(dependsOn: Map<string, string[]>) {
    this.dependsOn = dependsOn;
  }

  /** Builds the graph; references to unknown items are dropped and reported by `problems`. */
  static fromItems(items: readonly ItemEdges[]): DependencyGraph {
    const ids = new Set(items.map((i) => i.id));
    const edges = new Map<string, string[]>();
    for (const item of items) {
      const deps = (item.relationships ?? [])
        .filter((r) => ORDERING_RELATIONSHIPS.has(r.relationshipType))
        .map((r) => r.orderItem.itemId)
        .filter((dep) => ids.has(dep) && dep !== item.id);
      edges.set(item.id, [...new Set(deps)]);
    }
    return new DependencyGraph(edges);
  }

  /** Every structural problem: relationships to missing items, self references and cycles. */
  static problems(items: readonly ItemEdges[]): GraphProblem[] {
    const ids = new Set(items.map((i) => i.id));
    const problems: GraphProblem[] = [];
    for (const item of items) {
      for (const rel of item.relationships ?? []) {
        const target = rel.orderItem.itemId;
        if (target === item.id) problems.push({ kind: 'selfReference', itemId: item.id, related: [target] });
        else if (!ids.has(target)) problems.push({ kind: 'unknownItem', itemId: item.id, related: [target] });
      }
    }
    const cycle = DependencyGraph.fromItems(items).findCycle();
    if (cycle) problems.push({ kind: 'cycle', itemId: cycle[0] ?? '', related: cycle });
    return problems;
  }

  /** One cycle as a path `a -> b -> ... -> a`, or undefined when the graph is acyclic. */
  findCycle(): string[] | undefined {
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (id: string): string[] | undefined => {
      state.set(id, 'visiting');
      stack.push(id);
      for (const dep of this.dependsOn.get(id) ?? []) {
        const s = state.get(dep);
        if (s === 'visiting') return [...stack.slice(stack.indexOf(dep)), dep];
        if (s === undefined) {
          const found = visit(dep);
          if (found) return found;
        }
      }
      stack.pop();
      state.set(id, 'done');
      return undefined;
    };
    for (const id of this.dependsOn.keys()) {
      if (!state.has(id)) {
        const found = visit(id);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Items in an order that respects every dependency (Kahn's algorithm, stable by input order). */
  topologicalOrder(): string[] {
    const remaining = new Map([...this.dependsOn].map(([id, deps]) => [id, new Set(deps)]));
    const order: string[] = [];
    while (remaining.size > 0) {
      const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([id]) => id);
      if (ready.length === 0) throw new Error('dependency graph has a cycle');
      for (const id of ready) {
        order.push(id);
        remaining.delete(id);
        for (const deps of remaining.values()) deps.delete(id);
      }
    }
    return order;
  }

  /** Every item that directly or transitively depends on `itemId`. */
  dependentsOf(itemId: string): Set<string> {
    const result = new Set<string>();
    let frontier = [itemId];
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const [id, deps] of this.dependsOn) {
        if (!result.has(id) && deps.some((d) => frontier.includes(d))) {
          result.add(id);
          next.push(id);
        }
      }
      frontier = next;
    }
    return result;
  }
}
