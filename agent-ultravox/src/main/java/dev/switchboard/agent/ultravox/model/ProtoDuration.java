package dev.switchboard.agent.ultravox.model;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts between {@link Duration} and the protobuf duration strings Ultravox uses for every
 * duration field ({@code joinTimeout}, {@code maxDuration}, {@code billedDuration}, VAD settings):
 * decimal seconds with the suffix {@code s}, such as {@code "30s"}, {@code "0.384s"} or {@code
 * "3600s"}. Stateless and thread-safe.
 *
 * <pre>{@code
 * Duration d = ProtoDuration.parse("0.384s");          // PT0.384S
 * String s = ProtoDuration.format(Duration.ofMinutes(5)); // "300s"
 * }</pre>
 */
public final class ProtoDuration {
  // The OpenAPI's pattern for every duration field: ^-?(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,9})?s$
  private static final Pattern FORMAT =
      Pattern.compile("(-?)(0|[1-9][0-9]{0,11})(?:\\.([0-9]{1,9}))?s");
  private static final long MAX_SECONDS = 999_999_999_999L;
  private static final int MAX_SHOWN = 40;

  private ProtoDuration() {}

  /**
   * Parses a protobuf duration string.
   *
   * @param text e.g. {@code "30s"} or {@code "0.384s"}
   * @return the duration
   * @throws IllegalArgumentException if the text is not a protobuf duration, quoting it
   */
  public static Duration parse(String text) {
    Objects.requireNonNull(text, "text");
    Matcher m = FORMAT.matcher(text);
    if (!m.matches()) {
      String shown = text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "…" : text;
      throw new IllegalArgumentException(
          "not a protobuf duration (decimal seconds with the suffix 's', e.g. \"30s\" or"
              + " \"0.384s\"): \""
              + shown
              + "\"");
    }
    long seconds = Long.parseLong(m.group(2));
    String fraction = m.group(3);
    long nanos = 0;
    if (fraction != null) {
      nanos = Long.parseLong((fraction + "000000000").substring(0, 9));
    }
    Duration d = Duration.ofSeconds(seconds, nanos);
    return m.group(1).isEmpty() ? d : d.negated();
  }

  /**
   * Formats a duration as a protobuf duration string: whole seconds as {@code "30s"}, fractions
   * with as many digits as needed ({@code "0.384s"}, at most nanoseconds).
   *
   * @param duration the duration, at most 999,999,999,999 seconds either way
   * @return the text
   * @throws IllegalArgumentException if the duration is out of that range
   */
  public static String format(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    BigDecimal seconds =
        new BigDecimal(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9));
    if (seconds.abs().compareTo(BigDecimal.valueOf(MAX_SECONDS + 1)) >= 0) {
      throw new IllegalArgumentException(
          "duration " + duration + " is out of range for Ultravox (at most " + MAX_SECONDS + " s)");
    }
    if (seconds.signum() == 0) {
      return "0s";
    }
    return seconds.stripTrailingZeros().toPlainString() + "s";
  }
}
