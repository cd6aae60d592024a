package dev.switchboard.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class TelemetryTest {

  @Test
  void globalFallsBackToNoopWithoutInstallingAGlobal() {
    Telemetry telemetry = Telemetry.global();
    Span span = telemetry.startSpan("call", SpanKind.SERVER);
    assertThat(span.getSpanContext().isValid()).isFalse(); // no-op spans carry no context
    span.end();
    assertThat(Telemetry.of(OpenTelemetry.noop()).openTelemetry()).isSameAs(OpenTelemetry.noop());
  }

  @Test
  void logContextRestoresThePreviousValue() {
    try (LogContext outer = LogContext.call("CA1")) {
      assertThat(MDC.get(LogContext.CALL_ID)).isEqualTo("CA1");
      try (LogContext inner = LogContext.call("CA2")) {
        assertThat(MDC.get(LogContext.CALL_ID)).isEqualTo("CA2");
      }
      assertThat(MDC.get(LogContext.CALL_ID)).isEqualTo("CA1");
    }
    assertThat(MDC.get(LogContext.CALL_ID)).isNull();
  }
}
