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
