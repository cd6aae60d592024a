/**
 * Observability helpers: {@link dev.switchboard.core.telemetry.Telemetry} gives Switchboard's
 * tracer and meter from an injectable {@code OpenTelemetry} (the global one, or a no-op, by
 * default; Switchboard depends on the OpenTelemetry API only), and {@link
 * dev.switchboard.core.telemetry.LogContext} puts call, conversation and session ids into the SLF4J
 * MDC for the duration of a callback.
 */
@NullMarked
package dev.switchboard.core.telemetry;

import org.jspecify.annotations.NullMarked;
