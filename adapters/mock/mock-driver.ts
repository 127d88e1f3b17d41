import type { NetworkElement } from '../network-element.js';
import type { NeAdapter } from '../ne-adapter.js';
import { MockAdapter } from './mock-adapter.js';
import { loadRecording } from './recording-file.js';

/**
 * An adapter factory over recorded sessions: each NE replays the file `sessionFor` names for it,
 * so a fleet (or a test) runs with no lab at all.
 */
export function createMockAdapterFactory(sessionFor: (ne: NetworkElement) => string) {
  return async (ne: NetworkElement): Promise<NeAdapter> => {
    const recording = await loadRecording(sessionFor(ne));
    if (recording.protocol !== ne.protocol) throw new Error(`${sessionFor(ne)} records a ${recording.protocol} session, but ${ne.id} speaks ${ne.protocol}`);
    return new MockAdapter(ne, recording);
  };
}
