package dev.switchboard.voice.twilio;

import dev.switchboard.core.resilience.RetryPolicy;
import dev.switchboard.core.webhook.WebhookRejected;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.testing.Recorder;
import dev.switchboard.testing.RecordingCallListener;
import dev.switchboard.testing.twilio.FakeTwilioApi;
import dev.switchboard.testing.twilio.Pacing;
import dev.switchboard.testing.twilio.TwilioCallSimulator;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A fake Twilio API, a real server hosting the backend's handlers, and the backend, started. */
final class Harness implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  // The fake's default token is not hex, which the backend's builder rejects as not a Twilio token.
  static final String AUTH_TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  private static final Pattern TOKEN =
      Pattern.compile("<Parameter name=\"switchboard_token\" value=\"([^\"]+)\"");

  final FakeTwilioApi api;
  final SwitchboardServer server;
  final TwilioVoiceBackend backend;
  final RecordingCallListener events = new RecordingCallListener();
  final Recorder<WebhookRejected> rejections = new Recorder<>();
  private final List<TwilioCallSimulator> simulators = new ArrayList<>();

  private Harness(
      Consumer<FakeTwilioApi.Builder> customizeApi,
      String prefix,
      List<String> dispatcherPaths,
      Consumer<TwilioVoiceBackend.Builder> customize,
      boolean start) {
    FakeTwilioApi.Builder ab = FakeTwilioApi.builder().authToken(AUTH_TOKEN);
    customizeApi.accept(ab);
    api = ab.build();
    api.start();
    AtomicReference<TwilioVoiceBackend> ref = new AtomicReference<>();
    SwitchboardServer.Builder sb =
        SwitchboardServer.builder()
            .httpAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
            .webSocketAddress(new java.net.InetSocketAddress("127.0.0.1", 0));
    List<String> paths = new ArrayList<>();
    for (String path :
        List.of("/twilio/voice", "/twilio/status", "/twilio/stream-status", "/twilio/amd")) {
      paths.add(prefix + path);
    }
    paths.addAll(dispatcherPaths);
    for (String path : paths) {
      sb.webhook(path, request -> ref.get().webhookHandler().handle(request));
    }
    sb.webSocket(
        "/twilio/media", (channel, upgrade) -> ref.get().mediaHandler().onOpen(channel, upgrade));
    server = sb.build();
    server.start();
    TwilioVoiceBackend.Builder b =
        TwilioVoiceBackend.builder()
            .accountSid(api.accountSid())
            .authToken(api.authToken())
            .defaultFrom("+14155550100")
            .publicBaseUrl(URI.create("http://127.0.0.1:" + server.httpPort() + prefix))
            .mediaUrl(URI.create("ws://127.0.0.1:" + server.webSocketPort() + "/twilio/media"))
            .allowInsecureUrls(true)
            .apiBaseUrl(api.baseUrl())
            .retryPolicy(
                RetryPolicy.builder()
                    .maxAttempts(3)
                    .initialBackoff(Duration.ofMillis(10))
                    .maxBackoff(Duration.ofMillis(50))
                    .build())
            .webhookRejectedListener(rejections);
    customize.accept(b);
    backend = b.build();
    ref.set(backend);
    backend.addListener(events);
    if (start) {
      backend.start();
    }
  }

  static Harness start() {
    return start(b -> {});
  }

  static Harness start(Consumer<TwilioVoiceBackend.Builder> customize) {
    return new Harness(a -> {}, "", List.of(), customize, true);
  }

  static Harness unstarted(Consumer<TwilioVoiceBackend.Builder> customize) {
    return new Harness(a -> {}, "", List.of(), customize, false);
  }

  /** Started, with the fake API and the backend customized. */
  static Harness start(
      Consumer<FakeTwilioApi.Builder> customizeApi,
      Consumer<TwilioVoiceBackend.Builder> customize) {
    return new Harness(customizeApi, "", List.of(), customize, true);
  }

  /** Not started, with the fake API and the backend customized. */
  static Harness unstarted(
      Consumer<FakeTwilioApi.Builder> customizeApi,
      Consumer<TwilioVoiceBackend.Builder> customize) {
    return new Harness(customizeApi, "", List.of(), customize, false);
  }

  /**
   * Started, with a public base URL of {@code http://127.0.0.1:<port><prefix>}: the webhooks are
   * mounted under the prefix, and the dispatching handler also at each of {@code alsoAt}.
   */
  static Harness withPrefix(String prefix, String... alsoAt) {
    return new Harness(a -> {}, prefix, List.of(alsoAt), b -> {}, true);
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.httpPort() + path);
  }

  URI mediaUrl() {
    return URI.create("ws://127.0.0.1:" + server.webSocketPort() + "/twilio/media");
  }

  static String token(String twiml) {
    List<String> all = tokens(twiml);
    if (all.isEmpty()) {
      throw new AssertionError("no switchboard_token in " + twiml);
    }
    return all.get(all.size() - 1);
  }

  static List<String> tokens(String twiml) {
    List<String> found = new ArrayList<>();
    Matcher m = TOKEN.matcher(twiml);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  /** A simulator for a call, with a token, manual pacing, not connected. */
  TwilioCallSimulator simulator(String callSid, String token) {
    TwilioCallSimulator.Builder b =
        TwilioCallSimulator.builder(mediaUrl())
            .accountSid(api.accountSid())
            .callSid(callSid)
            .pacing(Pacing.MANUAL);
    if (token != null) {
      b.customParameter("switchboard_token", token);
    }
    return track(b.build());
  }

  private static final Pattern PARAMETER =
      Pattern.compile("<Parameter name=\"([^\"]+)\" value=\"([^\"]*)\"");

  /** A simulator for a call carrying every {@code <Parameter>} of the TwiML, like Twilio. */
  TwilioCallSimulator simulatorFor(String callSid, String twiml) {
    TwilioCallSimulator.Builder b =
        TwilioCallSimulator.builder(mediaUrl())
            .accountSid(api.accountSid())
            .callSid(callSid)
            .pacing(Pacing.MANUAL);
    Matcher m = PARAMETER.matcher(twiml.substring(twiml.lastIndexOf("<Stream")));
    while (m.find()) {
      b.customParameter(m.group(1), unescape(m.group(2)));
    }
    return track(b.build());
  }

  private static String unescape(String xml) {
    return xml.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
  }

  TwilioCallSimulator track(TwilioCallSimulator sim) {
    synchronized (simulators) {
      simulators.add(sim);
    }
    return sim;
  }

  @Override
  public void close() {
    synchronized (simulators) {
      simulators.forEach(TwilioCallSimulator::close);
    }
    backend.stop(Duration.ZERO).join();
    server.close();
    api.close();
  }
}
