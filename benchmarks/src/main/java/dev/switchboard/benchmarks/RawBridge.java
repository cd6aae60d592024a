package dev.switchboard.benchmarks;

import dev.switchboard.core.internal.NoDelaySocketFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import org.java_websocket.framing.Framedata;
import org.java_websocket.framing.TextFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * The transport floor ({@code --bridge raw}): the two libraries the product uses, configured as the
 * product configures them, doing nothing but receiving and sending the messages one call needs. A
 * bare Java-WebSocket server takes the load callers' Media Streams; for each it opens an OkHttp
 * WebSocket to {@link FakeRealtimeAgent}; {@code media} payloads go out as {@code
 * input_audio_buffer.append}, {@code response.output_audio.delta}s come back as {@code media} plus
 * a {@code mark}, mark echoes are dropped. Messages are recognised and built by {@code indexOf} and
 * concatenation: no JSON library, no tokens, no bridge, no barge-in, no limits, no error handling.
 * Not a product (it trusts every byte it gets); a measurement of what Java-WebSocket and OkHttp
 * cost per message here, below which no code using them can go.
 *
 * <p>With {@code batch} the media frame and its mark are handed to Java-WebSocket in one {@code
 * sendFrame(List)} call instead of two {@code send}s, to measure what writing them together saves.
 */
final class RawBridge extends WebSocketServer {
  private final String agentUrl;
  private final boolean batch;
  private final OkHttpClient client;
  private final ExecutorService okHttpThreads;
  private final CountDownLatch started = new CountDownLatch(1);

  /** One call: the agent socket, set once the Twilio start arrived. */
  private static final class Call {
    volatile WebSocket agent;
    volatile String mediaPrefix;
    volatile String markPrefix;
    long marks;
  }

  RawBridge(String agentUrl, boolean batch) {
    super(new InetSocketAddress("127.0.0.1", 0));
    this.agentUrl = agentUrl;
    this.batch = batch;
    setTcpNoDelay(true);
    setReuseAddr(true);
    setDaemon(true);
    // As RealtimeEngine builds its client.
    okHttpThreads =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> new Thread(r));
    Dispatcher dispatcher = new Dispatcher(okHttpThreads);
    dispatcher.setMaxRequests(Integer.MAX_VALUE);
    dispatcher.setMaxRequestsPerHost(Integer.MAX_VALUE);
    client =
        new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            .pingInterval(Duration.ofSeconds(20))
            .connectTimeout(Duration.ofSeconds(10))
            .readTimeout(Duration.ofSeconds(10))
            .socketFactory(new NoDelaySocketFactory())
            .build();
  }

  URI url() {
    return URI.create("ws://127.0.0.1:" + getPort() + "/twilio/media");
  }

  void startAndWait() throws InterruptedException {
    start();
    if (!started.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("raw bridge did not start");
    }
  }

  @Override
  public void onStart() {
    started.countDown();
  }

  @Override
  public void onOpen(org.java_websocket.WebSocket conn, ClientHandshake handshake) {
    conn.setAttachment(new Call());
  }

  @Override
  public void onMessage(org.java_websocket.WebSocket conn, String message) {
    Call call = conn.getAttachment();
    if (message.startsWith("{\"event\":\"media\"")) {
      WebSocket agent = call.agent;
      if (agent != null) {
        String payload = field(message, "\"payload\":\"");
        agent.send("{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + payload + "\"}");
      }
    } else if (message.startsWith("{\"event\":\"start\"")) {
      String streamSid = field(message, "\"streamSid\":\"");
      String callSid = field(message, "\"callSid\":\"");
      call.mediaPrefix =
          "{\"event\":\"media\",\"streamSid\":\"" + streamSid + "\",\"media\":{\"payload\":\"";
      call.markPrefix =
          "{\"event\":\"mark\",\"streamSid\":\"" + streamSid + "\",\"mark\":{\"name\":\"";
      call.agent =
          client.newWebSocket(
              new Request.Builder().url(agentUrl).build(), new AgentListener(conn, call, callSid));
    }
    // mark echoes, connected, stop: nothing to do
  }

  private final class AgentListener extends okhttp3.WebSocketListener {
    private final org.java_websocket.WebSocket phone;
    private final Call call;
    private final String callSid;

    AgentListener(org.java_websocket.WebSocket phone, Call call, String callSid) {
      this.phone = phone;
      this.call = call;
      this.callSid = callSid;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      webSocket.send(
          "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"call "
              + callSid
              + "\",\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcmu\"}},"
              + "\"output\":{\"format\":{\"type\":\"audio/pcmu\"}}}}}");
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      if (!text.startsWith("{\"type\":\"response.output_audio.delta\"")) {
        return;
      }
      String media = call.mediaPrefix + field(text, "\"delta\":\"") + "\"}}";
      String mark = call.markPrefix + "g0-" + call.marks++ + "\"}}";
      if (!phone.isOpen()) {
        return;
      }
      if (batch) {
        phone.sendFrame(List.<Framedata>of(text(media), text(mark)));
      } else {
        phone.send(media);
        phone.send(mark);
      }
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
      phone.close();
    }
  }

  private static TextFrame text(String s) {
    TextFrame f = new TextFrame();
    f.setPayload(java.nio.ByteBuffer.wrap(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    f.setFin(true);
    return f;
  }

  @Override
  public void onClose(org.java_websocket.WebSocket conn, int code, String reason, boolean remote) {
    Call call = conn.getAttachment();
    if (call != null && call.agent != null) {
      call.agent.close(1000, null);
    }
  }

  @Override
  public void onError(org.java_websocket.WebSocket conn, Exception ex) {
    if (conn == null) {
      System.err.println("raw bridge: " + ex);
    }
  }

  /** The string value after {@code key} (which ends with the opening quote); no escapes. */
  private static String field(String json, String key) {
    int i = json.indexOf(key);
    if (i < 0) {
      return "";
    }
    int from = i + key.length();
    int to = json.indexOf('"', from);
    return to < 0 ? "" : json.substring(from, to);
  }

  void shutdown() throws InterruptedException {
    stop(1000);
    client.dispatcher().cancelAll();
    okHttpThreads.shutdownNow();
    client.connectionPool().evictAll();
  }
}
