// The stores' Lua scripts are read from files next to the compiled stores: copy them into a
// build's output (dist/ by default, dist-bench/ for the bench build).
import { cpSync } from 'node:fs';

const outDir = process.argv[2] ?? 'dist';
cpSync('stores/lua', `${outDir}/stores/lua`, { recursive: true });
