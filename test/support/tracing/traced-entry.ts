/**
 * Entry of a traced test process, the way bin/activation-fleet.js starts the fleet: tracing
 * first (from the OTEL_* variables), then the program, so http, ioredis and fastify are hooked
 * before their first import. Usage: node --import tsx traced-entry.ts PROGRAM.ts
 */
await import('../../../observability/tracing/preload.js');
const program = process.argv[2];
if (!program) throw new Error('traced-entry: which program?');
await import(new URL(program, import.meta.url).href);
