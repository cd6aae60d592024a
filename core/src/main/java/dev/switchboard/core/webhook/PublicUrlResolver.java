package dev.switchboard.core.webhook;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Reconstructs the public URL a sender used to reach this server, which signature checks need
 * (Twilio signs the URL it called, not the one the server sees behind a proxy or tunnel). Immutable
 * and thread-safe.
 *
 * <p>In order of precedence: a configured public base URL (scheme, host and port replaced, any base
 * path prefixed); else, when configured to trust a proxy, the first values of {@code
 * X-Forwarded-Proto} and {@code X-Forwarded-Host}; else the {@code Host} header with the local
 * scheme. Forwarded headers are ignored unless trusted: anyone can send them.
 *
 * <pre>{@code
 * PublicUrlResolver resolver = PublicUrlResolver.builder().trustForwardedHeaders(true).build();
 * URI url = resolver.resolve("http", "/twilio/voice?x=1", request::header);
 * }</pre>
 */
public final class PublicUrlResolver {
  private final @Nullable URI baseUrl;
  private final boolean trustForwardedHeaders;

  private PublicUrlResolver(Builder builder) {
    this.baseUrl = builder.baseUrl;
    this.trustForwardedHeaders = builder.trustForwardedHeaders;
  }

  /**
   * Starts a resolver.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the public URL of a request.
   *
   * @param localScheme the scheme the server received it on, {@code "http"} or {@code "https"}
   * @param rawPathAndQuery the request target as received, e.g. {@code "/voice?a=b%20c"}
   * @param header reads a request header by name (any case)
   * @return the public URL
   * @throws IllegalArgumentException if the host or the target cannot form a URL
   */
  public URI resolve(
      String localScheme, String rawPathAndQuery, Function<String, Optional<String>> header) {
    Objects.requireNonNull(localScheme, "localScheme");
    Objects.requireNonNull(rawPathAndQuery, "rawPathAndQuery");
    if (!rawPathAndQuery.startsWith("/")) {
      throw new IllegalArgumentException("request target must start with '/': " + rawPathAndQuery);
    }
    String scheme;
    String authority;
    String prefix = "";
    if (baseUrl != null) {
      scheme = baseUrl.getScheme();
      authority = baseUrl.getRawAuthority();
      String path = baseUrl.getRawPath();
      prefix = path == null || path.equals("/") ? "" : stripTrailingSlash(path);
    } else {
      Optional<String> proto =
          trustForwardedHeaders ? first(header, "X-Forwarded-Proto") : Optional.empty();
      Optional<String> host =
          trustForwardedHeaders ? first(header, "X-Forwarded-Host") : Optional.empty();
      scheme = proto.orElse(localScheme).toLowerCase(Locale.ROOT);
      authority =
          host.or(() -> first(header, "Host"))
              .orElseThrow(() -> new IllegalArgumentException("request has no Host header"));
    }
    try {
      return new URI(scheme + "://" + authority + prefix + rawPathAndQuery);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "cannot form a URL from the request: " + e.getMessage(), e);
    }
  }

  /**
   * Returns the public URL of a WebSocket upgrade request: as {@link #resolve}, with {@code https}
   * turned into {@code wss} and {@code http} into {@code ws} (Twilio signs the {@code wss://} URL
   * it connected to).
   *
   * @param localScheme the scheme the server received it on, {@code "http"} or {@code "https"}
   * @param rawPathAndQuery the request target as received
   * @param header reads a request header by name (any case)
   * @return the public {@code ws://} or {@code wss://} URL
   * @throws IllegalArgumentException if the host or the target cannot form a URL
   */
  public URI resolveWebSocket(
      String localScheme, String rawPathAndQuery, Function<String, Optional<String>> header) {
    URI url = resolve(localScheme, rawPathAndQuery, header);
    String scheme = url.getScheme();
    String mapped =
        "https".equalsIgnoreCase(scheme) ? "wss" : "http".equalsIgnoreCase(scheme) ? "ws" : scheme;
    return URI.create(mapped + url.toString().substring(scheme.length()));
  }

  private static Optional<String> first(Function<String, Optional<String>> header, String name) {
    return header.apply(name).map(v -> v.split(",", 2)[0].trim()).filter(v -> !v.isEmpty());
  }

  private static String stripTrailingSlash(String path) {
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /**
   * Returns the configured public base URL.
   *
   * @return the base URL, if configured
   */
  public Optional<URI> baseUrl() {
    return Optional.ofNullable(baseUrl);
  }

  /** Builds a {@link PublicUrlResolver}. */
  public static final class Builder {
    private @Nullable URI baseUrl;
    private boolean trustForwardedHeaders;

    private Builder() {}

    /**
     * Sets the public base URL, e.g. {@code https://voice.example.com} or a tunnel's URL.
     *
     * @param baseUrl an absolute http(s) URL without query
     * @return this builder
     */
    public Builder baseUrl(URI baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl");
      String scheme = baseUrl.getScheme();
      if (scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || baseUrl.getHost() == null
          || baseUrl.getRawQuery() != null) {
        throw new IllegalArgumentException(
            "public base URL must be an absolute http(s) URL without a query, got " + baseUrl);
      }
      this.baseUrl = baseUrl;
      return this;
    }

    /**
     * Trusts {@code X-Forwarded-Proto} and {@code X-Forwarded-Host}: only behind a proxy that sets
     * them and strips any the client sent.
     *
     * @param trust whether to trust them
     * @return this builder
     */
    public Builder trustForwardedHeaders(boolean trust) {
      this.trustForwardedHeaders = trust;
      return this;
    }

    /**
     * Builds the resolver.
     *
     * @return the resolver
     */
    public PublicUrlResolver build() {
      return new PublicUrlResolver(this);
    }
  }
}
