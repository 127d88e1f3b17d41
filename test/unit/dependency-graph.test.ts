import { describe, expect, it } from 'vitest';
import { DependencyGraph, ORDERING_RELATIONSHIPS, type ItemEdges } from '../../orders/dependency-graph.js';

/** `item('b', 'a')`: item b relies on item a. */
function item(id: string, ...dependsOn: string[]): ItemEdges {
  return { id, relationships: dependsOn.map((dep) => ({ relationshipType: 'reliesOn', orderItem: { itemId: dep } })) };
}

function rel(relationshipType: string, itemId: string) {
  return { relationshipType, orderItem: { itemId } };
}

describe('DependencyGraph.fromItems', () => {
  it('builds edges from dependsOn and reliesOn relationships', () => {
    const graph = DependencyGraph.fromItems([
      { id: 'a' },
      { id: 'b', relationships: [rel('dependsOn', 'a')] },
      { id: 'c', relationships: [rel('reliesOn', 'b')] },
    ]);
    expect(Object.fromEntries(graph.dependsOn)).toEqual({ a: [], b: ['a'], c: ['b'] });
  });

  it('ignores relationship types that carry no ordering', () => {
    const graph = DependencyGraph.fromItems([
      { id: 'a' },
      { id: 'b', relationships: [rel('bundles', 'a'), rel('brings', 'a'), rel('DependsOn', 'a')] },
    ]);
    expect(graph.dependsOn.get('b')).toEqual([]);
    expect(ORDERING_RELATIONSHIPS.has('bundles')).toBe(false);
  });

  it('accepts the lowercase spellings some OSS send', () => {
    const graph = DependencyGraph.fromItems([{ id: 'a' }, { id: 'b', relationships: [rel('dependson', 'a')] }, { id: 'c', relationships: [rel('relieson', 'a')] }]);
    expect(graph.dependsOn.get('b')).toEqual(['a']);
    expect(graph.dependsOn.get('c')).toEqual(['a']);
  });

  it('drops references to unknown items and to the item itself, and de-duplicates', () => {
    const graph = DependencyGraph.fromItems([
      { id: 'a' },
      { id: 'b', relationships: [rel('reliesOn', 'a'), rel('dependsOn', 'a'), rel('reliesOn', 'ghost'), rel('reliesOn', 'b')] },
    ]);
    expect(graph.dependsOn.get('b')).toEqual(['a']);
  });
});

describe('DependencyGraph.topologicalOrder', () => {
  it('orders a chain whatever the input order', () => {
    const graph = DependencyGraph.fromItems([item('voicemail', 'mobile-plan'), item('mobile-plan', 'number-porting'), item('number-porting')]);
    expect(graph.topologicalOrder()).toEqual(['number-porting', 'mobile-plan', 'voicemail']);
  });

  it('is stable by input order among items ready at the same time', () => {
    const graph = DependencyGraph.fromItems([item('c', 'a'), item('b'), item('a'), item('d', 'a', 'b')]);
    expect(graph.topologicalOrder()).toEqual(['b', 'a', 'c', 'd']);
  });

  it('puts every item after all it depends on (diamond)', () => {
    const graph = DependencyGraph.fromItems([item('d', 'b', 'c'), item('c', 'a'), item('b', 'a'), item('a')]);
    const order = graph.topologicalOrder();
    expect(order).toHaveLength(4);
    for (const [id, deps] of graph.dependsOn) {
      for (const dep of deps) expect(order.indexOf(dep)).toBeLessThan(order.indexOf(id));
    }
    expect(order[0]).toBe('a');
    expect(order[3]).toBe('d');
  });

  it('throws on a cycle', () => {
    const graph = DependencyGraph.fromItems([item('a', 'b'), item('b', 'a')]);
    expect(() => graph.topologicalOrder()).toThrow('dependency graph has a cycle');
  });

  it('returns an empty order for no items', () => {
    expect(DependencyGraph.fromItems([]).topologicalOrder()).toEqual([]);
  });
});

