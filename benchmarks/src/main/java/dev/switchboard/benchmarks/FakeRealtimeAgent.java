package dev.switchboard.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * A minimal OpenAI Realtime (GA) server for load: answers {@code session.update} with {@code
 * session.updated}, counts {@code input_audio_buffer.append} audio as it arrives (for the caller →
 * agent latency), and from the moment the session is configured speaks without pause: responses of
 * {@link #RESPONSE_FRAMES} frames ({@code response.created}, {@code response.output_item.added},
 * {@code response.content_part.added}, one {@code response.output_audio.delta} of 20 ms every 20
 * ms, then the {@code .done} events), back to back, in the session's output format ({@code
 * audio/pcmu} or {@code audio/pcm} 24 kHz). No VAD, no transcripts: unlike {@code
 * FakeOpenAiRealtimeServer} it does the least a server can so that the CPU it uses is small and
 * known. Accepts any path and any key.
 *
 * <p>Threading: Java-WebSocket's selector and worker threads receive; a shared {@link Pacer} sends.
 * Every thread that runs this server's code is added to {@link #threads()}, so the harness can
 * count their CPU as the load generator's.
 */
final class FakeRealtimeAgent extends WebSocketServer {
  static final int RESPONSE_FRAMES = 250; // 5 s responses, back to back
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Pacer pacer;
  private final Function<String, LoadCaller> callers; // by call id
  private final boolean stamped;
  private final LoadMetrics metrics;
  private final Set<Long> threads = ConcurrentHashMap.newKeySet();
  private final CountDownLatch started = new CountDownLatch(1);
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicLong ids = new AtomicLong();
  private final String ulawFrame;
  private final String pcmFrame;

  /** One connection's state. */
  private final class Session implements Pacer.Ticker {
    final WebSocket conn;
    final String id = "sess_" + ids.incrementAndGet();
    final FrameLog up = new FrameLog(); // only used if the call is unknown
    volatile FrameLog callerUp; // the caller's log of what it sent, once known
    volatile FrameLog down = new FrameLog();
    volatile int inputFrameBytes = 160;
    volatile String delta;
    volatile byte[] frame;
    volatile boolean speaking;
    String responseId;
    String itemId;
    int framesInResponse;

    Session(WebSocket conn) {
      this.conn = conn;
    }

    @Override
    public void tick(long now) {
      if (!conn.isOpen()) {
        pacer.remove(this);
        return;
      }
      if (responseId == null) {
        long n = ids.incrementAndGet();
        responseId = "resp_" + n;
        itemId = "item_" + n;
        framesInResponse = 0;
        conn.send(
            "{\"type\":\"response.created\",\"event_id\":\"ev_"
                + n
                + "\",\"response\":{\"object\":\"realtime.response\",\"id\":\""
                + responseId
                + "\",\"status\":\"in_progress\",\"output\":[]}}");
        conn.send(
            "{\"type\":\"response.output_item.added\",\"event_id\":\"ev_"
                + n
                + "a\",\"response_id\":\""
                + responseId
                + "\",\"output_index\":0,\"item\":{\"id\":\""
                + itemId
                + "\",\"object\":\"realtime.item\",\"type\":\"message\",\"status\":\"in_progress\","
                + "\"role\":\"assistant\",\"content\":[]}}");
        conn.send(
            "{\"type\":\"response.content_part.added\",\"event_id\":\"ev_"
                + n
                + "b\",\"response_id\":\""
                + responseId
                + "\",\"item_id\":\""
                + itemId
                + "\",\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"audio\","
                + "\"transcript\":\"\"}}");
      }
      long seq = down.sending(now);
      metrics.agentFramesSent.increment();
      String delta = this.delta;
      if (stamped) {
        Json.stamp(frame, seq);
        delta = Base64.getEncoder().encodeToString(frame);
      }
      conn.send(
          "{\"type\":\"response.output_audio.delta\",\"event_id\":\"ev_d"
              + framesInResponse
              + "\",\"response_id\":\""
              + responseId
              + "\",\"item_id\":\""
              + itemId
              + "\",\"output_index\":0,\"content_index\":0,\"delta\":\""
              + delta
              + "\"}");
      if (++framesInResponse >= RESPONSE_FRAMES) {
        String ids = "\"response_id\":\"" + responseId + "\",\"item_id\":\"" + itemId + "\"";
        conn.send(
            "{\"type\":\"response.output_audio.done\","
                + ids
                + ",\"output_index\":0,\"content_index\":0}");
        conn.send(
            "{\"type\":\"response.content_part.done\","
                + ids
                + ",\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"audio\"}}");
        conn.send(
            "{\"type\":\"response.output_item.done\",\"response_id\":\""
                + responseId
                + "\",\"output_index\":0,\"item\":{\"id\":\""
                + itemId
                + "\",\"object\":\"realtime.item\",\"type\":\"message\",\"status\":\"completed\","
                + "\"role\":\"assistant\",\"content\":[{\"type\":\"output_audio\"}]}}");
        conn.send(
            "{\"type\":\"response.done\",\"response\":{\"object\":\"realtime.response\",\"id\":\""
                + responseId
                + "\",\"status\":\"completed\",\"output\":[{\"id\":\""
                + itemId
                + "\",\"type\":\"message\",\"role\":\"assistant\",\"status\":\"completed\","
                + "\"content\":[{\"type\":\"output_audio\"}]}]}}");
        responseId = null;
      }
    }
  }

