package dev.switchboard.examples.agents;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Correlation ids: a caller's {@code X-Request-Id} is used when it is short and made of safe
 * characters (so it can go into logs, headers and Ultravox metadata as is), otherwise refused;
 * without one, a fresh id is generated. Stateless. Not API.
 */
final class RequestIds {
  /** The header that carries the id, both ways. */
  static final String HEADER = "X-Request-Id";

  /** The SLF4J MDC key the id is kept under while a request is handled. */
  static final String MDC_KEY = "switchboard.request_id";

  /** The longest id accepted. */
  static final int MAX_LENGTH = 64;

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

  private RequestIds() {}

  /** Whether a caller's id can be used as is. */
  static boolean isValid(@Nullable String id) {
    return id != null && SAFE.matcher(id).matches();
  }

  /** A new id: {@code req_} and 20 lowercase hex digits. Unique enough to correlate, not secret. */
  static String generate() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return String.format("req_%05x%015x", random.nextInt(1 << 20), random.nextLong() >>> 4);
  }
}
