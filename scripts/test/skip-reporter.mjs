// A Vitest reporter that writes every skipped test with its reason to a JSON file
// ($WEBEMBED_SKIPS_FILE, else .tmp/vitest-skips.json), so scripts/test-all.mjs can list them per
// browser instead of only counting them. The reason is the test's `ctx.skip(note)` note, else the
// `skipReason` meta of the test or its nearest suite (scripts/test/browser-support.ts `needs()`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

function reasonOf(testCase) {
  const note = testCase.result().note;
  if (note) return note;
  for (let node = testCase; node && typeof node.meta === 'function'; node = node.parent) {
    const reason = node.meta()?.skipReason;
    if (reason) return reason;
  }
  return null;
}

export default class SkipReporter {
  onInit(vitest) {
    this.root = vitest.config.root;
  }

  onTestRunEnd(testModules) {
    const skipped = [];
    for (const module of testModules) {
      for (const testCase of module.children.allTests()) {
        if (testCase.result().state !== 'skipped') continue;
        skipped.push({
          project: testCase.project.name,
          file: relative(this.root, testCase.module.moduleId),
          test: testCase.fullName,
          reason: reasonOf(testCase),
        });
      }
    }
    const file = resolve(this.root, process.env.WEBEMBED_SKIPS_FILE || '.tmp/vitest-skips.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(skipped, null, 2)}\n`);
  }
}
