package dev.switchboard.agent.ultravox.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.ProviderException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Not API. The one place where Ultravox REST failures become {@link ProviderException}s: non-2xx
 * answers (with Ultravox's own message and {@code Retry-After}), transport failures and answers
 * that cannot be read. Messages never carry the API key (it is never given to this class).
 *
 * <p>The error body's shape is UNCERTAIN: the API behaves like Django REST Framework, so the parser
 * accepts {@code {"detail": "..."}} (general errors, optionally with a {@code "code"}), {@code
 * {"field": ["message", ...]}} and nested {@code {"callTemplate": {"systemPrompt": [...]}}}
 * (validation errors), {@code {"non_field_errors": [...]}}, a bare list of messages, and {@code
 * {"error": "..."}} / {@code {"message": "..."}}; anything else is quoted as a bounded snippet of
 * the raw body.
 */
public final class UltravoxErrors {
  /** The provider name on every exception. */
  public static final String PROVIDER = "ultravox";

  private static final int MAX_DETAIL = 300;
  private static final int MAX_FIELDS = 8;

  private UltravoxErrors() {}

  /**
   * Maps a non-2xx answer.
   *
   * @param operation what was being done, e.g. {@code "get agent"}
   * @param method the HTTP method
   * @param path the request path (no query string)
   * @param status the HTTP status
   * @param body the response body, possibly empty
   * @param retryAfterHeader the {@code Retry-After} header, if any
   * @param clock for HTTP-date {@code Retry-After} values
   * @return the exception
   */
  public static ProviderException fromResponse(
      String operation,
      String method,
      String path,
      int status,
      String body,
      @Nullable String retryAfterHeader,
      Clock clock) {
    String code = null;
    String detail = null;
    JsonNode node = null;
    if (!body.isBlank()) {
      try {
        node = Json.MAPPER.readTree(body);
      } catch (IOException e) {
        node = null; // not JSON: quoted below
      }
    }
    if (node != null) {
      JsonNode c = node.get("code");
      if (c != null && c.isValueNode() && !c.isNull()) {
        code = bounded(c.asText());
      }
      detail = describe(node);
    }
    if (detail == null && !body.isBlank()) {
      detail = "\"" + bounded(sanitize(body.strip())) + "\"";
    }
    Duration retryAfter = parseRetryAfter(retryAfterHeader, clock);
    StringBuilder m =
        new StringBuilder(operation)
            .append(" failed: Ultravox answered HTTP ")
            .append(status)
            .append(" to ")
            .append(method)
            .append(' ')
            .append(path);
    if (detail != null) {
      m.append(": ").append(detail);
    }
    boolean retryable;
    if (status == 401 || status == 403) {
      retryable = false;
      m.append(
          " — Ultravox rejected the API key (X-API-Key): check that it is the full key of an active"
              + " Ultravox account");
    } else if (status == 404) {
      retryable = false;
      m.append(" — no such resource (a wrong or deleted id)");
    } else if (status == 429) {
      retryable = true;
      m.append(" — rate limited");
      if (retryAfter != null) {
        m.append("; Ultravox asked to retry after ").append(retryAfter.toMillis()).append(" ms");
      }
    } else if (status == 408 || status >= 500) {
      retryable = true;
      m.append(" — a transient Ultravox failure; trying again later may succeed");
    } else {
      retryable = false;
    }
    return new ProviderException(PROVIDER, m.toString(), status, code, retryAfter, retryable, null);
  }

  /**
   * Maps a transport failure. A failure to connect proves the request was not sent; anything else
   * (a read timeout, a dropped connection) leaves open whether Ultravox acted on it.
   *
   * @param operation what was being done
   * @param method the HTTP method
   * @param path the request path
   * @param e the failure
   * @return the exception: HTTP status 0, retryable (whether a retry is safe is the caller's call)
   */
  public static ProviderException fromTransport(
      String operation, String method, String path, IOException e) {
    boolean notSent =
        e instanceof ConnectException
            || e instanceof NoRouteToHostException
            || e instanceof UnknownHostException
            || e.getCause() instanceof ConnectException;
    String what = e instanceof InterruptedIOException ? "timed out" : e.getClass().getSimpleName();
    String message =
        notSent
            ? operation
                + " failed: could not connect to the Ultravox API for "
                + method
                + " "
                + path
                + " ("
                + what
                + ": "
                + e.getMessage()
                + ")"
            : operation
                + " failed: no complete answer from the Ultravox API for "
                + method
                + " "
                + path
                + " ("
                + what
                + (e.getMessage() == null ? "" : ": " + e.getMessage())
                + "); the request may have been carried out";
    return new ProviderException(PROVIDER, message, 0, null, null, true, e);
  }

  /**
   * Maps a 2xx answer whose body could not be read as the expected JSON.
   *
   * @param operation what was being done
   * @param method the HTTP method
   * @param path the request path
   * @param status the HTTP status
   * @param problem what is wrong with it
   * @param cause the parse failure, or null
   * @return the exception, not retryable
   */
  public static ProviderException unreadable(
      String operation,
      String method,
      String path,
      int status,
      String problem,
      @Nullable Throwable cause) {
    return new ProviderException(
        PROVIDER,
        operation
            + " failed: Ultravox answered HTTP "
            + status
            + " to "
            + method
            + " "
            + path
            + " with a body that cannot be read: "
            + bounded(problem),
        status,
        null,
        null,
        false,
        cause);
  }

  /**
   * Parses a {@code Retry-After} value: delta seconds (decimals tolerated) or an HTTP date.
   *
   * @param value the header value
   * @param clock the clock an HTTP date is measured against
   * @return the delay (zero for a date in the past), or null if absent or malformed
   */
  public static @Nullable Duration parseRetryAfter(@Nullable String value, Clock clock) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    try {
      double seconds = Double.parseDouble(v);
      if (seconds < 0 || Double.isNaN(seconds) || Double.isInfinite(seconds)) {
        return null;
      }
      return Duration.ofMillis(Math.round(Math.min(seconds, 1e9) * 1000));
    } catch (NumberFormatException e) {
      // maybe a date
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(clock.instant(), at);
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Ultravox's own words from a JSON error body, or null when it has none we recognise. */
  private static @Nullable String describe(JsonNode node) {
    if (node.isTextual()) {
      return bounded(node.asText());
    }
    if (node.isArray()) {
      String joined = joinMessages(node);
      return joined.isEmpty() ? null : bounded(joined);
    }
    if (!node.isObject()) {
      return null;
    }
    for (String key : List.of("detail", "message", "error")) {
      JsonNode v = node.get(key);
      if (v != null && v.isTextual() && !v.asText().isBlank()) {
        return bounded(v.asText());
      }
    }
    List<String> parts = new ArrayList<>();
    collectFieldErrors("", node, parts);
    if (parts.isEmpty()) {
      return null;
    }
    String more = "";
    if (parts.size() > MAX_FIELDS) {
      more = "; and " + (parts.size() - MAX_FIELDS) + " more";
      parts = parts.subList(0, MAX_FIELDS);
    }
    return bounded(String.join("; ", parts) + more);
  }

  /** Validation errors as "field: message" (nested fields dotted); the code key is skipped. */
  private static void collectFieldErrors(String prefix, JsonNode node, List<String> into) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      if (prefix.isEmpty() && f.getKey().equals("code")) {
        continue;
      }
      String name =
          f.getKey().equals("non_field_errors")
              ? prefix
              : prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey();
      JsonNode v = f.getValue();
      if (v.isObject()) {
        collectFieldErrors(name, v, into);
      } else {
        String text = v.isArray() ? joinMessages(v) : v.isValueNode() ? v.asText() : "";
        if (!text.isEmpty()) {
          into.add(name.isEmpty() ? text : name + ": " + text);
        }
      }
    }
  }

  private static String joinMessages(JsonNode array) {
    List<String> texts = new ArrayList<>();
    for (JsonNode item : array) {
      if (item.isValueNode()) {
        texts.add(item.asText());
      } else if (item.isObject()) {
        List<String> nested = new ArrayList<>();
        collectFieldErrors("", item, nested);
        texts.addAll(nested);
      }
    }
    return String.join(" ", texts);
  }

  private static String sanitize(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_DETAIL + 1));
    for (int i = 0; i < s.length() && b.length() <= MAX_DETAIL; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? ' ' : c);
    }
    return b.toString();
  }

  private static String bounded(String s) {
    return s.length() <= MAX_DETAIL ? s : s.substring(0, MAX_DETAIL) + "…";
  }
}
