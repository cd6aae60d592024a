package dev.switchboard.core.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Objects;

/**
 * What a webhook handler answers: status, content type, body and extra headers. Immutable.
 *
 * <pre>{@code
 * return WebhookResponse.xml(twiml);                                   // 200, TwiML
 * return WebhookResponse.error(403, "signature_invalid", "X-Twilio-Signature does not match");
 * }</pre>
 *
 * @param status the HTTP status
 * @param contentType the {@code Content-Type}, empty for no body
 * @param body the body text (UTF-8), empty for none
 * @param headers extra headers
 */
public record WebhookResponse(
    int status, String contentType, String body, Map<String, String> headers) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Validates the components and copies the headers. */
  public WebhookResponse {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("HTTP status must be 100-599, got " + status);
    }
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
    headers = Map.copyOf(headers);
  }

  /**
   * Returns a response with a status and no body.
   *
   * @param status the HTTP status
   * @return the response
   */
  public static WebhookResponse empty(int status) {
    return new WebhookResponse(status, "", "", Map.of());
  }

  /**
   * Returns a 200 response with an XML body (TwiML).
   *
   * @param xml the document
   * @return the response
   */
  public static WebhookResponse xml(String xml) {
    return new WebhookResponse(200, "application/xml", xml, Map.of());
  }

  /**
   * Returns a response with a JSON body.
   *
   * @param status the HTTP status
   * @param json the JSON text
   * @return the response
   */
  public static WebhookResponse json(int status, String json) {
    return new WebhookResponse(status, "application/json", json, Map.of());
  }

  /**
   * Returns an error response with the JSON body {@code {"error":{"status":..,"code":..,
   * "message":..}}}.
   *
   * @param status the HTTP status, 4xx or 5xx
   * @param code a stable, machine-readable code such as {@code "signature_invalid"}
   * @param message what is wrong, for a human; never a secret
   * @return the response
   */
  public static WebhookResponse error(int status, String code, String message) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("status", status);
    error.put("code", code);
    error.put("message", message);
    return json(status, root.toString());
  }

  /**
   * Returns this response with one more header.
   *
   * @param name the header name
   * @param value its value
   * @return a new response
   */
  public WebhookResponse withHeader(String name, String value) {
    Map<String, String> all = new java.util.LinkedHashMap<>(headers);
    all.put(name, value);
    return new WebhookResponse(status, contentType, body, all);
  }
}
