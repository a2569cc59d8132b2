// pnpm demo: every nav-auth flow on 127.0.0.1, no outside service. A local Maskinporten,
// Azure AD and Altinn PDP (@nav-auth/testing); a NestJS API (apps/nest12-esm) exposing a
// nav:<product>:<name> scope, guarded by Maskinporten scopes with an audience restriction, a
// system user checked with the PDP, and Azure roles; a consumer getting Maskinporten tokens;
// an on-behalf-of chain (user -> API A -> API B); and a citizen chain (ID-porten -> app A ->
// TokenX -> app B, apps/citizen-chain). Then the same clients and services once more with Texas,
// the NAIS token sidecar, turned on (a fake Texas in front of the same IdP). OpenTelemetry runs
// as a service would run it, exporting to memory; `pnpm demo --spans` prints each step's spans.
// Exits non-zero if any step deviates.
import 'reflect-metadata';
import { instrumentNavAuth } from '@nav-auth/otel';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { type DemoStep, runDemo } from './flows.js';
import { startInMemoryTracing } from './in-memory-tracing.js';

const showSpans = process.argv.includes('--spans');
const color = process.stdout.isTTY
  ? (code: number, text: string) => `\u001b[${code}m${text}\u001b[0m`
  : (_code: number, text: string) => text;

const tracing = startInMemoryTracing();
const { exporter } = tracing;
const instrumentation = instrumentNavAuth({ tracerProvider: tracing.tracerProvider });

/** A span on one line: name, duration, and its attributes (nav-auth's without their prefix). */
function describeSpan(span: ReadableSpan): string {
  const [seconds, nanos] = span.duration;
  const ms = (seconds * 1000 + nanos / 1e6).toFixed(1);
  if (span.kind === SpanKind.CLIENT) {
    const url = new URL(String(span.attributes['url.full']));
    return `${span.name} ${url.host}${url.pathname} ${String(span.attributes['http.response.status_code'] ?? '')}  ${ms} ms`;
  }
  const facts = Object.entries(span.attributes)
    .map(([name, value]) => `${name.replace(/^nav_auth\./, '')}=${String(value)}`)
    .join(' ');
  return `${span.name}  ${ms} ms  ${color(2, facts)}`;
}

/** The spans that ended during a step, as trees (a span under its parent, when the parent is among them). */
function printSpans(spans: readonly ReadableSpan[]): void {
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  const print = (span: ReadableSpan, depth: number) => {
    console.log(`      ${'  '.repeat(depth)}${describeSpan(span)}`);
    for (const child of spans) if (child.parentSpanContext?.spanId === span.spanContext().spanId) print(child, depth + 1);
  };
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId;
    if (parent === undefined || !ids.has(parent)) print(span, 0);
  }
}

/** Strings longer than this are shortened inside a JSON answer, which stays whole and valid. */
const LONGEST_STRING = 48;
const shortened = (value: unknown): unknown => {
  if (typeof value === 'string') return value.length > LONGEST_STRING ? `${value.slice(0, LONGEST_STRING - 1)}…` : value;
  if (Array.isArray(value)) return value.map(shortened);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shortened(v)]));
  return value;
};

/** An answer as the report shows it: a JSON body whole (long strings shortened), anything else as it is. */
function describeAnswer(step: DemoStep): string {
  let body = step.body;
  try {
    body = JSON.stringify(shortened(JSON.parse(step.body)));
  } catch {
    // Not JSON: shown as sent.
  }
  return [step.challenge === undefined ? undefined : `WWW-Authenticate: ${step.challenge}`, body].filter(Boolean).join('  ');
}

const GLOSSARY: readonly (readonly [string, string])[] = [
  ['Maskinporten', "Digdir's token service for organisations: a business gets tokens to call public APIs such as NAV's"],
  ['org number', "an organisation's 9-digit number in the Central Coordinating Register, e.g. 974760673"],
  ['system user', "Altinn's identity for a vendor's software acting for a customer organisation (payroll, accounting)"],
  ['Altinn PDP', 'the policy decision point: answers whether a system user may do an action for a party'],
  ['Azure AD', "NAV's identity provider for employees and internal apps (Entra ID); on-behalf-of passes the user on"],
  ['ID-porten', "citizens' login; TokenX exchanges a citizen's token for one that another NAV app accepts"],
  ['Texas', 'the NAIS token sidecar: it holds the credentials and fetches or checks tokens for the app'],
];

let spanCount = 0;
console.log(color(1, "nav-auth demo: NAV's token flows end to end, every server on 127.0.0.1"));
const termWidth = Math.max(...GLOSSARY.map(([term]) => term.length));
for (const [term, meaning] of GLOSSARY) console.log(`  ${color(36, term.padEnd(termWidth))}  ${meaning}`);
console.log('');
const { steps } = await runDemo({
  log: (line) => console.log(line),
  highlight: (text) => color(36, text),
  stepStarted: (name) => {
    if (process.stdout.isTTY) process.stdout.write(`  ${color(2, '…')} ${name}`);
  },
  stepEnded: (step: DemoStep) => {
    const ok = step.status === step.expected;
    const line = `  ${ok ? color(32, '✔') : color(31, '✘')} ${step.name}: ${step.status}${ok ? '' : color(31, ` (expected ${step.expected})`)}`;
    process.stdout.write(process.stdout.isTTY ? `\r\u001b[2K${line}\n` : `${line}\n`);
    console.log(color(2, `      ${step.request}\n      -> ${describeAnswer(step)}`));
    const spans = exporter.getFinishedSpans();
    spanCount += spans.length;
    if (showSpans) printSpans(spans);
    exporter.reset();
  },
});
instrumentation.stop();
await tracing.stop();

console.log(
  `\n${spanCount} spans recorded (nav-auth's nav_auth.* spans and undici's HTTP client spans under them)${
    showSpans ? '' : "; `pnpm demo --spans` prints each step's"
  }`,
);
const deviating = steps.filter((s) => s.status !== s.expected);
console.log(`${steps.length - deviating.length} of ${steps.length} steps as expected`);
for (const s of deviating) console.log(color(31, `  DEVIATES: ${s.name}: ${s.status}, expected ${s.expected}`));
process.exitCode = deviating.length === 0 ? 0 : 1;
