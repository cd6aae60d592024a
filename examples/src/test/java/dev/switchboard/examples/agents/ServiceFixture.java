package dev.switchboard.examples.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.agent.ultravox.UltravoxClient;
import dev.switchboard.agent.ultravox.model.WebhookSpec;
import dev.switchboard.core.resilience.RetryPolicy;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.testing.Recorder;
import dev.switchboard.testing.twilio.FakeTwilioApi;
import dev.switchboard.testing.ultravox.FakeUltravox;
import dev.switchboard.voice.twilio.TwilioVoiceBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The service under test, on an ephemeral port, against a {@link FakeUltravox} and a {@link
 * FakeTwilioApi} (also on ephemeral ports), with an OkHttp client to call it over a real socket.
 * The Ultravox client does not retry (one fault is one failure), and health is not cached.
 */
final class ServiceFixture implements AutoCloseable {
  static final String FROM = "+14155550100";
  static final String WEBHOOK_SECRET = "whsec-test-0123456789abcdef";
  private static final String AUTH_TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType JSON_TYPE = MediaType.get("application/json");

  final FakeUltravox ultravox;
  final FakeTwilioApi twilioApi;
  final UltravoxClient client;
  final AgentManagementService service;
  final Recorder<CallEvent> events = new Recorder<>();
  final OkHttpClient http;
  private final List<AutoCloseable> resources = new ArrayList<>();

  ServiceFixture() {
    this(fake -> {}, service -> {});
  }

  ServiceFixture(
      Consumer<FakeUltravox.Builder> script, Consumer<AgentManagementService.Builder> options) {
    try {
      FakeUltravox.Builder fb = FakeUltravox.builder();
      script.accept(fb);
      ultravox = fb.build();
      ultravox.start();
      resources.add(ultravox);
      twilioApi = FakeTwilioApi.builder().authToken(AUTH_TOKEN).build();
      twilioApi.start();
      resources.add(twilioApi);
      client =
          UltravoxClient.builder()
              .apiKey(ultravox.apiKey())
              .baseUrl(ultravox.baseUrl())
              .retryPolicy(RetryPolicy.builder().maxAttempts(1).build())
              .build();
      resources.add(client);
      AgentManagementService.Builder sb =
          AgentManagementService.builder()
              .ultravox(client)
              .httpAddress(new InetSocketAddress("127.0.0.1", 0))
              .healthCacheTtl(Duration.ZERO)
              .ultravoxWebhookSecret(WEBHOOK_SECRET)
              .callListener(events::accept)
              .twilio(
                  url ->
                      TwilioVoiceBackend.builder()
                          .accountSid(twilioApi.accountSid())
                          .authToken(twilioApi.authToken())
                          .defaultFrom(FROM)
                          .publicBaseUrl(url)
                          .allowInsecureUrls(true)
                          .apiBaseUrl(twilioApi.baseUrl())
                          .build());
      options.accept(sb);
      service = sb.build();
      service.start();
      resources.add(0, service);
      http = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
      resources.add(
          () -> {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
          });
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** Registers the service's Ultravox webhook in the fake, for every event. */
  void registerWebhook() {
    client.createWebhook(
        WebhookSpec.builder(
                URI.create(service.baseUrl() + AgentManagementService.ULTRAVOX_WEBHOOK_PATH))
            .events(
                WebhookSpec.CALL_STARTED,
                WebhookSpec.CALL_JOINED,
                WebhookSpec.CALL_ENDED,
                WebhookSpec.CALL_BILLED)
            .secret(WEBHOOK_SECRET)
            .build());
  }

  /** An answer of the service. */
  record Reply(int status, Map<String, List<String>> headers, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }

    @Nullable String header(String name) {
      for (Map.Entry<String, List<String>> h : headers.entrySet()) {
        if (h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty()) {
          return h.getValue().get(0);
        }
      }
      return null;
    }

    JsonNode error() {
      JsonNode error = json().path("error");
      if (error.isMissingNode()) {
        throw new AssertionError("no error object (" + status + "): " + body);
      }
      return error;
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  Reply get(String path) {
    return send("GET", path, null, null, Map.of());
  }

  Reply post(String path, String json) {
    return send("POST", path, json, "application/json", Map.of());
  }

  Reply put(String path, String json) {
    return send("PUT", path, json, "application/json", Map.of());
  }

  Reply delete(String path) {
    return send("DELETE", path, null, null, Map.of());
  }

  Reply send(
      String method,
      String path,
      @Nullable String body,
      @Nullable String contentType,
      Map<String, String> headers) {
    RequestBody requestBody = null;
    if (body != null) {
      requestBody =
          RequestBody.create(body, contentType == null ? null : MediaType.get(contentType));
    } else if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
      requestBody = RequestBody.create(new byte[0], JSON_TYPE);
    }
    Request.Builder request =
        new Request.Builder().url(service.baseUrl() + path).method(method, requestBody);
    headers.forEach(request::header);
    try (Response response = http.newCall(request.build()).execute()) {
      return new Reply(response.code(), response.headers().toMultimap(), response.body().string());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates an agent through the service and returns its id. */
  String createAgent(String name, String prompt) {
    Reply reply =
        post("/agents", "{\"name\": " + quote(name) + ", \"prompt\": " + quote(prompt) + "}");
    if (reply.status() != 201) {
      throw new AssertionError("create failed: " + reply);
    }
    return reply.json().path("id").asText();
  }

  static String quote(String text) {
    try {
      return JSON.writeValueAsString(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        // keep closing the others
      }
    }
    resources.clear();
  }

  /** Waits until no live thread's name starts with a prefix. */
  static void awaitNoThreads(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(prefix)) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (t.isAlive()) {
          throw new AssertionError("thread " + t.getName() + " is still alive");
        }
      }
    }
  }
}
