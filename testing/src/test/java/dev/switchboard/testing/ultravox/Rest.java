package dev.switchboard.testing.ultravox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/** A plain OkHttp client of the fake's REST API, as a user's code would call Ultravox. */
final class Rest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final OkHttpClient HTTP =
      new OkHttpClient.Builder()
          .retryOnConnectionFailure(false)
          .readTimeout(5, TimeUnit.SECONDS)
          .build();
  private static final MediaType JSON_TYPE = MediaType.get("application/json");

  /** An HTTP answer. */
  record Answer(int status, JsonNode json, String body, okhttp3.Headers headers) {}

  private final String base;
  private final @Nullable String key;
  private final String header;

  Rest(FakeUltravox fake) {
    this(fake.baseUrl().toString(), fake.apiKey(), "X-API-Key");
  }

  private Rest(String base, @Nullable String key, String header) {
    this.base = base;
    this.key = key;
    this.header = header;
  }

  Rest withKey(@Nullable String otherKey, String headerName) {
    return new Rest(base, otherKey, headerName);
  }

  Answer get(String pathOrUrl) {
    return call(request(pathOrUrl).get().build());
  }

  Answer post(String path, String json) {
    return call(request(path).post(RequestBody.create(json, JSON_TYPE)).build());
  }

  Answer patch(String path, String json) {
    return call(request(path).patch(RequestBody.create(json, JSON_TYPE)).build());
  }

  Answer put(String path, String json) {
    return call(request(path).put(RequestBody.create(json, JSON_TYPE)).build());
  }

  Answer delete(String path) {
    return call(request(path).delete().build());
  }

  /** Creates something and returns its JSON, failing unless the answer is 201. */
  JsonNode created(String path, String json) {
    Answer answer = post(path, json);
    if (answer.status() != 201) {
      throw new AssertionError(
          "POST " + path + " answered " + answer.status() + ": " + answer.body());
    }
    return answer.json();
  }

  private Request.Builder request(String pathOrUrl) {
    Request.Builder builder =
        new Request.Builder().url(pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl);
    if (key != null) {
      builder.header(header, key);
    }
    return builder;
  }

  static Answer call(Request request) {
    try (Response response = HTTP.newCall(request).execute()) {
      String body = response.body().string();
      JsonNode json;
      try {
        json = body.isEmpty() ? MissingNode.getInstance() : JSON.readTree(body);
      } catch (IOException e) {
        json = MissingNode.getInstance();
      }
      return new Answer(response.code(), json, body, response.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
