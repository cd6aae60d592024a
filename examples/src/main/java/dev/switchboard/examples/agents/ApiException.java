package dev.switchboard.examples.agents;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A request the service refuses or cannot complete, with everything its JSON error needs: HTTP
 * status, a stable code, a message for a human, the offending field and extra headers. Thrown by
 * the parsing and validation code and turned into a response in one place ({@link AgentApi}). No
 * stack trace: these are answers, not failures. Not API.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final @Nullable String field;
  private final Map<String, String> headers;

  ApiException(int status, String code, String message, @Nullable String field) {
    this(status, code, message, field, Map.of());
  }

  private ApiException(
      int status, String code, String message, @Nullable String field, Map<String, String> h) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
    this.headers = Map.copyOf(h);
  }

  /** 400 for a field that is present but wrong. */
  static ApiException invalid(String field, String message) {
    return new ApiException(400, "invalid_field", message, field);
  }

  /** 400 for a required field that is absent, null or blank. */
  static ApiException missing(String field, String message) {
    return new ApiException(400, "missing_field", message, field);
  }

  /** 405 with the {@code Allow} header. */
  static ApiException methodNotAllowed(String method, String path, String allow) {
    return new ApiException(
            405,
            "method_not_allowed",
            method + " is not allowed on " + path + "; use " + allow,
            null)
        .withHeader("Allow", allow);
  }

  /** Returns this exception with one more response header. */
  ApiException withHeader(String name, String value) {
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.put(name, value);
    return new ApiException(status, code, getMessage(), field, all);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  @Nullable String field() {
    return field;
  }

  Map<String, String> headers() {
    return headers;
  }
}
