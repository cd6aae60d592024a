package dev.switchboard.agent.openai.realtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.ProviderException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Not API. Maps every OpenAI Realtime failure (handshake status, I/O failure, {@code error} event,
 * failed response) to a {@link ProviderException}, in one place. Messages never carry the API key:
 * the service's own text is left out of authentication failures, since it echoes part of the key.
 */
public final class OpenAiErrors {
  /** The provider name on every exception. */
  public static final String PROVIDER = "openai";

  private static final int MAX_MESSAGE = 300;

  private OpenAiErrors() {}

  /**
   * Maps a refused WebSocket handshake.
   *
   * @param status the HTTP status
   * @param body the response body, possibly empty
   * @param retryAfter the {@code Retry-After} header, or null
   * @param url the socket URL (without credentials)
   * @return the exception
   */
  public static ProviderException handshake(
      int status, String body, @Nullable String retryAfter, String url) {
    JsonNode error = parse(body).path("error");
    String code = text(error, "code");
    if (code == null) {
      code = text(error, "type");
    }
    if (status == 401 || status == 403) {
      return new ProviderException(
          PROVIDER,
          "OpenAI refused the API key (HTTP "
              + status
              + (code == null ? "" : ", " + code)
              + ") connecting to "
              + url
              + ": check the apiKey setting (api-key) and that the key may use the Realtime API",
          status,
          code,
          null,
          false,
          null);
    }
    boolean retryable = status == 408 || status == 409 || status == 429 || status >= 500;
    String message = text(error, "message");
    return new ProviderException(
        PROVIDER,
        "OpenAI refused the Realtime connection to "
            + url
            + " (HTTP "
            + status
            + (code == null ? "" : ", " + code)
            + ")"
            + (message == null ? "" : ": " + shorten(message))
            + (status == 404 || status == 400 ? "; check the model and baseUrl settings" : ""),
        status,
        code,
        retryAfter(retryAfter),
        retryable,
        null);
  }

  /**
   * Maps a connection that failed before any HTTP response.
   *
   * @param cause the failure
   * @param url the socket URL
   * @return the exception, retryable
   */
  public static ProviderException connection(Throwable cause, String url) {
    return new ProviderException(
        PROVIDER,
        "could not connect to OpenAI Realtime at "
            + url
            + ": "
            + cause.getClass().getSimpleName()
            + (cause.getMessage() == null ? "" : " " + shorten(cause.getMessage())),
        0,
        null,
        null,
        true,
        cause);
  }

  /**
   * Maps an {@code error} event's {@code error} object.
   *
   * @param error the object
   * @param sessionId the session, for the message
   * @return the exception
   */
  public static ProviderException event(JsonNode error, String sessionId) {
    String type = text(error, "type");
    String code = text(error, "code");
    String message = text(error, "message");
    boolean retryable =
        "server_error".equals(type)
            || "rate_limit_exceeded".equals(code)
            || "rate_limit_error".equals(type);
    return new ProviderException(
        PROVIDER,
        "OpenAI Realtime error in session "
            + sessionId
            + " ("
            + (type == null ? "error" : type)
            + (code == null ? "" : "/" + code)
            + ")"
            + (message == null ? "" : ": " + shorten(message)),
        0,
        code,
        null,
        retryable,
        null);
  }

  /**
   * Maps a {@code response.done} whose status is {@code failed}.
   *
   * @param response the response object
   * @param sessionId the session
   * @return the exception
   */
  public static ProviderException failedResponse(JsonNode response, String sessionId) {
    JsonNode error = response.path("status_details").path("error");
    String code = text(error, "code");
    String type = text(error, "type");
    return new ProviderException(
        PROVIDER,
        "OpenAI Realtime response "
            + response.path("id").asText("?")
            + " in session "
            + sessionId
            + " failed"
            + (type == null && code == null
                ? ""
                : " (" + (type == null ? "" : type) + (code == null ? "" : "/" + code) + ")"),
        0,
        code,
        null,
        "server_error".equals(type),
        null);
  }

  static @Nullable String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
  }

  private static JsonNode parse(String body) {
    try {
      return ClientEvents.JSON.readTree(body.isEmpty() ? "{}" : body);
    } catch (Exception e) {
      return ClientEvents.JSON.createObjectNode();
    }
  }

  private static @Nullable Duration retryAfter(@Nullable String header) {
    if (header == null) {
      return null;
    }
    try {
      return Duration.ofSeconds(Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      return null; // an HTTP date: not worth parsing here
    }
  }

  private static String shorten(String s) {
    return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "...";
  }
}
