// The OpenTelemetry SDK as a NAIS service runs it, exporting spans to memory: a tracer provider,
// the AsyncLocalStorage context manager, and undici's own instrumentation for the HTTP client
// spans. The demo prints what it records; test/privacy.test.ts greps it.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Starts tracing to memory; `stop()` ends it and shuts the provider down. */
export function startInMemoryTracing() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const undici = new UndiciInstrumentation();
  undici.setTracerProvider(tracerProvider);
  undici.enable();
  return {
    tracerProvider,
    exporter,
    async stop() {
      undici.disable();
      await tracerProvider.shutdown();
      context.disable();
    },
  };
}
