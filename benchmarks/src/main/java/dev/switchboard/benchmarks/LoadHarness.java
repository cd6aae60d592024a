package dev.switchboard.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import dev.switchboard.codec.AudioFormat;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.testing.twilio.FakeTwilioApi;
import dev.switchboard.voice.twilio.TwilioVoiceBackend;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs N simulated calls through the real stack in one JVM and reports what they cost: the embedded
 * {@link SwitchboardServer}, the {@link TwilioVoiceBackend} (webhook, stream token, media socket),
 * the bridge and the agent side, driven by {@link LoadCaller}s that play Twilio (both directions at
 * 50 frames/s, marks echoed after real-time playback).
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am -Dsb.build.dir=target-load -DskipTests -Djacoco.skip=true \
 *     -DskipPublishedArtifacts=true package
 * java -cp benchmarks/target-load/benchmarks.jar dev.switchboard.benchmarks.LoadHarness \
 *     --calls 500 --seconds 30 --mode passthrough
 * </pre>
 *
 * <p>Options: {@code --calls N} (default 100), {@code --seconds S} measured window (default 20),
 * {@code --warmup S} (default 10), {@code --mode passthrough|transcode} (μ-law both sides, or PCM16
 * 24 kHz on the agent side), {@code --agent ws|inprocess} (the OpenAI Realtime runtime against
 * {@link FakeRealtimeAgent} over a WebSocket, or the in-process {@link PacedAgentRuntime}), {@code
 * --bridge real|direct} ({@code VoiceAgentBridge}, or the {@link DirectBridge} floor), {@code
 * --callbacks inline|queued} (the server's {@code inlineWebSocketCallbacks}, default inline),
 * {@code --threads} (print CPU per thread group), {@code --heap-histogram} (after the window, a
 * class histogram of the live heap with the calls live and again after they have all hung up, the
 * difference per call attributed by owner: see {@link HeapHistogram}), {@code --heap-dump DIR}
 * (also write {@code live.hprof} and {@code idle.hprof} there, for {@link HeapOwners}).
 *
 * <p>CPU is split by thread: the load generator's threads ({@code load-*}, the JDK HTTP client's,
 * the fake agent's Java-WebSocket threads) against everything else (server, backend, bridge,
 * runtime: the system under test); CPU of the JVM's own threads (GC, JIT) is reported apart.
 */
public final class LoadHarness {
  private static final String AUTH_TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  private static final Pattern TOKEN =
      Pattern.compile("<Parameter name=\"switchboard_token\" value=\"([^\"]+)\"");

  private LoadHarness() {}

  record Options(
      int calls,
      int seconds,
      int warmup,
      boolean transcode,
      boolean wsAgent,
      String bridge,
      boolean inline,
      boolean threads,
      boolean heapHistogram,
      String heapDump) {} // heapDump: a directory, or null

