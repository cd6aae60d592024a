package dev.switchboard.testing.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.testing.twilio.TwilioCallSimulator.Cleared;
import dev.switchboard.testing.twilio.TwilioCallSimulator.Closed;
import dev.switchboard.testing.twilio.TwilioCallSimulator.ClosedBySimulator;
import dev.switchboard.testing.twilio.TwilioCallSimulator.ProtocolError;
import dev.switchboard.testing.twilio.TwilioCallSimulator.Received;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.WebSocket;
import okio.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TwilioCallSimulatorTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  // A server per test: with one shared server, a connection of the previous test whose onOpen
  // ran late would be bound to this test's endpoint and report its close here.
  private SwitchboardServer server;
  private volatile ScriptedMediaEndpoint endpoint;

  private final List<TwilioCallSimulator> simulators = new ArrayList<>();

  @BeforeEach
  void startServer() {
    endpoint = new ScriptedMediaEndpoint();
    server =
        SwitchboardServer.builder()
            .httpAddress(new InetSocketAddress("127.0.0.1", 0))
            .webSocketAddress(new InetSocketAddress("127.0.0.1", 0))
            .webSocket("/twilio/media", (channel, upgrade) -> endpoint.onOpen(channel, upgrade))
            .build();
    server.start();
  }

  @AfterEach
  void closeSimulatorsAndServer() {
    simulators.forEach(TwilioCallSimulator::close);
    server.stop(Duration.ofSeconds(1));
  }

  private URI mediaUrl() {
    return URI.create("ws://127.0.0.1:" + server.webSocketPort() + "/twilio/media");
  }

  private TwilioCallSimulator connect(TwilioCallSimulator.Builder builder) {
    TwilioCallSimulator sim = builder.build();
    simulators.add(sim);
    sim.connect();
    return sim;
  }

  private TwilioCallSimulator connectManual() {
    return connect(TwilioCallSimulator.builder(mediaUrl()).pacing(Pacing.MANUAL));
  }

  /** Distinct bytes, so a prefix of the audio can be recognised. */
  private static byte[] pattern(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 7 + seed);
    }
    return bytes;
  }

  @Test
  void connectSendsConnectedThenStartWithTwilioFieldsAndTypes() {
    TwilioCallSimulator sim =
        connect(
            TwilioCallSimulator.builder(mediaUrl())
                .pacing(Pacing.MANUAL)
                .accountSid("AC11111111111111111111111111111111")
                .callSid("CA22222222222222222222222222222222")
                .streamSid("MZ33333333333333333333333333333333")
                .customParameter("switchboard_token", "tok-123")
                .customParameter("tenant", "acme"));
    endpoint.await("start", TIMEOUT);

    List<JsonNode> first = endpoint.messages();
    assertThat(first).hasSizeGreaterThanOrEqualTo(2);
    JsonNode connected = first.get(0);
    assertThat(connected.toString())
        .isEqualTo("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}");

    JsonNode start = first.get(1);
    assertThat(start.path("event").asText()).isEqualTo("start");
    assertThat(start.path("sequenceNumber").isTextual()).isTrue();
    assertThat(start.path("sequenceNumber").asText()).isEqualTo("1");
    assertThat(start.path("streamSid").asText()).isEqualTo("MZ33333333333333333333333333333333");
    JsonNode body = start.path("start");
    assertThat(body.path("accountSid").asText()).isEqualTo("AC11111111111111111111111111111111");
    assertThat(body.path("callSid").asText()).isEqualTo("CA22222222222222222222222222222222");
    assertThat(body.path("streamSid").asText()).isEqualTo("MZ33333333333333333333333333333333");
    assertThat(body.path("tracks").toString()).isEqualTo("[\"inbound\"]");
    JsonNode format = body.path("mediaFormat");
    assertThat(format.path("encoding").asText()).isEqualTo("audio/x-mulaw");
    assertThat(format.path("sampleRate").isInt()).isTrue();
    assertThat(format.path("sampleRate").intValue()).isEqualTo(8000);
    assertThat(format.path("channels").isInt()).isTrue();
    assertThat(format.path("channels").intValue()).isEqualTo(1);
    assertThat(body.path("customParameters").toString())
        .isEqualTo("{\"switchboard_token\":\"tok-123\",\"tenant\":\"acme\"}");
    assertThat(sim.isOpen()).isTrue();
  }

  @Test
  void mediaFramesCarryStringCountersAndBase64UlawOfTheCallerAudio() {
    byte[] speech = pattern(400, 3); // 50 ms: two full frames and a padded third
    TwilioCallSimulator sim =
        connect(
            TwilioCallSimulator.builder(mediaUrl())
                .pacing(Pacing.MANUAL)
                .callerAudio(CallerAudio.ulaw(speech)));

    assertThat(sim.sendMedia(3)).isTrue();

    List<JsonNode> media = endpoint.awaitCount("media", 3, TIMEOUT);
    for (int i = 0; i < 3; i++) {
      JsonNode frame = media.get(i);
      assertThat(frame.path("sequenceNumber").isTextual()).isTrue();
      assertThat(frame.path("sequenceNumber").asText()).isEqualTo(String.valueOf(i + 2));
      assertThat(frame.path("streamSid").asText()).isEqualTo(sim.streamSid());
      assertThat(frame.path("media").path("track").asText()).isEqualTo("inbound");
      assertThat(frame.path("media").path("chunk").isTextual()).isTrue();
      assertThat(frame.path("media").path("chunk").asText()).isEqualTo(String.valueOf(i + 1));
      assertThat(frame.path("media").path("timestamp").isTextual()).isTrue();
      assertThat(frame.path("media").path("timestamp").asText()).isEqualTo(String.valueOf(i * 20));
    }
    byte[] sent = new byte[480];
    for (int i = 0; i < 3; i++) {
      byte[] payload =
          Base64.getDecoder().decode(media.get(i).path("media").path("payload").asText());
      assertThat(payload).hasSize(160);
      System.arraycopy(payload, 0, sent, i * 160, 160);
    }
    assertThat(Arrays.copyOf(sent, 400)).isEqualTo(speech);
    assertThat(Arrays.copyOfRange(sent, 400, 480)).containsOnly((byte) 0xFF);
    assertThat(sim.mediaFramesSent()).isEqualTo(3);
  }

  @Test
  void signHandshakeSendsTheSignatureTwilioWouldComputeAlongWithExtraHeaders() throws Exception {
    String authToken = "test-auth-token";
    connect(
        TwilioCallSimulator.builder(mediaUrl())
            .pacing(Pacing.MANUAL)
            .header("X-Test", "yes")
            .signHandshake(authToken));

    var upgrade = endpoint.upgrade.get(5, TimeUnit.SECONDS);
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    String expected =
        Base64.getEncoder()
            .encodeToString(mac.doFinal(mediaUrl().toString().getBytes(StandardCharsets.UTF_8)));
    assertThat(upgrade.header("X-Twilio-Signature")).contains(expected);
    assertThat(upgrade.url()).isEqualTo(mediaUrl()); // what the endpoint would verify against
    assertThat(upgrade.header("X-Test")).contains("yes");
  }

  @Test
  void signatureMatchesTwilioPublishedTestVector() {
    assertThat(
            TwilioSignatures.signSingle(
                "12345", "https://mycompany.com/myapp.php?foo=1&bar=2", Map.of()))
        .isEqualTo("zYQTYrRWXE7LtzbG4PfP7/bkkGo=");
  }

  @Test
  void realtimePacingKeepsSendingFramesWithConsecutiveChunks() {
    TwilioCallSimulator sim = connect(TwilioCallSimulator.builder(mediaUrl()));

    List<JsonNode> media = endpoint.awaitCount("media", 10, TIMEOUT);

    for (int i = 0; i < 10; i++) {
      assertThat(media.get(i).path("media").path("chunk").asText())
          .isEqualTo(String.valueOf(i + 1));
    }
    assertThat(sim.mediaFramesSent()).isGreaterThanOrEqualTo(10);
  }

  @Test
  void acceleratedPacingSendsFiveSecondsOfAudioInUnderFourSeconds() {
    connect(TwilioCallSimulator.builder(mediaUrl()).pacing(Pacing.accelerated(20)));

    List<JsonNode> media = endpoint.awaitCount("media", 250, Duration.ofSeconds(4));

    assertThat(media.get(249).path("media").path("timestamp").asText()).isEqualTo("4980");
  }

  @Test
  void manualPacingSendsFramesOnlyOnDemand() {
    TwilioCallSimulator sim = connectManual();
    sim.sendMedia(2);
    sim.sendDtmf("1"); // a barrier: everything sent before it has arrived when it arrives

    endpoint.await("dtmf", TIMEOUT);

    assertThat(endpoint.messages())
        .extracting(m -> m.path("event").asText())
        .containsExactly("connected", "start", "media", "media", "dtmf");
  }

  @Test
  void markAfterAudioIsEchoedOnlyOnceThatAudioHasPlayed() {
    TwilioCallSimulator sim = connectManual();
    endpoint.await("start", TIMEOUT);
    byte[] audio = pattern(1600, 1); // 200 ms

    Instant sentAt = Instant.now();
    endpoint.sendMedia(sim.streamSid(), audio);
    endpoint.sendMark(sim.streamSid(), "m1");

    MarkEcho echo = sim.awaitMark("m1", TIMEOUT);
    assertThat(echo.cleared()).isFalse();
    assertThat(Duration.between(sentAt, echo.at())).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    assertThat(sim.heard()).isEqualTo(audio);
    assertThat(sim.heardDuration()).isEqualTo(Duration.ofMillis(200));

    JsonNode wire = endpoint.await("mark", TIMEOUT);
    assertThat(wire.path("streamSid").asText()).isEqualTo(sim.streamSid());
    assertThat(wire.path("sequenceNumber").isTextual()).isTrue();
    assertThat(wire.path("mark").path("name").asText()).isEqualTo("m1");
  }

  @Test
  void markWithNothingBufferedIsEchoedAtOnce() {
    TwilioCallSimulator sim = connectManual();
    endpoint.await("start", TIMEOUT);

    endpoint.sendMark(sim.streamSid(), "idle");
    endpoint.sendMedia(sim.streamSid(), pattern(80_000, 0)); // 10 s, far beyond the wait below
    endpoint.sendMark(sim.streamSid(), "after-10s");

    MarkEcho echo = sim.awaitMark("idle", Duration.ofSeconds(2));
    assertThat(echo.cleared()).isFalse();
    assertThat(sim.marks()).extracting(MarkEcho::name).containsExactly("idle");
  }

  @Test
  void awaitHeardWaitsForPlaybackAtRealTime() {
    TwilioCallSimulator sim = connectManual();
    endpoint.await("start", TIMEOUT);
    byte[] audio = pattern(2400, 5); // 300 ms in two chunks
    endpoint.sendMedia(sim.streamSid(), Arrays.copyOf(audio, 1000));
    endpoint.sendMedia(sim.streamSid(), Arrays.copyOfRange(audio, 1000, 2400));

    byte[] heard = sim.awaitHeard(Duration.ofMillis(250), TIMEOUT);

    assertThat(heard.length).isGreaterThanOrEqualTo(2000);
    assertThat(heard).isEqualTo(Arrays.copyOf(audio, heard.length));
    sim.awaitHeard(Duration.ofMillis(300), TIMEOUT);
    assertThat(sim.heard()).isEqualTo(audio);
  }

  @Test
  void clearDropsUnplayedAudioAndEchoesPendingMarksAsCleared() {
    TwilioCallSimulator sim = connectManual();
    endpoint.await("start", TIMEOUT);
    byte[] first = pattern(80_000, 9); // 10 s
    byte[] second = pattern(8_000, 4); // 1 s
    endpoint.sendMedia(sim.streamSid(), first);
    endpoint.sendMark(sim.streamSid(), "a");
    endpoint.sendMedia(sim.streamSid(), second);
    endpoint.sendMark(sim.streamSid(), "b");
    sim.awaitHeard(Duration.ofMillis(100), TIMEOUT);

    endpoint.sendClear(sim.streamSid());

    assertThat(sim.awaitMark("a", TIMEOUT).cleared()).isTrue();
    assertThat(sim.awaitMark("b", TIMEOUT).cleared()).isTrue();
    Cleared cleared = sim.awaitEvent(Cleared.class, c -> true, TIMEOUT);
    assertThat(cleared.marks()).containsExactly("a", "b");
    byte[] heard = sim.heard();
    assertThat(heard.length).isBetween(800, first.length - 1);
    assertThat(heard).isEqualTo(Arrays.copyOf(first, heard.length));
    assertThat(heard.length + cleared.droppedBytes()).isEqualTo(first.length + second.length);
    assertThat(sim.clearsReceived()).isEqualTo(1);

    endpoint.sendMark(sim.streamSid(), "after-clear"); // nothing buffered any more: echoed at once
    assertThat(sim.awaitMark("after-clear", TIMEOUT).cleared()).isFalse();
    assertThat(sim.heard()).isEqualTo(heard);
    assertThat(endpoint.awaitCount("mark", 3, TIMEOUT))
        .extracting(m -> m.path("mark").path("name").asText())
        .containsExactly("a", "b", "after-clear");
  }

  @Test
  void dtmfAndStopLookLikeTwilioAndSequenceNumbersCountEveryMessage() {
    TwilioCallSimulator sim = connectManual();
    sim.sendMedia(1);
    sim.sendDtmf("5#");

    sim.stop();

    ScriptedMediaEndpoint.Close close = endpoint.awaitClosed(TIMEOUT);
    assertThat(close.code()).isEqualTo(1000);
    List<JsonNode> messages = endpoint.messages();
    assertThat(messages)
        .extracting(m -> m.path("event").asText())
        .containsExactly("connected", "start", "media", "dtmf", "dtmf", "stop");
    JsonNode dtmf = messages.get(3);
    assertThat(dtmf.path("streamSid").asText()).isEqualTo(sim.streamSid());
    assertThat(dtmf.path("dtmf").path("track").asText()).isEqualTo("inbound_track");
    assertThat(dtmf.path("dtmf").path("digit").asText()).isEqualTo("5");
    assertThat(messages.get(4).path("dtmf").path("digit").asText()).isEqualTo("#");
    JsonNode stop = messages.get(5);
    assertThat(stop.path("streamSid").asText()).isEqualTo(sim.streamSid());
    assertThat(stop.path("stop").path("accountSid").asText()).isEqualTo(sim.accountSid());
    assertThat(stop.path("stop").path("callSid").asText()).isEqualTo(sim.callSid());
    assertThat(messages.subList(1, 6))
        .extracting(m -> m.path("sequenceNumber").asText())
        .containsExactly("1", "2", "3", "4", "5");
    assertThat(sim.isOpen()).isFalse();
    assertThat(sim.events(ClosedBySimulator.class)).hasSize(1);
  }

  @Test
  void closeEndsTheCallWithoutStopAndIsIdempotent() {
    TwilioCallSimulator sim = connectManual();

    sim.close();
    sim.close();
    sim.stop();

    assertThat(endpoint.awaitClosed(TIMEOUT).code()).isEqualTo(1000);
    assertThat(endpoint.messages())
        .extracting(m -> m.path("event").asText())
        .containsExactly("connected", "start");
    assertThat(sim.isOpen()).isFalse();
    assertThat(sim.sendDtmf("1")).isFalse();
    assertThatThrownBy(() -> sim.awaitClosedByServer(TIMEOUT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("simulator ended the call itself");
  }

  @Test
  void serverCloseIsObservedWithItsCodeAndReason() {
    TwilioCallSimulator sim = connectManual();
    endpoint.await("start", TIMEOUT);

    endpoint.channel().close(4000, "agent hung up");

    Closed closed = sim.awaitClosedByServer(TIMEOUT);
    assertThat(closed.code()).isEqualTo(4000);
    assertThat(closed.reason()).isEqualTo("agent hung up");
    assertThat(sim.isOpen()).isFalse();
    assertThat(sim.sendMedia(1)).isFalse();
    assertThatThrownBy(() -> sim.awaitMark("never", TIMEOUT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("call ended");
  }

  @Test
  void binaryFromTheSimulatorIsRefusedByTheSwitchboardServer() {
    TwilioCallSimulator sim = connectManual();
    endpoint.await("start", TIMEOUT);

    sim.sendBinary(new byte[] {1, 2, 3});

    assertThat(sim.awaitClosedByServer(TIMEOUT).code()).isEqualTo(1003);
  }

  @Test
  void sendRawSendsTextAsIsWithoutSequenceNumber() {
    TwilioCallSimulator sim = connectManual();

    sim.sendRaw("not json at all");
    sim.sendDtmf("2");

    endpoint.await("dtmf", TIMEOUT);
    assertThat(endpoint.frames.all()).contains("not json at all");
    assertThat(endpoint.await("dtmf", TIMEOUT).path("sequenceNumber").asText()).isEqualTo("2");
    assertThat(sim.events(TwilioCallSimulator.Sent.class))
        .extracting(TwilioCallSimulator.Sent::json)
        .contains("not json at all");
  }

  @Test
  void badTextFramesFromTheServerAreRecordedAsProtocolErrorsNotFatal() {
    TwilioCallSimulator sim = connectManual();
    endpoint.await("start", TIMEOUT);
    String sid = sim.streamSid();

    endpoint.send("{not json");
    endpoint.send("[1,2]");
    endpoint.send("{\"streamSid\":\"" + sid + "\"}");
    endpoint.send("{\"event\":\"hello\",\"streamSid\":\"" + sid + "\"}");
    endpoint.send("{\"event\":\"media\",\"media\":{\"payload\":\"/w==\"}}");
    endpoint.send(
        "{\"event\":\"media\",\"streamSid\":\"" + sid + "\",\"media\":{\"payload\":\"*bad*\"}}");
    endpoint.send(
        "{\"event\":\"media\",\"streamSid\":\"MZother\",\"media\":{\"payload\":\"/w==\"}}");
    endpoint.send("{\"event\":\"mark\",\"streamSid\":\"" + sid + "\",\"mark\":{}}");
    endpoint.sendMark(sid, "still-alive");

    sim.awaitMark("still-alive", TIMEOUT);
    assertThat(sim.protocolErrors())
        .extracting(ProtocolError::problem)
        .satisfiesExactly(
            p -> assertThat(p).startsWith("malformed JSON"),
            p -> assertThat(p).startsWith("not a JSON object"),
            p -> assertThat(p).startsWith("no \"event\" string"),
            p -> assertThat(p).startsWith("unknown event \"hello\""),
            p -> assertThat(p).startsWith("media without a \"streamSid\""),
            p -> assertThat(p).startsWith("media.payload is not valid base64"),
            p -> assertThat(p).contains("\"MZother\""),
            p -> assertThat(p).startsWith("mark without a \"mark.name\""));
    assertThat(sim.events(Received.class)).hasSize(9);
    assertThat(sim.heard()).isEmpty();
    assertThat(sim.isOpen()).isTrue();
  }

  @Test
  void binaryFrameFromTheServerIsRecordedNotFatal() throws Exception {
    try (MockWebServer mock = new MockWebServer()) {
      mock.enqueue(
          new MockResponse.Builder()
              .webSocketUpgrade(
                  new okhttp3.WebSocketListener() {
                    @Override
                    public void onMessage(WebSocket ws, String text) {
                      JsonNode message = ScriptedMediaEndpoint.parse(text);
                      if (message.path("event").asText().equals("start")) {
                        String sid = message.path("streamSid").asText();
                        ws.send(ByteString.of((byte) 1, (byte) 2, (byte) 3));
                        ws.send(
                            "{\"event\":\"mark\",\"streamSid\":\""
                                + sid
                                + "\",\"mark\":{\"name\":\"after-binary\"}}");
                      }
                    }

                    @Override
                    public void onClosing(WebSocket ws, int code, String reason) {
                      ws.close(1000, null);
                    }
                  })
              .build());
      mock.start(InetAddress.getByName("127.0.0.1"), 0);
      URI url = URI.create("ws://127.0.0.1:" + mock.getPort() + "/twilio/media");
      TwilioCallSimulator sim = connect(TwilioCallSimulator.builder(url).pacing(Pacing.MANUAL));

      sim.awaitMark("after-binary", TIMEOUT);

      assertThat(sim.events(TwilioCallSimulator.ReceivedBinary.class))
          .singleElement()
          .satisfies(b -> assertThat(b.bytes().remaining()).isEqualTo(3));
      assertThat(sim.protocolErrors())
          .singleElement()
          .satisfies(e -> assertThat(e.problem()).contains("binary frame of 3 bytes"));
      assertThat(sim.isOpen()).isTrue();
      sim.close();
    }
  }

  @Test
  void failedHandshakeThrowsWithTheHttpStatus() throws Exception {
    try (MockWebServer mock = new MockWebServer()) {
      mock.enqueue(new MockResponse.Builder().code(403).body("bad signature").build());
      mock.start(InetAddress.getByName("127.0.0.1"), 0);
      TwilioCallSimulator sim =
          TwilioCallSimulator.builder(URI.create("ws://127.0.0.1:" + mock.getPort() + "/media"))
              .build();
      simulators.add(sim);

      assertThatThrownBy(sim::connect)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("HTTP 403")
          .hasMessageContaining("/media");
      assertThat(sim.isOpen()).isFalse();
      assertThatThrownBy(sim::connect).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void upgradeToAPathWithoutHandlerFailsWithAClearMessage() {
    TwilioCallSimulator sim =
        TwilioCallSimulator.builder(
                URI.create("ws://127.0.0.1:" + server.webSocketPort() + "/nothing-here"))
            .build();
    simulators.add(sim);

    assertThatThrownBy(sim::connect)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("HTTP ");
  }

  @Test
  void aRefusedUpgradeDoesNotSpoilTheNextCall() {
    for (int i = 0; i < 3; i++) {
      endpoint = new ScriptedMediaEndpoint();
      TwilioCallSimulator refused =
          TwilioCallSimulator.builder(
                  URI.create("ws://127.0.0.1:" + server.webSocketPort() + "/nothing-here"))
              .build();
      simulators.add(refused);
      assertThatThrownBy(refused::connect).hasMessageContaining("HTTP 404");

      TwilioCallSimulator sim = connectManual();

      endpoint.await("start", TIMEOUT);
      sim.close();
      assertThat(endpoint.awaitClosed(TIMEOUT).code()).isEqualTo(1000);
    }
  }

  @Test
  void theCallEndingFreezesWhatWasHeard() throws Exception {
    TwilioCallSimulator sim = connectManual();
    endpoint.await("start", TIMEOUT);
    endpoint.sendMedia(sim.streamSid(), pattern(80_000, 2)); // 10 s
    sim.awaitHeard(Duration.ofMillis(50), TIMEOUT);

    sim.close();

    byte[] heard = sim.heard();
    assertThat(heard.length).isBetween(400, 80_000 - 1);
    assertThatThrownBy(() -> sim.awaitHeard(Duration.ofSeconds(10), TIMEOUT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("the call ended");
    assertThat(sim.heard()).isEqualTo(heard);
  }

  @Test
  void methodsThatSendNeedAConnection() {
    TwilioCallSimulator sim = TwilioCallSimulator.builder(mediaUrl()).build();
    simulators.add(sim);

    assertThatThrownBy(() -> sim.sendDtmf("1"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("connect()");
    assertThatThrownBy(() -> sim.sendMedia(1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> sim.sendDtmf("x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void builderFillsTwilioShapedDefaultsAndRejectsBadSettings() {
    TwilioCallSimulator a = TwilioCallSimulator.builder(mediaUrl()).build();
    TwilioCallSimulator b = TwilioCallSimulator.builder(mediaUrl()).build();

    assertThat(a.accountSid()).isEqualTo(TwilioCallSimulator.DEFAULT_ACCOUNT_SID);
    assertThat(a.accountSid()).matches("AC[0-9a-f]{32}");
    assertThat(a.callSid()).matches("CA[0-9a-f]{32}").isNotEqualTo(b.callSid());
    assertThat(a.streamSid()).matches("MZ[0-9a-f]{32}").isNotEqualTo(b.streamSid());
    assertThatThrownBy(() -> TwilioCallSimulator.builder(URI.create("http://x/media")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mediaUrl");
    assertThatThrownBy(() -> TwilioCallSimulator.builder(mediaUrl()).callSid(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callSid");
    assertThatThrownBy(
            () ->
                TwilioCallSimulator.builder(mediaUrl())
                    .header("X-Twilio-Signature", "x")
                    .signHandshake("token")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("signHandshake");
    assertThatThrownBy(
            () -> TwilioCallSimulator.builder(mediaUrl()).connectTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connectTimeout");
  }

  @Test
  void eventsRecordWhatWasSentAndReceivedInOrder() {
    TwilioCallSimulator sim = connectManual();
    endpoint.await("start", TIMEOUT);
    endpoint.sendMark(sim.streamSid(), "x");
    sim.awaitMark("x", TIMEOUT);

    List<TwilioCallSimulator.Event> events = sim.events();

    assertThat(events)
        .extracting(e -> e.getClass().getSimpleName())
        .containsExactly("Sent", "Sent", "Received", "Sent", "MarkEcho");
    assertThat(events).extracting(TwilioCallSimulator.Event::at).isSorted();
  }
}
