package dev.switchboard.agent.openai.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.jspecify.annotations.Nullable;

/**
 * A MockWebServer that upgrades to WebSockets whose server side the test scripts event by event:
 * the exact JSON the runtime sends is recorded, and the test sends the server events it wants.
 */
final class ScriptedRealtimeServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final MockWebServer server = new MockWebServer();

  ScriptedRealtimeServer() throws IOException {
    server.start();
  }

  URI baseUrl() {
    return server.url("/v1").uri();
  }

  /** Accepts the next connection; answers session.update with session.updated if told to. */
  Connection accept(boolean autoConfigure) {
    Connection c = new Connection(autoConfigure);
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(c).build());
    return c;
  }

  void refuse(int status, String body) {
    server.enqueue(
        new MockResponse.Builder()
            .code(status)
            .body(body)
            .addHeader("Content-Type", "application/json")
            .build());
  }

  RecordedRequest takeRequest() throws InterruptedException {
    RecordedRequest r = server.takeRequest(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (r == null) {
      throw new AssertionError("no request");
    }
    return r;
  }

  @Override
  public void close() {
    server.close();
  }

  /** The server side of one WebSocket. */
  static final class Connection extends WebSocketListener {
    private final boolean autoConfigure;
    private final List<JsonNode> received = new ArrayList<>();
    private final List<String> raw = new ArrayList<>();
    private volatile @Nullable WebSocket socket;
    private volatile boolean answerCloses = true;
    private volatile int closeCode = -1;

    Connection(boolean autoConfigure) {
      this.autoConfigure = autoConfigure;
    }

    /** Stops answering the client's close frame (to test the close bound). */
    void ignoreCloses() {
      answerCloses = false;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      socket = webSocket;
      webSocket.send("{\"type\":\"session.created\",\"session\":{\"id\":\"sess_test1\"}}");
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      JsonNode node;
      try {
        node = JSON.readTree(text);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      synchronized (received) {
        received.add(node);
        raw.add(text);
        received.notifyAll();
      }
      if (autoConfigure && node.path("type").asText().equals("session.update")) {
        webSocket.send("{\"type\":\"session.updated\",\"session\":" + node.path("session") + "}");
      }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      closeCode = code;
      if (answerCloses) {
        webSocket.close(1000, null);
      }
    }

    int closeCode() {
      return closeCode;
    }

    void send(String json) {
      WebSocket ws = socket;
      if (ws == null) {
        throw new AssertionError("not connected");
      }
      ws.send(json);
    }

    WebSocket socket() {
      WebSocket ws = socket;
      if (ws == null) {
        throw new AssertionError("not connected");
      }
      return ws;
    }

    /** Waits for the n-th (0-based) client event of a type. */
    JsonNode await(String type, int index) {
      return awaitMatching(type, n -> true, index);
    }

    JsonNode await(String type) {
      return await(type, 0);
    }

    JsonNode awaitMatching(String type, Predicate<JsonNode> p, int index) {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      synchronized (received) {
        while (true) {
          List<JsonNode> matches = of(type).stream().filter(p).toList();
          if (matches.size() > index) {
            return matches.get(index);
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new AssertionError("no client event " + type + " #" + index + "; got " + types());
          }
          try {
            received.wait(Math.max(1, left / 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
          }
        }
      }
    }

    List<JsonNode> of(String type) {
      synchronized (received) {
        return received.stream().filter(n -> n.path("type").asText().equals(type)).toList();
      }
    }

    List<String> types() {
      synchronized (received) {
        return received.stream().map(n -> n.path("type").asText()).toList();
      }
    }

    List<String> raw() {
      synchronized (received) {
        return List.copyOf(raw);
      }
    }
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
