// The build: the service and a build stamp into dist/ (what deliver.yml ships as the artifact).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';

mkdirSync('dist', { recursive: true });
copyFileSync('server.mjs', 'dist/server.mjs');
writeFileSync('dist/build-info.json', `${JSON.stringify({ builtAt: new Date().toISOString() })}\n`);