describe('DependencyGraph.findCycle', () => {
  it('is undefined for an acyclic graph', () => {
    expect(DependencyGraph.fromItems([item('a'), item('b', 'a'), item('c', 'a', 'b')]).findCycle()).toBeUndefined();
  });

  it('returns a two-item cycle as a closed path', () => {
    expect(DependencyGraph.fromItems([item('a', 'b'), item('b', 'a')]).findCycle()).toEqual(['a', 'b', 'a']);
  });

  it('returns a longer cycle with only the items on it', () => {
    // x leads into the cycle but is not part of it.
    const graph = DependencyGraph.fromItems([item('x', 'a'), item('a', 'b'), item('b', 'c'), item('c', 'a')]);
    expect(graph.findCycle()).toEqual(['a', 'b', 'c', 'a']);
  });

  it('finds a cycle that is not reachable from the first item', () => {
    const graph = DependencyGraph.fromItems([item('ok'), item('p', 'q'), item('q', 'p')]);
    expect(graph.findCycle()).toEqual(['p', 'q', 'p']);
  });
});

describe('DependencyGraph.problems', () => {
  it('reports nothing for a valid bundle', () => {
    expect(DependencyGraph.problems([item('a'), item('b', 'a'), item('c', 'b')])).toEqual([]);
  });

  it('reports a relationship to an unknown item', () => {
    expect(DependencyGraph.problems([item('a'), item('b', 'ghost')])).toEqual([{ kind: 'unknownItem', itemId: 'b', related: ['ghost'] }]);
  });

  it('reports a self reference (and not also as a cycle)', () => {
    expect(DependencyGraph.problems([item('a', 'a')])).toEqual([{ kind: 'selfReference', itemId: 'a', related: ['a'] }]);
  });

  it('reports a cycle with its path', () => {
    expect(DependencyGraph.problems([item('a', 'b'), item('b', 'a')])).toEqual([{ kind: 'cycle', itemId: 'a', related: ['a', 'b', 'a'] }]);
    expect(DependencyGraph.problems([item('a', 'c'), item('b', 'a'), item('c', 'b')])).toEqual([
      { kind: 'cycle', itemId: 'a', related: ['a', 'c', 'b', 'a'] },
    ]);
  });

  it('reports unknown items even on non-ordering relationships, but no cycle for them', () => {
    const problems = DependencyGraph.problems([
      { id: 'a', relationships: [rel('bundles', 'b')] },
      { id: 'b', relationships: [rel('bundles', 'a'), rel('bundles', 'nowhere')] },
    ]);
    expect(problems).toEqual([{ kind: 'unknownItem', itemId: 'b', related: ['nowhere'] }]);
  });

  it('reports several problems together', () => {
    const problems = DependencyGraph.problems([item('a', 'b'), item('b', 'a'), item('c', 'c'), item('d', 'missing')]);
    expect(problems.map((p) => p.kind)).toEqual(['selfReference', 'unknownItem', 'cycle']);
  });
});

describe('DependencyGraph.dependentsOf', () => {
  const graph = DependencyGraph.fromItems([item('porting'), item('plan', 'porting'), item('voicemail', 'plan'), item('sms', 'plan'), item('other')]);

  it('returns direct and transitive dependents', () => {
    expect([...graph.dependentsOf('porting')].sort()).toEqual(['plan', 'sms', 'voicemail']);
    expect([...graph.dependentsOf('plan')].sort()).toEqual(['sms', 'voicemail']);
  });

  it('returns an empty set for a leaf or an unknown item', () => {
    expect(graph.dependentsOf('voicemail').size).toBe(0);
    expect(graph.dependentsOf('other').size).toBe(0);
    expect(graph.dependentsOf('nope').size).toBe(0);
  });

  it('terminates on a cycle', () => {
    const cyclic = DependencyGraph.fromItems([item('a', 'b'), item('b', 'a'), item('c', 'a')]);
    expect([...cyclic.dependentsOf('a')].sort()).toEqual(['a', 'b', 'c']);
  });
});