  /**
   * Creates the server (not started).
   *
   * @param pacer sends the agent's audio
   * @param metrics where to count
   * @param stamped whether the audio passes unchanged, so frames carry their sequence number
   * @param callers finds a call's load caller by the call id, which the harness passes as the
   *     session's instructions ({@code "call <id>"})
   */
  FakeRealtimeAgent(
      Pacer pacer, LoadMetrics metrics, boolean stamped, Function<String, LoadCaller> callers) {
    super(new InetSocketAddress("127.0.0.1", 0), 2);
    this.callers = callers;
    this.stamped = stamped;
    this.pacer = pacer;
    this.metrics = metrics;
    setReuseAddr(true);
    setTcpNoDelay(true);
    byte[] ulaw = Base64.getDecoder().decode(LoadCaller.tonePayload());
    ulawFrame = Base64.getEncoder().encodeToString(ulaw);
    short[] pcm = new short[480];
    byte[] pcmBytes = new byte[960];
    for (int i = 0; i < 480; i++) {
      pcm[i] = (short) (4000 * Math.sin(2 * Math.PI * 440 * i / 24000.0));
      pcmBytes[2 * i] = (byte) pcm[i];
      pcmBytes[2 * i + 1] = (byte) (pcm[i] >> 8);
    }
    pcmFrame = Base64.getEncoder().encodeToString(pcmBytes);
  }

  /** Starts and waits until listening. */
  void startAndWait() throws InterruptedException {
    start();
    if (!started.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("fake agent did not start");
    }
  }

  int sessionCount() {
    return sessions.get();
  }

  Set<Long> threads() {
    return threads;
  }

  @Override
  public void onStart() {
    threads.add(Thread.currentThread().getId());
    started.countDown();
  }

  @Override
  public void onOpen(WebSocket conn, ClientHandshake handshake) {
    threads.add(Thread.currentThread().getId());
    Session s = new Session(conn);
    conn.setAttachment(s);
    sessions.incrementAndGet();
    conn.send(
        "{\"type\":\"session.created\",\"event_id\":\"ev_c"
            + s.id
            + "\",\"session\":{\"type\":\"realtime\",\"object\":\"realtime.session\",\"id\":\""
            + s.id
            + "\",\"model\":\"gpt-realtime\",\"output_modalities\":[\"audio\"],\"audio\":{\"input\":"
            + "{\"format\":{\"type\":\"audio/pcm\",\"rate\":24000}},\"output\":{\"format\":{\"type\":"
            + "\"audio/pcm\",\"rate\":24000},\"voice\":\"marin\"}}}}");
  }

  @Override
  public void onMessage(WebSocket conn, String message) {
    threads.add(Thread.currentThread().getId());
    Session s = conn.getAttachment();
    if (s == null) {
      return;
    }
    long now = System.nanoTime();
    String type = Json.string(message, "type");
    if ("input_audio_buffer.append".equals(type)) {
      int bytes = Json.base64Length(message, "audio");
      FrameLog log = s.callerUp;
      if (bytes > 0) {
        FrameLog l = log != null ? log : s.up;
        int frames =
            stamped && bytes == s.inputFrameBytes
                ? l.receivedStamped(Json.sequence(message, "audio"), now, metrics.toAgent)
                : l.received(bytes, s.inputFrameBytes, now, metrics.toAgent);
        metrics.agentFramesReceived.add(frames);
      }
    } else if ("session.update".equals(type)) {
      configure(s, message);
    } else {
      metrics.agentOtherEvents.increment();
    }
  }

  private void configure(Session s, String message) {
    String inType = "audio/pcm";
    String outType = "audio/pcm";
    String instructions = "";
    try {
      JsonNode session = JSON.readTree(message).path("session");
      instructions = session.path("instructions").asText("");
      JsonNode audio = session.path("audio");
      inType = audio.path("input").path("format").path("type").asText("audio/pcm");
      outType = audio.path("output").path("format").path("type").asText("audio/pcm");
    } catch (java.io.IOException e) {
      // keep the defaults
    }
    s.inputFrameBytes = "audio/pcmu".equals(inType) || "audio/pcma".equals(inType) ? 160 : 960;
    s.delta = "audio/pcmu".equals(outType) ? ulawFrame : pcmFrame;
    s.frame = Base64.getDecoder().decode(s.delta);
    s.conn.send(
        "{\"type\":\"session.updated\",\"event_id\":\"ev_u"
            + s.id
            + "\",\"session\":{\"type\":\"realtime\",\"object\":\"realtime.session\",\"id\":\""
            + s.id
            + "\",\"model\":\"gpt-realtime\",\"output_modalities\":[\"audio\"],\"audio\":{\"input\":"
            + "{\"format\":{\"type\":\""
            + inType
            + "\"}},\"output\":{\"format\":{\"type\":\""
            + outType
            + "\"},\"voice\":\"marin\"}}}}");
    LoadCaller caller =
        instructions.startsWith("call ") ? callers.apply(instructions.substring(5)) : null;
    if (!s.speaking && caller != null) {
      s.speaking = true;
      s.callerUp = caller.up;
      s.down = caller.down();
      pacer.add(s);
      caller.startMedia();
    }
  }

  @Override
  public void onClose(WebSocket conn, int code, String reason, boolean remote) {
    Session s = conn.getAttachment();
    if (s != null) {
      pacer.remove(s);
    }
  }

  @Override
  public void onError(WebSocket conn, Exception ex) {
    if (conn == null) {
      System.err.println("fake agent: " + ex);
    }
  }
}
