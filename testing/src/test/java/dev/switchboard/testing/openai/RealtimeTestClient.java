package dev.switchboard.testing.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.codec.G711;
import dev.switchboard.testing.Recorder;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.jspecify.annotations.Nullable;

/** A plain OkHttp WebSocket client of the fake that records what it receives. */
final class RealtimeTestClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final OkHttpClient HTTP =
      new OkHttpClient.Builder().readTimeout(0, TimeUnit.MILLISECONDS).build();

  /** Something the client saw: an event, or the end of the connection. */
  sealed interface Seen permits Event, Ended {}

  record Event(JsonNode json) implements Seen {
    String type() {
      return json.path("type").asText();
    }
  }

  /** The connection ended: a close frame (code, reason) or a failure (code -1). */
  record Ended(int code, String reason, @Nullable Integer httpStatus, String body)
      implements Seen {}

  final Recorder<Seen> seen = new Recorder<>();
  final CompletableFuture<Void> opened = new CompletableFuture<>();
  private final WebSocket webSocket;

  private RealtimeTestClient(Request request) {
    webSocket =
        HTTP.newWebSocket(
            request,
            new WebSocketListener() {
              @Override
              public void onOpen(WebSocket ws, Response response) {
                opened.complete(null);
              }

              @Override
              public void onMessage(WebSocket ws, String text) {
                try {
                  seen.accept(new Event(JSON.readTree(text)));
                } catch (JsonProcessingException e) {
                  seen.accept(new Event(JSON.createObjectNode().put("type", "<unparsable>")));
                }
              }

              @Override
              public void onClosing(WebSocket ws, int code, String reason) {
                seen.accept(new Ended(code, reason, null, ""));
                ws.close(1000, null);
              }

              @Override
              public void onFailure(WebSocket ws, Throwable t, @Nullable Response response) {
                String body = "";
                Integer status = null;
                if (response != null) {
                  status = response.code();
                  try {
                    body = response.body().string();
                  } catch (Exception e) {
                    body = "<unreadable: " + e + ">";
                  }
                }
                seen.accept(new Ended(-1, String.valueOf(t), status, body));
                opened.completeExceptionally(t);
              }
            });
  }

  static RealtimeTestClient connect(Request request) {
    return new RealtimeTestClient(request);
  }

  static RealtimeTestClient connect(URI url, @Nullable String apiKey) {
    Request.Builder request = new Request.Builder().url(url.toString());
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    return new RealtimeTestClient(request.build());
  }

  /** Connects with the fake's key and waits for session.created. */
  static RealtimeTestClient open(FakeOpenAiRealtimeServer fake) {
    RealtimeTestClient client = connect(fake.realtimeUrl("gpt-realtime"), fake.apiKey());
    client.await("session.created");
    return client;
  }

  void send(String type, ObjectNode fields) {
    ObjectNode event = JSON.createObjectNode().put("type", type);
    event.setAll(fields);
    sendRaw(event.toString());
  }

  void send(String type) {
    send(type, JSON.createObjectNode());
  }

  void sendRaw(String text) {
    assertThat(webSocket.send(text)).as("sent " + text).isTrue();
  }

  /** Sends a GA session.update with the given {@code session} fields besides type. */
  JsonNode update(String sessionJson) {
    try {
      ObjectNode session = (ObjectNode) JSON.readTree(sessionJson);
      ObjectNode fields = JSON.createObjectNode();
      fields.set("session", session);
      int before = events("session.updated").size() + events("error").size();
      send("session.update", fields);
      seen.awaitAll(
          all ->
              all.stream()
                      .filter(
                          s ->
                              s instanceof Event e
                                  && (e.type().equals("session.updated")
                                      || e.type().equals("error")))
                      .count()
                  > before,
          "session.updated or error",
          TIMEOUT);
      List<JsonNode> answers =
          seen.all(Event.class).stream()
              .filter(e -> e.type().equals("session.updated") || e.type().equals("error"))
              .map(Event::json)
              .toList();
      return answers.get(answers.size() - 1);
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  /** Appends audio in chunks of {@code chunkBytes}. */
  void append(byte[] audio, int chunkBytes) {
    for (int offset = 0; offset < audio.length; offset += chunkBytes) {
      int n = Math.min(chunkBytes, audio.length - offset);
      byte[] chunk = new byte[n];
      System.arraycopy(audio, offset, chunk, 0, n);
      send(
          "input_audio_buffer.append",
          JSON.createObjectNode().put("audio", Base64.getEncoder().encodeToString(chunk)));
    }
  }

  JsonNode await(String type) {
    return await(type, e -> true);
  }

  JsonNode await(String type, Predicate<JsonNode> condition) {
    return seen.await(Event.class, e -> e.type().equals(type) && condition.test(e.json()), TIMEOUT)
        .json();
  }

  Ended awaitEnded() {
    return seen.await(Ended.class, e -> true, TIMEOUT);
  }

  List<JsonNode> events(String type) {
    return seen.all(Event.class).stream()
        .filter(e -> e.type().equals(type))
        .map(Event::json)
        .toList();
  }

  List<JsonNode> events() {
    return seen.all(Event.class).stream().map(Event::json).toList();
  }

  /** The decoded bytes of a response's audio deltas. */
  int audioBytes(String responseId) {
    return events("response.output_audio.delta").stream()
        .filter(e -> e.path("response_id").asText().equals(responseId))
        .mapToInt(e -> Base64.getDecoder().decode(e.path("delta").asText()).length)
        .sum();
  }

  @Override
  public void close() {
    webSocket.close(1000, null);
  }

  // ------------------------------------------------------------------ audio

  /** Silence, then a 300 Hz tone at about -15 dBFS, then silence, as μ-law or PCM16 24 kHz. */
  static byte[] speech(boolean pcmu, int leadMs, int toneMs, int tailMs) {
    int rate = pcmu ? 8000 : 24000;
    int total = (leadMs + toneMs + tailMs) * rate / 1000;
    short[] samples = new short[total];
    int start = leadMs * rate / 1000;
    int end = (leadMs + toneMs) * rate / 1000;
    for (int i = start; i < end; i++) {
      samples[i] = (short) Math.round(6000 * Math.sin(2 * Math.PI * 300 * i / (double) rate));
    }
    if (pcmu) {
      byte[] out = new byte[total];
      G711.encodeUlaw(samples, 0, out, 0, total);
      return out;
    }
    byte[] out = new byte[total * 2];
    for (int i = 0; i < total; i++) {
      out[2 * i] = (byte) samples[i];
      out[2 * i + 1] = (byte) (samples[i] >> 8);
    }
    return out;
  }
}
