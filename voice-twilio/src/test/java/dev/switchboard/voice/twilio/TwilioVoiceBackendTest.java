package dev.switchboard.voice.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.ConnectionState;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.ProviderException;
import dev.switchboard.core.spi.ProviderConfig;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallRequest;
import dev.switchboard.core.voice.CallState;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.core.voice.TransferTarget;
import dev.switchboard.testing.RecordingMediaListener;
import dev.switchboard.testing.twilio.FakeCall;
import dev.switchboard.testing.twilio.FakeTwilioApi;
import dev.switchboard.testing.twilio.MarkEcho;
import dev.switchboard.testing.twilio.TwilioCallSimulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TwilioVoiceBackendTest {
  private static final Duration T = Harness.TIMEOUT;
  private Harness h;

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
  }

  private Call place(CallRequest request) {
    return h.backend.placeCall(request).join();
  }

  /** Places a call, answers it and connects a simulator with the call's token. */
  private Connected connect(CallRequest request) {
    Call call = place(request);
    String twiml = h.api.call(call.id()).lastTwiml().orElseThrow();
    h.api.sendStatusCallback(call.id(), "in-progress");
    h.events.awaitState(call.id(), CallState.IN_PROGRESS);
    TwilioCallSimulator sim = h.simulatorFor(call.id(), twiml);
    RecordingMediaListener media = new RecordingMediaListener();
    sim.connect();
    CallEvent.StreamStarted started =
        h.events.await(CallEvent.StreamStarted.class, e -> e.callId().equals(call.id()));
    MediaStream stream = call.mediaStream().orElseThrow();
    assertThat(stream.id()).isEqualTo(started.streamId());
    stream.setListener(media);
    return new Connected(call, sim, stream, media);
  }

  private record Connected(
      Call call, TwilioCallSimulator sim, MediaStream stream, RecordingMediaListener media) {}

  private static AudioChunk tone(int bytes) {
    byte[] b = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      b[i] = (byte) (i % 7 == 0 ? 0x10 : 0x90 + i % 5);
    }
    return AudioChunk.of(AudioFormat.PCMU_8K, b);
  }

  @Test
  void anOutboundCallRunsEndToEnd() {
    h = Harness.start();
    Call call =
        place(
            CallRequest.builder("+14155550123")
                .parameter("agent", "support")
                .timeout(Duration.ofSeconds(30))
                .timeLimit(Duration.ofMinutes(10))
                .record(true)
                .build());

    FakeCall fake = h.api.call(call.id());
    assertThat(fake.to()).isEqualTo("+14155550123");
    assertThat(fake.from()).isEqualTo("+14155550100");
    assertThat(fake.statusCallback()).contains(h.url("/twilio/status").toString());
    assertThat(fake.statusCallbackEvents())
        .containsExactly("initiated", "ringing", "answered", "completed");
    assertThat(fake.param("Timeout")).contains("30");
    assertThat(fake.param("TimeLimit")).contains("600");
    assertThat(fake.param("Record")).contains("true");
    String twiml = fake.lastTwiml().orElseThrow();
    assertThat(twiml)
        .contains("<Connect><Stream")
        .contains("url=\"" + h.mediaUrl() + "\"")
        .contains("statusCallback=\"" + h.url("/twilio/stream-status") + "\"")
        .contains("<Parameter name=\"agent\" value=\"support\"/>");
    h.events.awaitState(call.id(), CallState.QUEUED);

    h.api.sendStatusCallback(call.id(), "ringing");
    h.events.awaitState(call.id(), CallState.RINGING);
    h.api.sendStatusCallback(call.id(), "in-progress");
    h.events.awaitState(call.id(), CallState.IN_PROGRESS);
    // Out of order: a late "ringing" does not move the call back.
    h.api.sendStatusCallback(call.id(), "ringing");
    assertThat(call.state()).isEqualTo(CallState.IN_PROGRESS);

    TwilioCallSimulator sim = h.simulatorFor(call.id(), twiml);
    sim.connect();
    h.events.await(CallEvent.StreamStarted.class, e -> e.callId().equals(call.id()));
    MediaStream stream = call.mediaStream().orElseThrow();
    assertThat(stream.parameters()).containsExactly(Map.entry("agent", "support"));
    RecordingMediaListener media = new RecordingMediaListener();
    stream.setListener(media);

    sim.sendMedia(5);
    media.awaitAudioBytes(800, T);

    assertThat(stream.sendAudio(tone(800))).isTrue();
    assertThat(stream.sendMark("m1")).isTrue();
    media.awaitMark("m1");
    assertThat(sim.heard().length).isGreaterThanOrEqualTo(800); // echoed only after playback
    assertThat(sim.marks()).extracting(MarkEcho::cleared).containsExactly(false);

    sim.sendDtmf("7");
    media.awaitDtmf("7");
    h.events.await(CallEvent.DtmfReceived.class, e -> e.digit().equals("7"));

    h.api.sendStatusCallback(call.id(), "completed");
    h.events.awaitState(call.id(), CallState.COMPLETED);
    assertThat(media.awaitClosed().code()).isEqualTo(CloseReason.Code.CALL_ENDED);
    h.events.await(CallEvent.StreamStopped.class, e -> e.callId().equals(call.id()));
    assertThat(h.backend.calls()).isEmpty();
    assertThat(h.backend.activeCallCount()).isZero();
    assertThat(h.backend.call(call.id())).isPresent();
    assertThat(call.answeredAt()).isPresent();
    assertThat(call.endedAt()).isPresent();
    assertThat(media.closeCount()).isEqualTo(1);
    // the late "ringing" was ignored: one RINGING event only
    assertThat(
            h.events.all(CallEvent.StateChanged.class).stream()
                .filter(e -> e.current() == CallState.RINGING))
        .hasSize(1);
  }

  @Test
  void stopFromTwilioClosesTheStreamOnce() {
    h = Harness.start();
    Connected c = connect(CallRequest.builder("+14155550123").build());
    c.sim().stop();
    CloseReason reason = c.media().awaitClosed();
    assertThat(reason.code()).isEqualTo(CloseReason.Code.CALL_ENDED);
    h.events.await(CallEvent.StreamStopped.class, e -> e.callId().equals(c.call().id()));
    assertThat(c.media().closeCount()).isEqualTo(1);
    assertThat(c.stream().isOpen()).isFalse();
    assertThat(c.stream().sendAudio(tone(160))).isFalse();
  }

  @Test
  void clearDropsBufferedAudio() {
    h = Harness.start();
    Connected c = connect(CallRequest.builder("+14155550123").build());
    c.stream().sendAudio(tone(16_000)); // 2 s
    c.stream().sendMark("end");
    c.sim().awaitHeard(Duration.ofMillis(100), T);
    assertThat(c.stream().clear()).isTrue();
    MarkEcho echo = c.sim().awaitMark("end", T);
    assertThat(echo.cleared()).isTrue();
    c.media().awaitMark("end");
    assertThat(c.sim().clearsReceived()).isEqualTo(1);
    assertThat(c.sim().heard().length).isLessThan(16_000);
  }

  @Test
  void anInboundCallIsRoutedAndStreams() {
    h =
        Harness.start(
            b ->
                b.router(
                    call ->
                        switch (call.from()) {
                          case "+15550000001" -> InboundDecision.reject();
                          case "+15550000002" -> InboundDecision.say("We are closed & away.");
                          default -> InboundDecision.accept(Map.of("caller", call.from()));
                        }));
    FakeTwilioApi.InboundCall inbound =
        h.api.placeInboundCall(h.url("/twilio/voice"), "+15559990000", "+14155550100");
    assertThat(inbound.response().status()).isEqualTo(200);
    String twiml = inbound.response().body();
    assertThat(twiml).contains("<Connect><Stream").contains("value=\"+15559990000\"");
    h.events.awaitState(inbound.callSid(), CallState.RINGING);
    Call call = h.backend.call(inbound.callSid()).orElseThrow();
    assertThat(call.direction()).isEqualTo(dev.switchboard.core.voice.CallDirection.INBOUND);
    assertThat(call.parameters()).containsEntry("caller", "+15559990000");

    TwilioCallSimulator sim = h.simulatorFor(inbound.callSid(), twiml);
    sim.connect();
    h.events.await(CallEvent.StreamStarted.class, e -> e.callId().equals(inbound.callSid()));
    RecordingMediaListener media = new RecordingMediaListener();
    call.mediaStream().orElseThrow().setListener(media);
    sim.sendMedia(3);
    media.awaitAudioBytes(480, T);

    FakeTwilioApi.InboundCall rejected =
        h.api.placeInboundCall(h.url("/twilio/voice"), "+15550000001", "+14155550100");
    assertThat(rejected.response().body()).contains("<Reject");
    h.events.awaitState(rejected.callSid(), CallState.NO_ANSWER);

    FakeTwilioApi.InboundCall said =
        h.api.placeInboundCall(h.url("/twilio/voice"), "+15550000002", "+14155550100");
    assertThat(said.response().body())
        .contains("<Say>We are closed &amp; away.</Say>")
        .contains("<Hangup/>");
    assertThat(h.backend.activeCallCount()).isEqualTo(1);
  }

  @Test
  void hangUpIsIdempotent() {
    h = Harness.start();
    Call call = place(CallRequest.builder("+14155550123").build());
    call.hangUp().join();
    call.hangUp().join();
    h.backend.hangUp(call.id()).join();
    h.events.awaitState(call.id(), CallState.COMPLETED);
    assertThat(h.api.call(call.id()).status()).isEqualTo("completed");
    long updates =
        h.api.requests().stream()
            .filter(r -> r.method().equals("POST") && r.path().contains(call.id()))
            .count();
    assertThat(updates).isEqualTo(1);
  }

  @Test
  void hangingUpACallTwilioHasEndedSucceeds() {
    h = Harness.start();
    Call call = place(CallRequest.builder("+14155550123").build());
    h.api.setCallStatus(call.id(), "completed"); // ended without our hearing of it
    call.hangUp().join(); // Twilio answers 404/20404
    assertThat(call.state()).isEqualTo(CallState.COMPLETED);
  }

  @Test
  void transferRedirectsToDial() {
    h = Harness.start();
    Call call = place(CallRequest.builder("+14155550123").build());
    call.transfer(TransferTarget.phoneNumber("+14155550199")).join();
    assertThat(h.api.call(call.id()).lastTwiml().orElseThrow())
        .contains("<Dial><Number>+14155550199</Number></Dial>");
    call.transfer(TransferTarget.sip("sip:support@pbx.example.com")).join();
    assertThat(h.api.call(call.id()).lastTwiml().orElseThrow())
        .contains("<Dial><Sip>sip:support@pbx.example.com</Sip></Dial>");
  }

  @Test
  void dtmfContinuesOnANewStreamOfTheSameCall() {
    h = Harness.start();
    Connected c = connect(CallRequest.builder("+14155550123").parameter("agent", "a").build());
    assertThatThrownBy(() -> c.call().sendDtmf("12x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("12x");
    c.call().sendDtmf("12w#").join();
    String twiml = h.api.call(c.call().id()).lastTwiml().orElseThrow();
    assertThat(twiml).contains("<Play digits=\"12w#\"/>").contains("<Connect><Stream");
    c.sim().stop(); // Twilio ends the old stream when the call is redirected
    assertThat(c.media().awaitClosed().code()).isEqualTo(CloseReason.Code.REMOTE);

    TwilioCallSimulator sim2 = h.simulatorFor(c.call().id(), twiml);
    sim2.connect();
    h.events.await(
        CallEvent.StreamStarted.class,
        e -> e.callId().equals(c.call().id()) && !e.streamId().equals(c.stream().id()));
    MediaStream next = h.backend.call(c.call().id()).orElseThrow().mediaStream().orElseThrow();
    assertThat(next.id()).isNotEqualTo(c.stream().id());
    assertThat(h.backend.call(c.call().id()).orElseThrow()).isSameAs(c.call());
    assertThat(next.parameters()).containsEntry("agent", "a");
    RecordingMediaListener media2 = new RecordingMediaListener();
    next.setListener(media2);
    sim2.sendMedia(2);
    media2.awaitAudioBytes(320, T);
    assertThat(c.call().state()).isEqualTo(CallState.IN_PROGRESS);
  }

  @Test
  void answeringMachineDetectionIsReportedAsAnEvent() {
    h = Harness.start();
    Call call = place(CallRequest.builder("+14155550123").answeringMachineDetection(true).build());
    FakeCall fake = h.api.call(call.id());
    assertThat(fake.machineDetection()).contains("Enable");
    assertThat(fake.asyncAmd()).isTrue();
    assertThat(fake.asyncAmdStatusCallback()).contains(h.url("/twilio/amd").toString());
    assertThat(h.api.sendAmdResult(call.id(), "machine_end_beep").status()).isEqualTo(204);
    h.events.await(CallEvent.MachineDetected.class, e -> e.answeredBy().equals("machine_end_beep"));
  }

  @Test
  void forgedAndUnsignedWebhooksAreRefused() throws Exception {
    h = Harness.start();
    Call call = place(CallRequest.builder("+14155550123").build());
    assertThat(h.api.sendForgedStatusCallback(call.id(), "completed").status()).isEqualTo(403);
    assertThat(call.state()).isEqualTo(CallState.QUEUED);
    h.rejections.await(
        dev.switchboard.core.webhook.WebhookRejected.class,
        r -> r.reason().contains("does not match"));

    HttpResponse<String> unsigned =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(h.url("/twilio/voice"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("CallSid=CA1&From=%2B1&To=%2B2"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(unsigned.statusCode()).isEqualTo(403);
    assertThat(h.backend.call("CA1")).isEmpty();
    h.rejections.await(
        dev.switchboard.core.webhook.WebhookRejected.class, r -> r.reason().contains("missing"));
  }

  @Test
  void aCreateWhoseConnectionDropsIsNeverSentTwice() {
    h = Harness.start();
    h.api.failNext("POST", h.api.callsPath(), FakeTwilioApi.Fault.disconnectAfterRequest());
    assertThatThrownBy(() -> place(CallRequest.builder("+14155550123").build()))
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(ProviderException.class);
    assertThat(h.api.callCount()).isEqualTo(1);
  }

  @Test
  void rateLimitingIsReportedWithRetryAfterAndDegradesHealth() {
    h = Harness.start();
    h.api.failNext(
        "POST",
        h.api.callsPath(),
        FakeTwilioApi.Fault.status(429).retryAfter(Duration.ofSeconds(2)));
    Throwable failure =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> place(CallRequest.builder("+14155550123").build()));
    assertThat(failure.getCause()).isInstanceOf(ProviderException.class);
    ProviderException p = (ProviderException) failure.getCause();
    assertThat(p.httpStatus()).isEqualTo(429);
    assertThat(p.retryAfter()).contains(Duration.ofSeconds(2));
    assertThat(p.provider()).isEqualTo("twilio");
    assertThat(h.api.callCount()).isZero();
    assertThat(h.backend.health().state()).isEqualTo(HealthStatus.State.DEGRADED);
    assertThat(h.backend.health().checks())
        .anyMatch(c -> c.name().equals("rate-limit") && c.state() == HealthStatus.State.DEGRADED);
  }

  @Test
  void rejectedCredentialsFailStart() {
    h = Harness.unstarted(b -> b.authToken("ffffeeeeddddccccbbbbaaaa99998888"));
    assertThatThrownBy(() -> h.backend.start())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("credentials")
        .hasMessageNotContaining("ffffeeeeddddccccbbbbaaaa99998888");
    assertThat(h.backend.health().state()).isEqualTo(HealthStatus.State.UNHEALTHY);
  }

  @Test
  void healthIsHealthyAfterStart() {
    h = Harness.start();
    assertThat(h.backend.health().state()).isEqualTo(HealthStatus.State.HEALTHY);
    assertThat(h.backend.health().checks())
        .extracting(HealthStatus.Check::name)
        .contains("credentials", "rate-limit", "twilio");
  }

  @Test
  void stopHangsUpLiveCallsAfterTheGrace() {
    h = Harness.start();
    Call call = place(CallRequest.builder("+14155550123").build());
    h.backend.stop(Duration.ofMillis(50)).join();
    assertThat(h.api.call(call.id()).status()).isEqualTo("completed");
    assertThat(call.state()).isEqualTo(CallState.COMPLETED); // stop waited for the hang-up
    assertThat(h.api.requests())
        .filteredOn(r -> r.method().equals("POST") && r.path().equals(h.api.callPath(call.id())))
        .hasSize(1)
        .allSatisfy(r -> assertThat(r.param("Status")).contains("completed"));
    assertThatThrownBy(() -> h.backend.placeCall(CallRequest.builder("+14155550123").build()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void stopEndsEveryThreadTheBackendStarted() throws InterruptedException {
    java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
    h = Harness.start();
    Call call = place(CallRequest.builder("+14155550123").build());
    h.api.sendStatusCallback(call.id(), "in-progress");
    h.events.awaitState(call.id(), CallState.IN_PROGRESS);
    h.backend.hangUp(call.id()).join();

    h.backend.stop(Duration.ZERO).join();

    java.util.List<Thread> ours =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> !before.contains(t) && t.getName().startsWith("switchboard-twilio-"))
            .toList();
    for (Thread t : ours) {
      t.join(T.toMillis()); // a pool thread ends once its last task is done
    }
    assertThat(ours).as("threads started by the backend").noneMatch(Thread::isAlive);
    assertThat(h.backend.hangUp(call.id())).succeedsWithin(T); // already ended: not an error
  }

  @Test
  void stopLetsACallThatEndsWithinTheGraceFinishWithoutAHangUp() {
    h = Harness.start();
    Call call = place(CallRequest.builder("+14155550123").build());
    h.api.sendStatusCallback(call.id(), "in-progress");
    h.events.awaitState(call.id(), CallState.IN_PROGRESS);

    CompletableFuture<Void> stopped = h.backend.stop(Duration.ofMinutes(1));
    assertThat(h.backend.connectionState()).isEqualTo(ConnectionState.STOPPING);
    assertThat(stopped).isNotDone();
    assertThat(h.api.sendStatusCallback(call.id(), "completed").status()).isEqualTo(204);

    assertThat(stopped).succeedsWithin(T); // long before the minute is up
    assertThat(h.backend.connectionState()).isEqualTo(ConnectionState.STOPPED);
    assertThat(call.state()).isEqualTo(CallState.COMPLETED);
    assertThat(h.api.requests())
        .noneMatch(r -> r.method().equals("POST") && r.path().equals(h.api.callPath(call.id())));
  }

  @Test
  void aReconfiguredDefaultFromIsUsedByTheNextCall() {
    h = Harness.start();
    h.backend.reconfigure(ProviderConfig.of(Map.of("default-from", "+14155550177")));

    Call call = place(CallRequest.builder("+14155550123").build());

    assertThat(h.api.call(call.id()).from()).isEqualTo("+14155550177");
    assertThat(call.from()).isEqualTo("+14155550177");
    assertThat(h.backend.configuration().string("default-from")).isEqualTo("+14155550177");
    Call explicit = place(CallRequest.builder("+14155550123").from("+14155550166").build());
    assertThat(h.api.call(explicit.id()).from()).isEqualTo("+14155550166");
  }

  @Test
  void aBadDefaultFromIsRefusedNamingTheKeyAndNothingChanges() {
    h = Harness.start();
    assertThatThrownBy(
            () -> h.backend.reconfigure(ProviderConfig.of(Map.of("default-from", "4155550188"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("default-from")
        .hasMessageContaining("4155550188");
    assertThatThrownBy(
            () ->
                h.backend.reconfigure(
                    ProviderConfig.of(
                        Map.of("default-from", "+14155550199", "api-base-url", "http://x"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("api-base-url");

    assertThat(h.backend.configuration().string("default-from")).isEqualTo("+14155550100");
    Call call = place(CallRequest.builder("+14155550123").build());
    assertThat(h.api.call(call.id()).from()).isEqualTo("+14155550100");
  }

  @Test
  void inlineTwimlOverTheLimitFailsClearly() {
    h = Harness.start();
    char[] big = new char[4100];
    Arrays.fill(big, 'x');
    assertThatThrownBy(
            () ->
                h.backend.placeCall(
                    CallRequest.builder("+14155550123").parameter("p", new String(big)).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4000");
    assertThat(h.api.callCount()).isZero();
  }

  @Test
  void aTelephonyDirectCallStreamsToItsJoinUrlWithoutAToken() {
    h = Harness.start();
    Call call =
        place(
            CallRequest.builder("+14155550123")
                .streamUrl(URI.create("wss://agent.example.com/join/abc"))
                .build());
    String twiml = h.api.call(call.id()).lastTwiml().orElseThrow();
    assertThat(twiml).contains("url=\"wss://agent.example.com/join/abc\"");
    assertThat(Harness.tokens(twiml)).isEmpty();
    h.api.sendStreamStatus(h.url("/twilio/stream-status"), call.id(), "MZ0001", "stream-started");
    h.events.await(CallEvent.StreamStarted.class, e -> e.streamId().equals("MZ0001"));
    h.api.sendStreamStatus(h.url("/twilio/stream-status"), call.id(), "MZ0001", "stream-stopped");
    h.events.await(CallEvent.StreamStopped.class, e -> e.streamId().equals("MZ0001"));
    assertThat(List.of(call.mediaStream())).containsExactly(java.util.Optional.empty());
  }
}
