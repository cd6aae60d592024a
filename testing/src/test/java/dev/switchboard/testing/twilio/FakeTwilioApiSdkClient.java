package dev.switchboard.testing.twilio;

import com.twilio.exception.ApiConnectionException;
import com.twilio.http.HttpClient;
import com.twilio.http.HttpMethod;
import com.twilio.http.Request;
import com.twilio.http.Response;
import com.twilio.http.TwilioRestClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import org.apache.hc.core5.http.Header;

/**
 * A Twilio SDK {@link HttpClient} that sends every request to a {@link FakeTwilioApi} instead of
 * {@code api.twilio.com}: the SDK has no base-URL setting, so this keeps the path and query of
 * {@link Request#constructURL()} and swaps scheme, host and port (protocols.md section 2.7).
 */
final class FakeTwilioApiSdkClient extends HttpClient {
  private static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded");

  private final HttpUrl base;
  private final OkHttpClient http;

  private FakeTwilioApiSdkClient(URI baseUrl) {
    this.base = HttpUrl.get(baseUrl.toString());
    this.http =
        new OkHttpClient.Builder()
            .retryOnConnectionFailure(false)
            .readTimeout(Duration.ofSeconds(10))
            .build();
  }

  /** Returns an SDK client authenticated as the fake's account and pointed at it. */
  static TwilioRestClient restClient(FakeTwilioApi api) {
    return restClient(api, api.accountSid(), api.authToken());
  }

  /** Returns an SDK client with other credentials, pointed at the fake. */
  static TwilioRestClient restClient(FakeTwilioApi api, String username, String password) {
    return new TwilioRestClient.Builder(username, password)
        .accountSid(api.accountSid())
        .httpClient(new FakeTwilioApiSdkClient(api.baseUrl()))
        .build();
  }

  @Override
  public Response makeRequest(Request request) {
    HttpUrl target =
        HttpUrl.get(request.constructURL().toString())
            .newBuilder()
            .scheme(base.scheme())
            .host(base.host())
            .port(base.port())
            .build();
    okhttp3.Request.Builder builder = new okhttp3.Request.Builder().url(target);
    if (request.requiresAuthentication()) {
      builder.header("Authorization", request.getAuthString());
    }
    for (Map.Entry<String, List<String>> header : request.getHeaderParams().entrySet()) {
      for (String value : header.getValue()) {
        builder.addHeader(header.getKey(), value);
      }
    }
    HttpMethod method = request.getMethod();
    RequestBody body =
        method == HttpMethod.GET || method == HttpMethod.DELETE
            ? null
            : RequestBody.create(request.encodeFormBody(), FORM);
    builder.method(method.toString(), body);
    try (okhttp3.Response response = http.newCall(builder.build()).execute()) {
      // An empty header array, not null: TwilioRestClient logs headers at DEBUG.
      return new Response(response.body().string(), response.code(), new Header[0]);
    } catch (IOException e) {
      throw new ApiConnectionException("request to the fake failed: " + e.getMessage(), e);
    }
  }
}
