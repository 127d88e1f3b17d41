#!/usr/bin/env node
// The fleet runs from its TypeScript sources through tsx: no build step between an edit and a deploy.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
