package dev.switchboard.voice.twilio.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.ProviderException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/**
 * Not API. The one place where Twilio REST failures become {@link ProviderException}s: non-2xx
 * answers (with Twilio's error {@code code}, {@code message} and {@code Retry-After}) and transport
 * failures. Messages never carry credentials.
 */
public final class TwilioErrors {
  /** The provider name on every exception. */
  public static final String PROVIDER = "twilio";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_MESSAGE = 300;

  private TwilioErrors() {}

  /**
   * Maps a non-2xx answer.
   *
   * @param method the HTTP method
   * @param path the request path (no query, no credentials)
   * @param status the HTTP status
   * @param body the response body, possibly empty
   * @param retryAfterHeader the {@code Retry-After} header, if any
   * @param clock for HTTP-date {@code Retry-After} values
   * @return the exception
   */
  public static ProviderException fromResponse(
      String method,
      String path,
      int status,
      String body,
      @Nullable String retryAfterHeader,
      Clock clock) {
    String code = null;
    String twilioMessage = null;
    try {
      JsonNode node = body.isBlank() ? null : JSON.readTree(body);
      if (node != null && node.isObject()) {
        JsonNode c = node.get("code");
        if (c != null && !c.isNull()) {
          code = c.asText();
        }
        JsonNode m = node.get("message");
        if (m != null && m.isTextual()) {
          twilioMessage = truncate(m.asText());
        }
      }
    } catch (IOException e) {
      // not JSON: keep the status alone
    }
    Duration retryAfter = parseRetryAfter(retryAfterHeader, clock);
    String what = method + " " + path + " answered HTTP " + status;
    String detail =
        (code != null ? " (Twilio error " + code + ")" : "")
            + (twilioMessage != null ? ": " + twilioMessage : "");
    boolean retryable;
    String advice;
    if (status == 401 || status == 403) {
      retryable = false;
      advice =
          "; Twilio rejected the credentials: check the account SID and the auth token (or API key"
              + " SID and secret)";
    } else if (status == 429) {
      retryable = true;
      advice =
          "; rate limited"
              + (retryAfter != null ? ", retry after " + retryAfter.toMillis() + " ms" : "");
    } else if (status >= 500) {
      retryable = true;
      advice = "; Twilio had a server error";
    } else if (status == 404) {
      retryable = false;
      advice = "; the resource does not exist (a call that has ended, or a wrong SID)";
    } else {
      retryable = false;
      advice = "";
    }
    return new ProviderException(
        PROVIDER, what + detail + advice, status, code, retryAfter, retryable, null);
  }

  /**
   * Maps a transport failure. A failure to connect proves the request was not sent; anything else
   * (a read timeout, a dropped connection) leaves open whether Twilio acted on it.
   *
   * @param method the HTTP method
   * @param path the request path
   * @param e the failure
   * @return the exception, HTTP status 0, retryable (whether a retry is safe is the caller's call)
   */
  public static ProviderException fromTransport(String method, String path, IOException e) {
    boolean notSent =
        e instanceof ConnectException
            || e instanceof NoRouteToHostException
            || e instanceof UnknownHostException
            || e.getCause() instanceof ConnectException;
    String message =
        notSent
            ? "could not connect to the Twilio API for " + method + " " + path + ": " + e
            : "no complete answer from the Twilio API for "
                + method
                + " "
                + path
                + " ("
                + e
                + "); the request may have been carried out";
    return new ProviderException(PROVIDER, message, 0, null, null, true, e);
  }

  /**
   * Parses a {@code Retry-After} value: delta seconds or an HTTP date.
   *
   * @param value the header value
   * @param clock the clock an HTTP date is measured against
   * @return the delay, or null if absent or malformed
   */
  public static @Nullable Duration parseRetryAfter(@Nullable String value, Clock clock) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
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

  private static String truncate(String s) {
    return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "…";
  }
}
