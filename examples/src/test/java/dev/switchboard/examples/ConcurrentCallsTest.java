package dev.switchboard.examples;

import static dev.switchboard.examples.Phone.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.bridge.BridgedCall;
import dev.switchboard.testing.openai.Reply;
import dev.switchboard.testing.openai.SessionRecord;
import dev.switchboard.testing.twilio.Pacing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many calls at once: each caller hears only its own agent, and nothing is left behind. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrentCallsTest {
  private LocalPhoneAgent agent;
  private final ExecutorService placing = Executors.newFixedThreadPool(16);

  @AfterEach
  void tearDown() {
    placing.shutdownNow();
    if (agent != null) {
      agent.close();
    }
  }

  /** Caller {@code i}'s voice: a tone of its own pitch. */
  private static byte[] voice(int i) {
    return LiveCaller.tone(300 + 37 * i, 0.3, Duration.ofMillis(400));
  }

  /** One call, placed and answered: the caller speaks, the agent's whole reply is heard. */
  private record Answered(
      LocalPhoneAgent.LocalCall call, BridgedCall bridged, SessionRecord session, byte[] reply) {}

  private Answered converse(int i) {
    LiveCaller caller = new LiveCaller();
    LocalPhoneAgent.LocalCall call = agent.placeCall(caller.audio(), Pacing.accelerated(4));
    BridgedCall bridged = call.bridged(TIMEOUT);
    SessionRecord session = agent.session(call.callSid(), TIMEOUT);
    caller.say(voice(i));
    JsonNode done = session.awaitServerEvent("response.done", e -> true, TIMEOUT);
    byte[] reply = Phone.audioOf(session, done.path("response").path("id").asText());
    byte[] heard = call.simulator().awaitHeard(Duration.ofNanos(reply.length * 125_000L), TIMEOUT);
    return new Answered(call, bridged, session, heard);
  }

  private <T> List<T> inParallel(int n, java.util.function.IntFunction<T> task) {
    List<CompletableFuture<T>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int index = i;
      futures.add(CompletableFuture.supplyAsync(() -> task.apply(index), placing));
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .orTimeout(45, TimeUnit.SECONDS)
        .join();
    List<T> results = new ArrayList<>();
    futures.forEach(f -> results.add(f.join()));
    return results;
  }

  @Test
  void fiftyConcurrentCallsEachHearOnlyTheirOwnAgent() {
    int calls = 50;
    agent =
        LocalPhoneAgent.builder()
            .agent(
                f -> {
                  // Fifty replies of fifty lengths; whichever session gets which, its caller must
                  // hear exactly that one.
                  for (int i = 0; i < calls; i++) {
                    f.reply(
                        Reply.audio("Reply number " + i + ".", Duration.ofMillis(400 + 20 * i)));
                  }
                })
            .build();

    List<Answered> answered = inParallel(calls, this::converse);
    for (int i = 0; i < calls; i++) {
      Answered a = answered.get(i);
      byte[] reply = Phone.audioOf(a.session(), a.session().responses().get(0).id());
      byte[] got = a.call().simulator().heard();
      assertThat(got)
          .as("call %d heard its own agent's %d ms reply, nothing else", i, reply.length / 8)
          .startsWith(reply)
          .hasSize(reply.length);
      byte[] input = toArray(a.session().inputAudio());
      for (int j = 0; j < calls; j++) {
        byte[] probe = java.util.Arrays.copyOfRange(voice(j), 800, 1600);
        assertThat(Phone.contains(input, probe))
            .as("agent of call %d received caller %d's voice", i, j)
            .isEqualTo(i == j);
      }
    }
    assertThat(answered.stream().map(a -> a.session().id()).distinct()).hasSize(calls);
    inParallel(
        calls,
        i -> {
          answered.get(i).call().hangUp();
          return answered.get(i).bridged().done().orTimeout(10, TimeUnit.SECONDS).join();
        });
  }

  @Test
  void threadsAndSocketsReturnToTheirBaselineAfterTheCalls() {
    agent =
        LocalPhoneAgent.builder()
            .agent(f -> f.fallbackReply(Reply.audio("Okay.", Duration.ofMillis(300))))
            .build();
    int wsPort = agent.server().webSocketPort();
    int agentPort = agent.openAi().baseUrl().getPort();
    // A first call warms up pools (HTTP clients, executors) that live as long as the agent.
    Answered warmUp = converse(0);
    warmUp.call().hangUp();
    warmUp.bridged().done().orTimeout(10, TimeUnit.SECONDS).join();
    warmUp.session().awaitClosed(TIMEOUT);
    // With no call live, nothing tied to a call may exist: no media or agent connection, no
    // simulator thread, no thread serving a WebSocket. (Pooled threads that outlive a burst idle in
    // their pools for 30-60 s; they are not counted.)
    Snapshot idle = new Snapshot(0, 0, 0, Map.of());
    Snapshot baseline = awaitSettled(() -> Snapshot.take(wsPort, agentPort), idle);
    assertThat(baseline.sameCounts(idle)).as("after the warm-up call: %s", baseline).isTrue();

    List<Answered> answered = inParallel(20, this::converse);
    Snapshot during = Snapshot.take(wsPort, agentPort);
    assertThat(during.mediaSockets()).isGreaterThanOrEqualTo(baseline.mediaSockets() + 20);
    assertThat(during.agentSockets()).isGreaterThanOrEqualTo(baseline.agentSockets() + 20);
    inParallel(
        20,
        i -> {
          answered.get(i).call().hangUp();
          answered.get(i).bridged().done().orTimeout(10, TimeUnit.SECONDS).join();
          return answered.get(i).session().awaitClosed(TIMEOUT);
        });

    Snapshot after = awaitSettled(() -> Snapshot.take(wsPort, agentPort), baseline);
    assertThat(after.mediaSockets())
        .as("media WebSocket connections; before %s, after %s", baseline, after)
        .isEqualTo(baseline.mediaSockets());
    assertThat(after.agentSockets())
        .as("agent WebSocket connections")
        .isEqualTo(baseline.agentSockets());
    assertThat(after.perCallThreads())
        .as("per-call threads; before %s, after %s", baseline, after)
        .isEqualTo(baseline.perCallThreads());
    assertThat(agent.bridge().activeCalls()).isZero();
  }

  /** Waits until a snapshot has the counts of {@code target}; returns the last one taken. */
  private static Snapshot awaitSettled(Supplier<Snapshot> take, Snapshot target) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    Snapshot last = take.get();
    while (!last.sameCounts(target)) {
      Object monitor = new Object();
      synchronized (monitor) {
        try {
          monitor.wait(50); // a bounded poll of the OS's tables; there is nothing to wait on
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
      last = take.get();
      if (last.sameCounts(target) || System.nanoTime() - deadline > 0) {
        return last;
      }
    }
    return last;
  }

  /** Live per-call threads and established TCP connections to the two WebSocket ports. */
  record Snapshot(
      int mediaSockets, int agentSockets, int perCallThreads, Map<String, Integer> threads) {
    boolean sameCounts(Snapshot other) {
      return mediaSockets == other.mediaSockets
          && agentSockets == other.agentSockets
          && perCallThreads == other.perCallThreads;
    }

    static Snapshot take(int wsPort, int agentPort) {
      int media = 0;
      int agentConnections = 0;
      for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
        List<String> lines;
        try {
          lines = Files.readAllLines(Path.of(table));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        for (String line : lines.subList(1, lines.size())) {
          String[] f = line.trim().split("\\s+");
          if (!f[3].equals("01")) { // ESTABLISHED
            continue;
          }
          int local = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
          int remote = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
          if (local == wsPort || remote == wsPort) {
            media++;
          }
          if (local == agentPort || remote == agentPort) {
            agentConnections++;
          }
        }
      }
      Map<String, Integer> threads = new TreeMap<>();
      int perCall = 0;
      for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
        String name = e.getKey().getName();
        String kind = name.replaceAll("[0-9a-f]{32}|\\d+", "#");
        threads.merge(kind, 1, Integer::sum);
        if ((name.startsWith("twilio-call-simulator-CA")
                || name.contains(":" + wsPort + "/")
                || name.contains(":" + agentPort + "/"))
            && !idleInOkHttpPool(e.getValue())) {
          perCall++;
        }
      }
      return new Snapshot(media, agentConnections, perCall, threads);
    }
  }

  /**
   * OkHttp's shared task threads keep the name of the last task they ran (e.g. "OkHttp WebSocket
   * http://...:port/... writer close") while they wait, idle, for the next one; such a thread is
   * pooled, not tied to a call.
   */
  private static boolean idleInOkHttpPool(StackTraceElement[] stack) {
    for (StackTraceElement frame : stack) {
      if (frame.getClassName().equals("okhttp3.internal.concurrent.TaskRunner")
          && frame.getMethodName().equals("awaitTaskToRun")) {
        return true;
      }
    }
    return false;
  }

  private static byte[] toArray(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
