import { join } from 'node:path';
import type { AdapterFactory } from '../adapter-pool.js';
import type { OperationContext } from '../audit.js';
import type { NeAdapter } from '../ne-adapter.js';
import { RecordingAdapter } from './recording-adapter.js';
import { saveRecording } from './recording-file.js';

/**
 * Records every session a real adapter factory opens, for the mock driver to replay: wrap the
 * fleet's factory with it (a lab run, a bench on real devices) and each adapter's session is
 * written to `<dir>/<neId>-<n>.json` when the adapter is closed (the pool retires it).
 */
export function recordingFactory(factory: AdapterFactory, dir: string, onSaved?: (path: string) => void): AdapterFactory {
  const counts = new Map<string, number>();
  return async (ne): Promise<NeAdapter> => {
    const n = (counts.get(ne.id) ?? 0) + 1;
    counts.set(ne.id, n);
    const recorder = new RecordingAdapter(await factory(ne));
    const path = join(dir, `${ne.id}-${n}.json`);
    const close = recorder.close.bind(recorder);
    // close() never throws, so a failed save only loses the recording, never the session's release.
    recorder.close = async (ctx?: OperationContext) => {
      await close(ctx);
      await saveRecording(path, recorder.recording()).then(
        () => onSaved?.(path),
        () => undefined,
      );
    };
    return recorder;
  };
}
