package dev.switchboard.voice.twilio.internal;

import com.twilio.constant.EnumConstants;
import com.twilio.http.HttpClient;
import com.twilio.http.HttpMethod;
import com.twilio.http.Request;
import com.twilio.http.Response;
import dev.switchboard.core.ProviderException;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import org.apache.hc.core5.http.Header;
import org.jspecify.annotations.Nullable;

/**
 * Not API. The only way Switchboard's Twilio REST traffic leaves the process: a twilio-java {@link
 * HttpClient} over OkHttp that
 *
 * <ul>
 *   <li>sends each request exactly once: the SDK's retry loop ({@link #reliableRequest}) is
 *       bypassed and OkHttp's silent retry on a stale connection is off, so a POST that creates a
 *       call is never sent twice (retrying is decided above, by a {@code RetryPolicy} that knows
 *       which operations are idempotent);
 *   <li>sends to a configurable base URL (scheme, host, port and an optional path prefix), keeping
 *       the SDK's path and query: the seam tests use to point the SDK at a fake;
 *   <li>turns every non-2xx answer and transport failure into a {@link ProviderException} (through
 *       {@link TwilioErrors}), thrown out of the SDK call unchanged.
 * </ul>
 *
 * Thread-safe.
 */
public final class TwilioHttpClient extends HttpClient {
  private static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded");
  private static final MediaType JSON = MediaType.get("application/json");
  private static final Header[] NO_HEADERS = new Header[0];
  private static final String USER_AGENT = "switchboard-voice-twilio twilio-java/12";

  private final OkHttpClient http;
  private final HttpUrl base;
  private final Clock clock;
  private final Consumer<ProviderException> onFailure;

  /**
   * Creates a client.
   *
   * @param http the OkHttp client to derive from (its retry on connection failure is turned off)
   * @param apiBaseUrl where requests go, e.g. {@code https://api.twilio.com}
   * @param clock for {@code Retry-After} dates
   * @param onFailure told of every failure before it is thrown (for health)
   */
  public TwilioHttpClient(
      OkHttpClient http, URI apiBaseUrl, Clock clock, Consumer<ProviderException> onFailure) {
    this.http = http.newBuilder().retryOnConnectionFailure(false).followRedirects(false).build();
    HttpUrl parsed = HttpUrl.parse(apiBaseUrl.toString());
    if (parsed == null) {
      throw new IllegalArgumentException("apiBaseUrl must be an http(s) URL, got " + apiBaseUrl);
    }
    this.base = parsed;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
  }

  /**
   * Returns an OkHttp client with Switchboard's defaults for the Twilio API: 10 s to connect, 30 s
   * to read, no retry on connection failure.
   *
   * @return a new client
   */
  public static OkHttpClient defaultOkHttp() {
    return new OkHttpClient.Builder()
        .connectTimeout(Duration.ofSeconds(10))
        .readTimeout(Duration.ofSeconds(30))
        .writeTimeout(Duration.ofSeconds(30))
        .callTimeout(Duration.ofSeconds(45))
        .retryOnConnectionFailure(false)
        .build();
  }

  /** Sends once: the SDK's retry of 5xx answers would repeat non-idempotent requests. */
  @Override
  public Response reliableRequest(Request request) {
    return makeRequest(request);
  }

  /** Sends once, whatever the SDK asks: see {@link #reliableRequest(Request)}. */
  @Override
  public Response reliableRequest(
      Request request, int[] retryCodes, int retries, long delayMillis) {
    return makeRequest(request);
  }

  @Override
  public Response makeRequest(Request request) {
    HttpMethod method = request.getMethod();
    URL sdkUrl = request.constructURL();
    HttpUrl url = rewrite(sdkUrl);
    String path = url.encodedPath();
    okhttp3.Request.Builder builder =
        new okhttp3.Request.Builder()
            .url(url)
            .header("User-Agent", USER_AGENT)
            .header("Accept", "application/json");
    if (request.requiresAuthentication()) {
      builder.header("Authorization", request.getAuthString());
    }
    for (Map.Entry<String, List<String>> h : request.getHeaderParams().entrySet()) {
      for (String v : h.getValue()) {
        builder.addHeader(h.getKey(), v);
      }
    }
    RequestBody body = null;
    if (method != HttpMethod.GET && method != HttpMethod.DELETE) {
      if (request.getContentType() == EnumConstants.ContentType.JSON) {
        String json = request.getBody();
        body = RequestBody.create(json == null ? "" : json, JSON);
      } else {
        body = RequestBody.create(request.encodeFormBody(), FORM);
      }
    }
    builder.method(method.toString(), body);
    try (okhttp3.Response response = http.newCall(builder.build()).execute()) {
      String text = response.body().string();
      int status = response.code();
      if (status >= 200 && status < 300) {
        return new Response(text, status, NO_HEADERS);
      }
      ProviderException e =
          TwilioErrors.fromResponse(
              method.toString(), path, status, text, response.header("Retry-After"), clock);
      onFailure.accept(e);
      throw e;
    } catch (IOException e) {
      ProviderException mapped = TwilioErrors.fromTransport(method.toString(), path, e);
      onFailure.accept(mapped);
      throw mapped;
    }
  }

  /** Keeps the SDK's path and query; takes scheme, host, port and a path prefix from the base. */
  HttpUrl rewrite(URL sdkUrl) {
    HttpUrl original = HttpUrl.get(sdkUrl.toString());
    HttpUrl.Builder b = original.newBuilder().scheme(base.scheme()).host(base.host());
    b.port(base.port());
    String prefix = base.encodedPath();
    if (!prefix.equals("/")) {
      String trimmed = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
      b.encodedPath(trimmed + original.encodedPath());
    }
    return b.build();
  }

  /**
   * Returns the base URL requests go to.
   *
   * @return the base
   */
  public @Nullable String baseUrl() {
    return base.toString();
  }
}
