package dev.switchboard.voice.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.CloseReason;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallRequest;
import dev.switchboard.core.voice.CallState;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.core.webhook.WebhookRejected;
import dev.switchboard.testing.Recorder;
import dev.switchboard.testing.twilio.FakeTwilioApi;
import dev.switchboard.testing.twilio.TwilioCallSimulator;
import dev.switchboard.testing.twilio.TwilioSignatures;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Stream-status callbacks and the single dispatching webhook handler, over real sockets. */
class WebhookDispatchTest {
  private Harness h;

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
  }

  private Call place() {
    return h.backend.placeCall(CallRequest.builder("+14155550123").build()).join();
  }

  /**
   * A call whose media goes to an agent's join URL: only Twilio's callbacks tell of its streams.
   */
  private Call placeDirect() {
    return h.backend
        .placeCall(
            CallRequest.builder("+14155550123")
                .streamUrl(URI.create("wss://agent.example.com/join/abc"))
                .build())
        .join();
  }

  /** POSTs a form to {@code target}, signed with {@code key} over {@code signedUrl}. */
  private static HttpResponse<String> post(
      URI target, String signedUrl, String key, Map<String, String> params) throws Exception {
    String form =
        params.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(target)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header(
                    TwilioSignatures.HEADER, TwilioSignatures.signSingle(key, signedUrl, params))
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private Map<String, String> streamStatus(String callSid, String streamSid, String event) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("AccountSid", h.api.accountSid());
    params.put("CallSid", callSid);
    params.put("StreamSid", streamSid);
    params.put("StreamName", streamSid);
    params.put("StreamEvent", event);
    return params;
  }

  private Map<String, String> status(String callSid, String callStatus) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("CallSid", callSid);
    params.put("AccountSid", h.api.accountSid());
    params.put("CallStatus", callStatus);
    return params;
  }

  @Test
  void aStreamErrorCallbackStopsTheStreamWithAnError() {
    h = Harness.start();
    Call call = placeDirect();
    URI url = h.url("/twilio/stream-status");
    assertThat(h.api.sendStreamStatus(url, call.id(), "MZ0001", "stream-started").status())
        .isEqualTo(204);
    h.events.await(CallEvent.StreamStarted.class, e -> e.streamId().equals("MZ0001"));

    FakeTwilioApi.CallbackResponse response =
        h.api.sendStreamStatus(
            url,
            call.id(),
            "MZ0001",
            "stream-error",
            Map.of("StreamError", "Stream - WebSocket - Connection Error"));

    assertThat(response.status()).isEqualTo(204);
    CallEvent.StreamStopped stopped =
        h.events.await(CallEvent.StreamStopped.class, e -> e.streamId().equals("MZ0001"));
    assertThat(stopped.callId()).isEqualTo(call.id());
    assertThat(stopped.reason().code()).isEqualTo(CloseReason.Code.ERROR);
    assertThat(stopped.reason().detail()).contains("Connection Error");
    assertThat(stopped.reason().isError()).isTrue();
    // Twilio follows an error with stream-stopped: still one event for the stream. Events of a
    // call arrive in order, so once the later stream's start is seen, the duplicate was dropped.
    h.api.sendStreamStatus(url, call.id(), "MZ0001", "stream-stopped");
    h.api.sendStreamStatus(url, call.id(), "MZ0002", "stream-started");
    h.events.await(CallEvent.StreamStarted.class, e -> e.streamId().equals("MZ0002"));
    assertThat(h.events.all(CallEvent.StreamStopped.class))
        .filteredOn(e -> e.streamId().equals("MZ0001"))
        .hasSize(1);
    assertThat(call.state()).isEqualTo(CallState.QUEUED);
  }

  @Test
  void aStreamErrorOnAStreamToThisBackendIsReportedToo() {
    h = Harness.start();
    Call call = place(); // streams to our media endpoint, which Twilio then fails to reach
    h.api.sendStreamStatus(
        h.url("/twilio/stream-status"),
        call.id(),
        "MZ0004",
        "stream-error",
        Map.of("StreamError", "Stream - WebSocket - Handshake Error"));

    CallEvent.StreamStopped stopped =
        h.events.await(CallEvent.StreamStopped.class, e -> e.streamId().equals("MZ0004"));
    assertThat(stopped.reason().code()).isEqualTo(CloseReason.Code.ERROR);
    assertThat(stopped.reason().detail()).contains("Handshake Error");
  }

  @Test
  void aStreamStoppedCallbackStopsTheStreamAsARemoteClose() {
    h = Harness.start();
    Call call = placeDirect();
    URI url = h.url("/twilio/stream-status");

    h.api.sendStreamStatus(url, call.id(), "MZ0003", "stream-stopped");

    CallEvent.StreamStopped stopped =
        h.events.await(CallEvent.StreamStopped.class, e -> e.streamId().equals("MZ0003"));
    assertThat(stopped.callId()).isEqualTo(call.id());
    assertThat(stopped.reason().code()).isEqualTo(CloseReason.Code.REMOTE);
    assertThat(stopped.reason().isError()).isFalse();
  }

  @Test
  void aStreamStartedCallbackAheadOfTheMediaConnectionDoesNotAnnounceTheStreamEarly() {
    h = Harness.start();
    Call call = place();
    String twiml = h.api.call(call.id()).lastTwiml().orElseThrow();
    // What a StreamStarted listener finds, as the README suggests using call.mediaStream().
    Recorder<String> seen = new Recorder<>();
    h.backend.addListener(
        e -> {
          if (e instanceof CallEvent.StreamStarted started) {
            seen.accept(
                started.streamId()
                    + " -> "
                    + call.mediaStream().map(MediaStream::id).orElse("no stream"));
          }
        });
    TwilioCallSimulator sim = h.simulatorFor(call.id(), twiml);

    // Twilio's stream-started callback and the WebSocket's start race; here the callback wins.
    h.api.sendStreamStatus(
        h.url("/twilio/stream-status"), call.id(), sim.streamSid(), "stream-started");
    sim.connect();

    assertThat(seen.await(String.class, x -> true))
        .isEqualTo(sim.streamSid() + " -> " + sim.streamSid());
    assertThat(h.events.all(CallEvent.StreamStarted.class)).hasSize(1);
  }

  @Test
  void aForgedStreamStatusCallbackIsRefused() throws Exception {
    h = Harness.start();
    Call call = placeDirect();
    URI url = h.url("/twilio/stream-status");

    HttpResponse<String> forged =
        post(
            url,
            url.toString(),
            "00000000000000000000000000000000",
            streamStatus(call.id(), "MZ0bad", "stream-error"));

    assertThat(forged.statusCode()).isEqualTo(403);
    WebhookRejected rejected =
        h.rejections.await(WebhookRejected.class, r -> r.url().contains("/twilio/stream-status"));
    assertThat(rejected.reason()).contains("does not match");
    // A genuine callback after it is handled; the forged one left no trace before it.
    h.api.sendStreamStatus(url, call.id(), "MZ0good", "stream-started");
    h.events.await(CallEvent.StreamStarted.class, e -> e.streamId().equals("MZ0good"));
    assertThat(h.events.all())
        .noneMatch(
            e ->
                (e instanceof CallEvent.StreamStarted s && s.streamId().equals("MZ0bad"))
                    || (e instanceof CallEvent.StreamStopped s2 && s2.streamId().equals("MZ0bad")));
  }

  @Test
  void theDispatchingHandlerRoutesUnderAPublicPathPrefix() throws Exception {
    // Also mounted: the bare status path (a proxy that strips the prefix) and two non-webhooks.
    h =
        Harness.withPrefix(
            "/prefix", "/twilio/status", "/prefix/twilio/nowhere", "/other/twilio/status");
    Call call =
        h.backend
            .placeCall(CallRequest.builder("+14155550123").answeringMachineDetection(true).build())
            .join();

    // Every URL handed to Twilio carries the prefix, and Twilio's callbacks to them arrive.
    assertThat(h.api.call(call.id()).statusCallback())
        .contains(h.url("/prefix/twilio/status").toString());
    assertThat(h.api.call(call.id()).lastTwiml().orElseThrow())
        .contains("statusCallback=\"" + h.url("/prefix/twilio/stream-status") + "\"");
    assertThat(h.api.sendStatusCallback(call.id(), "ringing").status()).isEqualTo(204);
    h.events.awaitState(call.id(), CallState.RINGING);
    assertThat(h.api.sendAmdResult(call.id(), "human").status()).isEqualTo(204);
    h.events.await(CallEvent.MachineDetected.class, e -> e.callId().equals(call.id()));
    h.api.sendStreamStatus(
        h.url("/prefix/twilio/stream-status"), call.id(), "MZ0010", "stream-stopped");
    h.events.await(CallEvent.StreamStopped.class, e -> e.streamId().equals("MZ0010"));
    FakeTwilioApi.InboundCall inbound =
        h.api.placeInboundCall(h.url("/prefix/twilio/voice"), "+15559990000", "+14155550100");
    assertThat(inbound.response().status()).isEqualTo(200);
    assertThat(inbound.response().body()).contains("<Connect><Stream");
    h.events.awaitState(inbound.callSid(), CallState.RINGING);

    // Behind a proxy that strips the prefix: the path arrives bare, the signature is over the
    // public URL.
    HttpResponse<String> stripped =
        post(
            h.url("/twilio/status"),
            h.url("/prefix/twilio/status").toString(),
            Harness.AUTH_TOKEN,
            status(call.id(), "in-progress"));
    assertThat(stripped.statusCode()).isEqualTo(204);
    h.events.awaitState(call.id(), CallState.IN_PROGRESS);

    // Paths that are no webhook, even one ending like one: 404, and nothing happens.
    FakeTwilioApi.CallbackResponse nowhere =
        h.api.sendWebhook(h.url("/prefix/twilio/nowhere"), status(call.id(), "completed"));
    assertThat(nowhere.status()).isEqualTo(404);
    FakeTwilioApi.CallbackResponse other =
        h.api.sendWebhook(h.url("/other/twilio/status"), status(call.id(), "completed"));
    assertThat(other.status()).isEqualTo(404);
    assertThat(call.state()).isEqualTo(CallState.IN_PROGRESS);
    assertThat(h.rejections.all()).isEmpty();
  }

  @Test
  void theDispatchingHandlerAnswersUnknownPathsWith404() {
    h = Harness.withPrefix("", "/twilio/nowhere", "/twilio/status/extra");
    Call call = place();
    assertThat(h.api.sendWebhook(h.url("/twilio/nowhere"), status(call.id(), "completed")).status())
        .isEqualTo(404);
    assertThat(
            h.api
                .sendWebhook(h.url("/twilio/status/extra"), status(call.id(), "completed"))
                .status())
        .isEqualTo(404);
    assertThat(h.api.sendStatusCallback(call.id(), "completed").status()).isEqualTo(204);
    h.events.awaitState(call.id(), CallState.COMPLETED);
  }
}
