package dev.switchboard.core.webhook;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An HTTP request as a webhook handler sees it: method, the public URL the sender used, headers,
 * form parameters (query string and {@code application/x-www-form-urlencoded} body) and the raw
 * body. Immutable and thread-safe.
 *
 * <pre>{@code
 * WebhookRequest request = WebhookRequest.builder("POST", URI.create("https://example.com/voice"))
 *     .header("X-Twilio-Signature", signature)
 *     .formParameter("CallSid", "CA123")
 *     .build();
 * }</pre>
 *
 * <p>Header names are case-insensitive. For a form-encoded POST the builder's {@link
 * Builder#body(byte[], String)} also parses the body into form parameters, so adapters need only
 * pass the body through. {@code toString()} shows the method and URL, never headers or body (they
 * may carry signatures and personal data).
 */
public final class WebhookRequest {
  private final String method;
  private final URI url;
  private final Map<String, List<String>> headers;
  private final Map<String, List<String>> form;
  private final Map<String, String> bodyForm;
  private final byte[] body;
  private final String remoteAddress;

  private WebhookRequest(Builder b) {
    this.method = b.method;
    this.url = b.url;
    Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    b.headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
    this.headers = Collections.unmodifiableMap(h);
    Map<String, List<String>> f = new LinkedHashMap<>();
    b.form.forEach((k, v) -> f.put(k, List.copyOf(v)));
    this.form = Collections.unmodifiableMap(f);
    Map<String, String> bf = new LinkedHashMap<>();
    b.bodyForm.forEach((k, v) -> bf.put(k, v.isEmpty() ? "" : v.get(0)));
    this.bodyForm = Collections.unmodifiableMap(bf);
    this.body = b.body;
    this.remoteAddress = b.remoteAddress;
  }

  /**
   * Starts a request.
   *
   * @param method the HTTP method, e.g. {@code "POST"}
   * @param url the public URL the sender used, with its query string
   * @return a builder
   */
  public static Builder builder(String method, URI url) {
    return new Builder(method, url);
  }

  /**
   * Returns the HTTP method, upper case.
   *
   * @return e.g. {@code "POST"}
   */
  public String method() {
    return method;
  }

  /**
   * Returns the public URL the sender used, query string included.
   *
   * @return the URL
   */
  public URI url() {
    return url;
  }

  /**
   * Returns the first value of a header.
   *
   * @param name the header name, any case
   * @return the value, if present
   */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /**
   * Returns every header, names case-insensitive.
   *
   * @return an unmodifiable map
   */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /**
   * Returns the first value of a form parameter (query string or form body).
   *
   * @param name the parameter name, case-sensitive
   * @return the value, if present
   */
  public Optional<String> parameter(String name) {
    List<String> values = form.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /**
   * Returns the form parameters with every value, in arrival order.
   *
   * @return an unmodifiable map
   */
  public Map<String, List<String>> parameters() {
    return form;
  }

  /**
   * Returns the form parameters (query string and form body) with their first values.
   *
   * @return an unmodifiable map
   */
  public Map<String, String> firstParameters() {
    Map<String, String> first = new LinkedHashMap<>();
    form.forEach((k, v) -> first.put(k, v.isEmpty() ? "" : v.get(0)));
    return Collections.unmodifiableMap(first);
  }

  /**
   * Returns the parameters of a form-encoded body only (not the query string), with their first
   * values: what Twilio signs besides the URL, the shape {@code RequestValidator} takes.
   *
   * @return an unmodifiable map, empty for a body that is not form-encoded
   */
  public Map<String, String> bodyParameters() {
    return bodyForm;
  }

  /**
   * Returns the raw body.
   *
   * @return a read-only view, empty when there is no body
   */
  public ByteBuffer body() {
    return ByteBuffer.wrap(body).asReadOnlyBuffer();
  }

  /**
   * Returns the raw body decoded as UTF-8.
   *
   * @return the text, empty when there is no body
   */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /**
   * Returns the address of the peer that sent the request (the proxy's, behind a proxy).
   *
   * @return e.g. {@code "203.0.113.7"}, or empty if unknown
   */
  public String remoteAddress() {
    return remoteAddress;
  }

  @Override
  public String toString() {
    return "WebhookRequest[" + method + " " + url + "]";
  }

  /** Builds a {@link WebhookRequest}. Not thread-safe. */
  public static final class Builder {
    private final String method;
    private final URI url;
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Map<String, List<String>> form = new LinkedHashMap<>();
    private final Map<String, List<String>> bodyForm = new LinkedHashMap<>();
    private byte[] body = new byte[0];
    private String remoteAddress = "";

    private Builder(String method, URI url) {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(url, "url");
      if (method.isBlank()) {
        throw new IllegalArgumentException("method must not be blank");
      }
      this.method = method.toUpperCase(Locale.ROOT);
      this.url = url;
      String query = url.getRawQuery();
      if (query != null) {
        parseForm(query, form);
      }
    }

    /**
     * Adds a header value.
     *
     * @param name the header name
     * @param value its value
     * @return this builder
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      return this;
    }

    /**
     * Adds a form parameter value.
     *
     * @param name the parameter name
     * @param value its value
     * @return this builder
     */
    public Builder formParameter(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      form.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      return this;
    }

    /**
     * Sets the raw body (copied) and its content type; a form-encoded body is also parsed into form
     * parameters.
     *
     * @param body the body bytes
     * @param contentType the {@code Content-Type} header value, or empty if none
     * @return this builder
     */
    public Builder body(byte[] body, String contentType) {
      Objects.requireNonNull(body, "body");
      Objects.requireNonNull(contentType, "contentType");
      this.body = body.clone();
      headers.remove("Content-Type");
      if (!contentType.isEmpty()) {
        headers.computeIfAbsent("Content-Type", k -> new ArrayList<>()).add(contentType);
      }
      if (contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
        Map<String, List<String>> parsed = new LinkedHashMap<>();
        parseForm(new String(body, StandardCharsets.UTF_8), parsed);
        bodyForm.clear();
        bodyForm.putAll(parsed);
        parsed.forEach((k, v) -> form.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
      }
      return this;
    }

    /**
     * Sets the peer's address.
     *
     * @param remoteAddress the address
     * @return this builder
     */
    public Builder remoteAddress(String remoteAddress) {
      this.remoteAddress = Objects.requireNonNull(remoteAddress, "remoteAddress");
      return this;
    }

    /**
     * Builds the request.
     *
     * @return the request
     */
    public WebhookRequest build() {
      return new WebhookRequest(this);
    }

    private static void parseForm(String encoded, Map<String, List<String>> into) {
      for (String pair : encoded.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        try {
          into.computeIfAbsent(
                  URLDecoder.decode(name, StandardCharsets.UTF_8), k -> new ArrayList<>())
              .add(URLDecoder.decode(value, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "malformed form encoding in parameter starting '"
                  + name.substring(0, Math.min(name.length(), 40))
                  + "': "
                  + e.getMessage(),
              e);
        }
      }
    }
  }
}
