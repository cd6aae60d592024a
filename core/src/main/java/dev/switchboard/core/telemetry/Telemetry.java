package dev.switchboard.core.telemetry;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import java.util.Objects;

/**
 * Switchboard's handle on OpenTelemetry: one tracer and one meter named {@value #SCOPE}, from the
 * {@code OpenTelemetry} the application gives, or the global one if it has installed one, or a
 * no-op. Components take a {@code Telemetry} in their builders. Immutable and thread-safe.
 *
 * <pre>{@code
 * Telemetry telemetry = Telemetry.of(openTelemetrySdk);   // or Telemetry.global()
 * Span span = telemetry.startSpan("call", SpanKind.SERVER);
 * span.setAttribute(Telemetry.CALL_ID, callId);
 * try (var scope = span.makeCurrent()) { ... } finally { span.end(); }
 * }</pre>
 *
 * <p>Attributes never carry secrets, audio or message content.
 */
public final class Telemetry {
  /** The instrumentation scope of every span and instrument Switchboard creates. */
  public static final String SCOPE = "dev.switchboard";

  /** The call id attribute. */
  public static final AttributeKey<String> CALL_ID = AttributeKey.stringKey("switchboard.call.id");

  /** The conversation id attribute. */
  public static final AttributeKey<String> CONVERSATION_ID =
      AttributeKey.stringKey("switchboard.conversation.id");

  /** The agent session id attribute. */
  public static final AttributeKey<String> SESSION_ID =
      AttributeKey.stringKey("switchboard.session.id");

  /** The provider name attribute, e.g. {@code twilio}. */
  public static final AttributeKey<String> PROVIDER =
      AttributeKey.stringKey("switchboard.provider");

  private final OpenTelemetry openTelemetry;
  private final Tracer tracer;
  private final Meter meter;

  private Telemetry(OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
    this.tracer = openTelemetry.getTracer(SCOPE);
    this.meter = openTelemetry.getMeter(SCOPE);
  }

  /**
   * Returns telemetry over the given {@code OpenTelemetry}.
   *
   * @param openTelemetry the SDK or API instance to report to
   * @return the telemetry
   */
  public static Telemetry of(OpenTelemetry openTelemetry) {
    return new Telemetry(Objects.requireNonNull(openTelemetry, "openTelemetry"));
  }

  /**
   * Returns telemetry over the global {@code OpenTelemetry} if the application installed one, else
   * a no-op. Unlike {@code GlobalOpenTelemetry.get()} it never installs a global as a side effect.
   *
   * @return the telemetry
   */
  public static Telemetry global() {
    return new Telemetry(GlobalOpenTelemetry.getOrNoop());
  }

  /**
   * Returns telemetry that records nothing.
   *
   * @return the no-op telemetry
   */
  public static Telemetry noop() {
    return new Telemetry(OpenTelemetry.noop());
  }

  /**
   * Returns the underlying instance.
   *
   * @return the OpenTelemetry
   */
  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /**
   * Returns Switchboard's tracer.
   *
   * @return the tracer
   */
  public Tracer tracer() {
    return tracer;
  }

  /**
   * Returns Switchboard's meter.
   *
   * @return the meter
   */
  public Meter meter() {
    return meter;
  }

  /**
   * Starts a span, a child of the current one if any. The caller ends it.
   *
   * @param name the span name, e.g. {@code "call"} or {@code "agent.turn"}
   * @param kind the span kind
   * @return the started span
   */
  public Span startSpan(String name, SpanKind kind) {
    return tracer.spanBuilder(name).setSpanKind(kind).startSpan();
  }
}
