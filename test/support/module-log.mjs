// `node --import ./test/support/module-log.mjs ...`: when the process exits, writes to the file
// MODULE_LOG names what it cost: { "cpuMs": user+system CPU, "modules": [every URL resolved] }.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import process from 'node:process';

const loaded = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    loaded.add(result.url);
    return result;
  },
});
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  if (process.env.MODULE_LOG) writeFileSync(process.env.MODULE_LOG, JSON.stringify({ cpuMs: (user + system) / 1000, modules: [...loaded] }));
});
