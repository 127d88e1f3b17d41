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
}
