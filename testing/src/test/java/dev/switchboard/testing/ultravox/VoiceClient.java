package dev.switchboard.testing.ultravox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.switchboard.testing.Recorder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.jspecify.annotations.Nullable;

/** A plain OkHttp WebSocket client of a serverWebSocket join URL that records what it receives. */
final class VoiceClient implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final OkHttpClient HTTP =
      new OkHttpClient.Builder().readTimeout(0, TimeUnit.MILLISECONDS).build();

  sealed interface Seen permits Text, Audio, Ended {}

  record Text(JsonNode json, String raw) implements Seen {
    String type() {
      return json.path("type").asText();
    }
  }

  record Audio(int bytes) implements Seen {}

  /** The connection ended: a close frame, or a failure (code -1), or a refused upgrade. */
  record Ended(int code, String reason, @Nullable Integer httpStatus) implements Seen {}

  final Recorder<Seen> seen = new Recorder<>();
  private final CompletableFuture<Void> opened = new CompletableFuture<>();
  private final WebSocket webSocket;

  private VoiceClient(String url) {
    webSocket =
        HTTP.newWebSocket(
            new Request.Builder().url(url).build(),
            new WebSocketListener() {
              @Override
              public void onOpen(WebSocket ws, Response response) {
                opened.complete(null);
              }

              @Override
              public void onMessage(WebSocket ws, String text) {
                JsonNode json;
                try {
                  json = Rest.JSON.readTree(text);
                } catch (JsonProcessingException e) {
                  json = MissingNode.getInstance();
                }
                seen.accept(new Text(json, text));
              }

              @Override
              public void onMessage(WebSocket ws, ByteString bytes) {
                seen.accept(new Audio(bytes.size()));
              }

              @Override
              public void onClosing(WebSocket ws, int code, String reason) {
                seen.accept(new Ended(code, reason, null));
                ws.close(1000, null);
              }

              @Override
              public void onFailure(WebSocket ws, Throwable t, @Nullable Response response) {
                seen.accept(
                    new Ended(-1, String.valueOf(t), response == null ? null : response.code()));
                opened.completeExceptionally(t);
              }
            });
  }

  /** Connects and waits for the upgrade. */
  static VoiceClient connect(String url) {
    VoiceClient client = new VoiceClient(url);
    try {
      client.opened.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("could not connect to " + url + ": " + client.seen.all(), e);
    }
    return client;
  }

  /** Connects without waiting; for refused upgrades. */
  static VoiceClient attempt(String url) {
    return new VoiceClient(url);
  }

  JsonNode await(String type, Predicate<JsonNode> condition) {
    return seen.await(Text.class, t -> t.type().equals(type) && condition.test(t.json()), TIMEOUT)
        .json();
  }

  JsonNode await(String type) {
    return await(type, j -> true);
  }

  List<JsonNode> texts(String type) {
    return seen.all(Text.class).stream()
        .filter(t -> t.type().equals(type))
        .map(Text::json)
        .toList();
  }

  int audioBytes() {
    return seen.all(Audio.class).stream().mapToInt(Audio::bytes).sum();
  }

  void awaitAudioBytes(int bytes) {
    seen.awaitAll(
        all ->
            all.stream().filter(s -> s instanceof Audio).mapToInt(s -> ((Audio) s).bytes()).sum()
                >= bytes,
        bytes + " bytes of agent audio",
        TIMEOUT);
  }

  Ended awaitEnded() {
    return seen.await(Ended.class, e -> true, TIMEOUT);
  }

  void send(String json) {
    webSocket.send(json);
  }

  void sendAudio(byte[] pcm) {
    // 20 ms chunks at 16 kHz, as a client streams them
    for (int offset = 0; offset < pcm.length; offset += 640) {
      webSocket.send(ByteString.of(pcm, offset, Math.min(640, pcm.length - offset)));
    }
  }

  void sendBinary(byte[] bytes) {
    webSocket.send(ByteString.of(bytes));
  }

  void closeNormally() {
    webSocket.close(1000, "bye");
  }

  @Override
  public void close() {
    webSocket.close(1000, null);
  }

  /** PCM16LE mono: silence, then a 440 Hz tone, then silence. */
  static byte[] speech(int rate, int silenceMs, int toneMs, int trailingMs) {
    int total = (silenceMs + toneMs + trailingMs) * rate / 1000;
    byte[] out = new byte[total * 2];
    int from = silenceMs * rate / 1000;
    int to = from + toneMs * rate / 1000;
    for (int i = from; i < to; i++) {
      short s = (short) Math.round(8000 * Math.sin(2 * Math.PI * 440 * i / (double) rate));
      out[2 * i] = (byte) s;
      out[2 * i + 1] = (byte) (s >> 8);
    }
    return out;
  }
}
