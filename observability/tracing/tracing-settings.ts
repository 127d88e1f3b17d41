/**
 * Whether the OpenTelemetry SDK should start, from the standard OTEL_* variables alone: an
 * exporter endpoint, an exporter list other than `none`, or a declarative config file. With
 * none of them (or OTEL_SDK_DISABLED=true) the SDK is never even imported.
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const set = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  if (set('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return false;
  const exporters = set('OTEL_TRACES_EXPORTER')
    ?.split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  if (exporters?.includes('none')) return false;
  if (exporters && exporters.length > 0) return true;
  return set('OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined || set('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined || set('OTEL_CONFIG_FILE') !== undefined;
}
