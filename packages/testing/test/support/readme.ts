// The parts of packages/testing/README.md that tests run, so the README cannot drift from the code.
import { readFileSync } from 'node:fs';

/** The README's text. */
export const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The fenced code blocks of the README, in order. */
export const README_BLOCKS = [...README.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, lang, body]) => ({
  lang: lang as string,
  body: body as string,
}));

/** The config example: the JSON block under "The config file". */
export function readmeConfig(): string {
  const section = README.slice(README.indexOf('## The config file'));
  return (/```json\n([\s\S]*?)```/.exec(section) as RegExpExecArray)[1] as string;
}

/** The arguments of every `npx nav-auth idp mint ...` line in the README's shell blocks, comments dropped. */
export function readmeMintCommands(): string[][] {
  return README_BLOCKS.filter((block) => block.lang === 'sh')
    .flatMap((block) => block.body.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('npx nav-auth idp mint '))
    .map((line) => line.split(/\s+/).slice(2));
}
