// The API report of every published entry point: API Extractor reads each built dist/*.d.ts (run
// `pnpm build` first) and compares its API with the checked-in api/<entry>.api.md, so a change to
// a public API is always deliberate. `pnpm api:check` (CI) fails when any report differs (the new
// one is left in reports/api/); `pnpm api:update` (--local) rewrites the reports to commit.
// Settings: api-extractor.base.json (JSON without comments, for biome), extended by each
// package's api-extractor*.json. Only the API report: no doc model, .d.ts rollup or
// tsdoc-metadata. The .d.ts are read as a user's compiler reads them (overrideTsconfig, no
// "@nav-auth/source" condition: the other @nav-auth packages resolve to their dist/ too), with
// lib ES2022 and Node's types only: no DOM lib, as in a Node service.
// Messages: no release tags but @internal (ae-missing-release-tag, ae-internal-missing-underscore
// off); a type reachable from the API but not exported is written into the report as an
// ae-forgotten-export warning, so it shows in review without failing; {@link} targets and TSDoc
// syntax are a doc comment matter (off). An item without a doc comment is marked
// "(undocumented)" in its report, so documenting it changes the report too.
import { existsSync } from 'node:fs';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const CONFIGS = [
  'packages/core/api-extractor.json',
  'packages/node/api-extractor.json',
  // @nav-auth/node/internal, for the other @nav-auth packages only: its own report.
  'packages/node/api-extractor.internal.json',
  'packages/pdp/api-extractor.json',
  'packages/nestjs/api-extractor.json',
  'packages/nestjs/api-extractor.testing.json',
  'packages/testing/api-extractor.json',
  'packages/cli/api-extractor.json',
  'packages/otel/api-extractor.json',
  'packages/valkey/api-extractor.json',
];

const local = process.argv.includes('--local');
const failed = [];
const changed = [];
for (const file of CONFIGS) {
  const config = ExtractorConfig.loadFileAndPrepare(file);
  if (!existsSync(config.mainEntryPointFilePath)) {
    console.error(`${file}: ${config.mainEntryPointFilePath} is missing; run \`pnpm build\` first`);
    failed.push(file);
    continue;
  }
  const result = Extractor.invoke(config, {
    localBuild: local,
    messageCallback(message) {
      // Progress notes ("Analysis will use the bundled TypeScript version ...") are noise here.
      if (message.logLevel === ExtractorLogLevel.Info || message.logLevel === ExtractorLogLevel.Verbose) {
        message.handled = true;
      }
    },
  });
  if (result.apiReportChanged) changed.push(config.reportFilePath);
  if (!result.succeeded) failed.push(file);
}

if (local) {
  console.log(changed.length === 0 ? 'API reports: unchanged' : `API reports updated:\n  ${changed.join('\n  ')}`);
} else if (failed.length === 0) {
  console.log(`API reports: all ${CONFIGS.length} match api/`);
} else if (changed.length > 0) {
  console.error(
    `The API changed; if that is deliberate, run \`pnpm build && pnpm api:update\` and commit api/:\n  ${changed.join('\n  ')}`,
  );
}
if (failed.length > 0) {
  console.error(`API Extractor failed for:\n  ${failed.join('\n  ')}`);
  process.exit(1);
}