  /**
   * Runs the harness.
   *
   * @param args see the class comment
   * @throws Exception if the stack cannot start
   */
  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    Options o = parse(args);
    int code = run(o);
    System.exit(code);
  }

  private static Options parse(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a);
      }
      if (a.equals("--threads") || a.equals("--heap-histogram")) {
        m.put(a.substring(2), "true");
      } else {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        m.put(a.substring(2), args[++i]);
      }
    }
    String mode = m.getOrDefault("mode", "passthrough");
    String agent = m.getOrDefault("agent", "ws");
    String bridge = m.getOrDefault("bridge", "real");
    String callbacks = m.getOrDefault("callbacks", "inline");
    if (bridge.startsWith("raw") && (!mode.equals("passthrough") || !agent.equals("ws"))) {
      throw new IllegalArgumentException("--bridge raw needs --mode passthrough --agent ws");
    }
    if (!Set.of("passthrough", "transcode").contains(mode)
        || !Set.of("ws", "inprocess").contains(agent)
        || !Set.of("real", "direct", "raw", "raw-batch").contains(bridge)
        || !Set.of("inline", "queued").contains(callbacks)) {
      throw new IllegalArgumentException(
          "--mode passthrough|transcode, --agent ws|inprocess, --bridge real|direct|raw|raw-batch,"
              + " --callbacks inline|queued");
    }
    return new Options(
        Integer.parseInt(m.getOrDefault("calls", "100")),
        Integer.parseInt(m.getOrDefault("seconds", "20")),
        Integer.parseInt(m.getOrDefault("warmup", "10")),
        mode.equals("transcode"),
        agent.equals("ws"),
        bridge,
        callbacks.equals("inline"),
        m.containsKey("threads"),
        m.containsKey("heap-histogram"),
        m.get("heap-dump"));
  }

  /** The agent side: binds a configured session to a call's logs. */
  interface AgentSide extends AutoCloseable {
    AgentRuntime runtime();

    Set<Long> loadThreads();

    @Override
    void close();
  }

  private static int run(Options o) throws Exception {
    AudioFormat agentFormat = o.transcode() ? AudioFormat.PCM16_24K : AudioFormat.PCMU_8K;
    boolean stamped = !o.transcode();
    LoadMetrics metrics = new LoadMetrics();
    Pacer callerPacer = new Pacer("load-pacer-caller");
    Pacer agentPacer = new Pacer("load-pacer-agent");

    Map<String, LoadCaller> registry = new java.util.concurrent.ConcurrentHashMap<>();
    boolean raw = o.bridge().startsWith("raw");
    RawBridge rawBridge = null;
    FakeRealtimeAgent rawAgent = null;
    AgentSide agent = null;
    FakeTwilioApi api = null;
    SwitchboardServer server = null;
    TwilioVoiceBackend backend = null;
    URI mediaUrl;
    URI voiceUrl = null;
    if (raw) {
      rawAgent = new FakeRealtimeAgent(agentPacer, metrics, stamped, registry::get);
      rawAgent.startAndWait();
      rawBridge =
          new RawBridge(
              "ws://127.0.0.1:" + rawAgent.getPort() + "/v1/realtime?model=gpt-realtime",
              o.bridge().equals("raw-batch"));
      rawBridge.startAndWait();
      mediaUrl = rawBridge.url();
    } else {
      AgentSide side =
          o.wsAgent()
              ? Wiring.websocketAgent(agentPacer, metrics, stamped, registry::get)
              : inProcessAgent(agentPacer, metrics, agentFormat, registry::get);
      agent = side;
      AtomicReference<TwilioVoiceBackend> ref = new AtomicReference<>();
      Consumer<MediaStream> bridge =
          o.bridge().equals("real")
              ? Wiring.realBridge(
                  side.runtime(), agentFormat, id -> ref.get().call(id).orElseThrow())
              : stream -> DirectBridge.attach(stream, side.runtime(), agentFormat);

      api = FakeTwilioApi.builder().authToken(AUTH_TOKEN).build();
      api.start();
      SwitchboardServer.Builder sb =
          SwitchboardServer.builder()
              .httpAddress(new InetSocketAddress("127.0.0.1", 0))
              .webSocketAddress(new InetSocketAddress("127.0.0.1", 0))
              .inlineWebSocketCallbacks(o.inline());
      for (String path :
          List.of("/twilio/voice", "/twilio/status", "/twilio/stream-status", "/twilio/amd")) {
        sb.webhook(path, request -> ref.get().webhookHandler().handle(request));
      }
      sb.webSocket(
          "/twilio/media", (channel, upgrade) -> ref.get().mediaHandler().onOpen(channel, upgrade));
      server = sb.build();
      server.start();
      mediaUrl = URI.create("ws://127.0.0.1:" + server.webSocketPort() + "/twilio/media");
      backend =
          TwilioVoiceBackend.builder()
              .accountSid(api.accountSid())
              .authToken(api.authToken())
              .defaultFrom("+14155550100")
              .publicBaseUrl(URI.create("http://127.0.0.1:" + server.httpPort()))
              .mediaUrl(mediaUrl)
              .allowInsecureUrls(true)
              .apiBaseUrl(api.baseUrl())
              .streamHandler(bridge)
              .build();
      ref.set(backend);
      backend.start();
      voiceUrl = URI.create("http://127.0.0.1:" + server.httpPort() + "/twilio/voice");
    }
    FakeTwilioApi twilio = api;
    URI voice = voiceUrl;

    AtomicInteger loadThreadNo = new AtomicInteger();
    ExecutorService clientPool =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "load-ws-" + loadThreadNo.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    HttpClient client = HttpClient.newBuilder().executor(clientPool).build();

    HeapHistogram baselineHistogram = HeapHistogram.take();
    if (o.heapDump() != null) {
      dumpHeap(Path.of(o.heapDump(), "before.hprof"));
    }
    long baselineHeap = baselineHistogram.totalBytes();

    System.out.printf(
        Locale.ROOT,
        "Ramping up %d calls (%s, agent %s, bridge %s)...%n",
        o.calls(),
        o.transcode() ? "transcode" : "passthrough",
        o.wsAgent() ? "ws" : "inprocess",
        o.bridge());
    List<LoadCaller> callers = java.util.Collections.synchronizedList(new ArrayList<>());
    long rampStart = System.nanoTime();
    ExecutorService ramp =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "load-ramp-" + loadThreadNo.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    List<java.util.concurrent.Future<?>> placed = new ArrayList<>();
    for (int i = 0; i < o.calls(); i++) {
      int n = i;
      placed.add(
          ramp.submit(
              () -> {
                String callSid;
                String token;
                if (twilio == null) { // raw: no webhook, no token check
                  callSid = String.format("CA%032d", n);
                  token = "raw";
                } else {
                  FakeTwilioApi.InboundCall inbound =
                      twilio.placeInboundCall(voice, String.format("+1415%07d", n), "+14155550100");
                  Matcher match = TOKEN.matcher(inbound.response().body());
                  if (!match.find()) {
                    throw new IllegalStateException(
                        "no stream token in " + inbound.response().body());
                  }
                  callSid = inbound.callSid();
                  token = match.group(1);
                }
                LoadCaller caller =
                    new LoadCaller(
                        twilio == null ? "AC" + "0".repeat(32) : twilio.accountSid(),
                        callSid,
                        token,
                        stamped,
                        new FrameLog(),
                        callerPacer,
                        metrics);
                registry.put(callSid, caller);
                caller.connect(client, mediaUrl).get(30, TimeUnit.SECONDS);
                callers.add(caller);
                return null;
              }));
    }
    for (java.util.concurrent.Future<?> f : placed) {
      f.get(60, TimeUnit.SECONDS);
    }
    ramp.shutdown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (callers.stream().filter(LoadCaller::mediaStarted).count() < o.calls()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "only "
                + callers.stream().filter(LoadCaller::mediaStarted).count()
                + " of "
                + o.calls()
                + " calls got an agent session within 30 s");
      }
      Thread.sleep(10);
    }
    double rampSeconds = (System.nanoTime() - rampStart) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%d calls up in %.1f s; warming up %d s...%n",
        o.calls(),
        rampSeconds,
        o.warmup());
    Thread.sleep(TimeUnit.SECONDS.toMillis(o.warmup()));

    // ---- measured window ----
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Map<Long, Long> cpuBefore = threadCpu(threads);
    long gcBefore = gcMillis();
    long processBefore = os.getProcessCpuTime();
    LoadMetrics.Counts countsBefore = metrics.counts();
    callerPacer.resetLag();
    agentPacer.resetLag();
    metrics.start();
    long t0 = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(o.seconds()));
    long t1 = System.nanoTime();
    metrics.stop();
    long processAfter = os.getProcessCpuTime();
    Map<Long, Long> cpuAfter = threadCpu(threads);
    long gcAfter = gcMillis();
    LoadMetrics.Counts c = metrics.counts().minus(countsBefore);
    long open = callers.stream().filter(LoadCaller::isOpen).count();
    HeapHistogram liveHistogram = HeapHistogram.take();
    long liveHeap = liveHistogram.totalBytes();

    double secs = (t1 - t0) / 1e9;
    Set<Long> loadIds = raw ? rawAgent.threads() : agent.loadThreads();
    Map<Long, ThreadInfo> infos = new HashMap<>();
    for (ThreadInfo info : threads.getThreadInfo(toArray(cpuAfter.keySet()))) {
      if (info != null) {
        infos.put(info.getThreadId(), info);
      }
    }
    long sut = 0;
    long load = 0;
    long javaThreads = 0;
    Map<String, Long> groups = new TreeMap<>();
    for (Map.Entry<Long, Long> e : cpuAfter.entrySet()) {
      long delta = e.getValue() - cpuBefore.getOrDefault(e.getKey(), 0L);
      ThreadInfo info = infos.get(e.getKey());
      String name = info == null ? "?" : info.getThreadName();
      boolean isLoad =
          name.startsWith("load-")
              || name.equals("main")
              || name.startsWith("HttpClient-")
              || loadIds.contains(e.getKey());
      if (isLoad) {
        load += delta;
      } else {
        sut += delta;
      }
      javaThreads += delta;
      String group = (isLoad ? "load  " : "sut   ") + name.replaceAll("[0-9]+", "N");
      groups.merge(group, delta, Long::sum);
    }
    long process = processAfter - processBefore;
    long jvm = Math.max(0, process - javaThreads);
    long forwarded = c.agentFramesReceived() + c.callerFramesReceived();

    String mode = o.transcode() ? "transcode" : "passthrough";
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "calls %d (%d open at the end), mode %s, agent %s, bridge %s, callbacks %s, window %.1f s,"
            + " %d cores%n",
        o.calls(),
        open,
        mode,
        o.wsAgent() ? "ws" : "inprocess",
        o.bridge(),
        o.inline() ? "inline" : "queued",
        secs,
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        Locale.ROOT,
        "frames/s caller->agent %.0f (sent %.0f), agent->caller %.0f (sent %.0f);"
            + " marks echoed/s %.0f (received %.0f); clears %d%n",
        c.agentFramesReceived() / secs,
        c.callerFramesSent() / secs,
        c.callerFramesReceived() / secs,
        c.agentFramesSent() / secs,
        c.marksEchoed() / secs,
        c.marksReceived() / secs,
        c.clears());
    System.out.printf(
        Locale.ROOT,
        "CPU (cores busy): process %.2f = system under test %.2f + load generator %.2f"
            + " + JVM (GC, JIT) %.2f; GC time %d ms%n",
        process / secs / 1e9,
        sut / secs / 1e9,
        load / secs / 1e9,
        jvm / secs / 1e9,
        gcAfter - gcBefore);
    double sutPerFrame = sut / 1e3 / forwarded;
    double sutJvmPerFrame = (sut + jvm) / 1e3 / forwarded;
    double processPerFrame = process / 1e3 / forwarded;
    System.out.printf(
        Locale.ROOT,
        "CPU per forwarded frame: system under test %.1f us, + JVM %.1f us, whole process %.1f us;"
            + " calls per core (SUT + JVM) %.0f%n",
        sutPerFrame,
        sutJvmPerFrame,
        processPerFrame,
        o.calls() / ((sut + jvm) / secs / 1e9));
    System.out.printf(
        Locale.ROOT,
        "heap per call %.1f KB (live %.1f MB - before the calls %.1f MB, class histograms,"
            + " whole process)%n",
        (liveHeap - baselineHeap) / 1024.0 / o.calls(),
        liveHeap / 1048576.0,
        baselineHeap / 1048576.0);
    System.out.printf(
        Locale.ROOT,
        "latency caller->agent p50 %.3f ms p99 %.3f ms (%d frames); agent->caller p50 %.3f ms"
            + " p99 %.3f ms (%d frames); pacer max lag caller %.1f ms, agent %.1f ms%n",
        metrics.toAgent.quantileMicros(0.50) / 1000,
        metrics.toAgent.quantileMicros(0.99) / 1000,
        metrics.toAgent.count(),
        metrics.toCaller.quantileMicros(0.50) / 1000,
        metrics.toCaller.quantileMicros(0.99) / 1000,
        metrics.toCaller.count(),
        callerPacer.maxLagNanos() / 1e6,
        agentPacer.maxLagNanos() / 1e6);
    System.out.println();
    System.out.println(
        "| calls | mode | agent | bridge | fwd frames/s c→a | fwd frames/s a→c | marks/s"
            + " | SUT µs/frame | SUT+JVM µs/frame | process µs/frame | cores SUT/load/JVM"
            + " | heap KB/call | c→a p50/p99 ms | a→c p50/p99 ms |");
    System.out.printf(
        Locale.ROOT,
        "| %d | %s | %s | %s | %.0f | %.0f | %.0f | %.1f | %.1f | %.1f | %.2f/%.2f/%.2f | %.1f"
            + " | %.2f / %.2f | %.2f / %.2f |%n",
        o.calls(),
        mode,
        o.wsAgent() ? "ws" : "inprocess",
        o.bridge(),
        c.agentFramesReceived() / secs,
        c.callerFramesReceived() / secs,
        c.marksEchoed() / secs,
        sutPerFrame,
        sutJvmPerFrame,
        processPerFrame,
        sut / secs / 1e9,
        load / secs / 1e9,
        jvm / secs / 1e9,
        (liveHeap - baselineHeap) / 1024.0 / o.calls(),
        metrics.toAgent.quantileMicros(0.50) / 1000,
        metrics.toAgent.quantileMicros(0.99) / 1000,
        metrics.toCaller.quantileMicros(0.50) / 1000,
        metrics.toCaller.quantileMicros(0.99) / 1000);
    if (o.threads()) {
      System.out.println();
      System.out.println("CPU by thread group (cores busy):");
      groups.entrySet().stream()
          .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
          .filter(e -> e.getValue() > 0)
          .forEach(
              e ->
                  System.out.printf(
                      Locale.ROOT, "  %6.3f  %s%n", e.getValue() / secs / 1e9, e.getKey()));
    }

    boolean heap = o.heapHistogram() || o.heapDump() != null;
    if (heap) {
      // With the calls still live: a dump of live objects.
      if (o.heapDump() != null) {
        dumpHeap(Path.of(o.heapDump(), "live.hprof"));
      }
    }
    for (LoadCaller caller : callers) {
      caller.hangUp();
    }
    if (heap) {
      // The same process with no call live: everything that was per call has closed.
      FakeRealtimeAgent fake =
          raw ? rawAgent : agent instanceof Wiring.WsAgent w ? w.server() : null;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (fake != null && !fake.getConnections().isEmpty() && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      if (fake != null && !fake.getConnections().isEmpty()) {
        System.out.println(
            "warning: " + fake.getConnections().size() + " agent sessions still open after 30 s");
      }
      Thread.sleep(2000); // the server's side of the closing handshakes and the bridges' cleanup
      HeapHistogram idleHistogram = HeapHistogram.take();
      liveHistogram.printDelta(idleHistogram, o.calls(), "N calls live − none live", 40);
      idleHistogram.printDelta(
          baselineHistogram, o.calls(), "none live after the run − before the first call", 15);
      if (o.heapDump() != null) {
        dumpHeap(Path.of(o.heapDump(), "idle.hprof"));
        System.out.printf(
            Locale.ROOT,
            "%nheap dumps in %s (before.hprof, live.hprof, idle.hprof); attribute them with:"
                + " java -Xmx8g -cp <benchmarks.jar> dev.switchboard.benchmarks.HeapOwners %s %s"
                + " %d%n",
            o.heapDump(),
            Path.of(o.heapDump(), "live.hprof"),
            Path.of(o.heapDump(), "idle.hprof"),
            o.calls());
      }
    }
    callerPacer.close();
    agentPacer.close();
    if (raw) {
      rawBridge.shutdown();
      rawAgent.stop(1000);
    } else {
      backend.stop(Duration.ZERO).get(10, TimeUnit.SECONDS);
      server.close();
      agent.close();
      api.close();
    }
    return 0;
  }

  private static AgentSide inProcessAgent(
      Pacer pacer,
      LoadMetrics metrics,
      AudioFormat format,
      java.util.function.Function<String, LoadCaller> callers) {
    PacedAgentRuntime runtime = new PacedAgentRuntime(pacer, metrics, format, callers);
    return new AgentSide() {
      @Override
      public AgentRuntime runtime() {
        return runtime;
      }

      @Override
      public Set<Long> loadThreads() {
        return Set.of();
      }

      @Override
      public void close() {
        runtime.close();
      }
    };
  }

  private static long[] toArray(Set<Long> ids) {
    return ids.stream().mapToLong(Long::longValue).toArray();
  }

  private static Map<Long, Long> threadCpu(ThreadMXBean threads) {
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      long t = threads.getThreadCpuTime(id);
      if (t >= 0) {
        cpu.put(id, t);
      }
    }
    return cpu;
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  private static void dumpHeap(Path file) throws java.io.IOException {
    java.nio.file.Files.createDirectories(file.getParent());
    java.nio.file.Files.deleteIfExists(file);
    ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
        .dumpHeap(file.toString(), true);
  }
}
