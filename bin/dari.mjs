#!/usr/bin/env node
// The `dari` command. dari is written in TypeScript and runs through tsx, so
// the command needs no build step on a fresh clone.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
