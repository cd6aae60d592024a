package dev.switchboard.testing.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.twilio.security.RequestValidator;
import dev.switchboard.core.webhook.WebhookRequest;
import dev.switchboard.core.webhook.WebhookResponse;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.testing.ControllableClock;
import dev.switchboard.testing.Recorder;
import dev.switchboard.testing.twilio.FakeTwilioApi.CallbackResponse;
import dev.switchboard.testing.twilio.FakeTwilioApi.InboundCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import okhttp3.Credentials;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhooks from the fake reach a real SwitchboardServer, signed so the SDK's validator agrees. */
class FakeTwilioApiCallbackTest {
  private static final String TWIML =
      "<Response><Connect><Stream url=\"wss://media.example.com/twilio\"/></Connect></Response>";

  private final ControllableClock clock =
      ControllableClock.at(Instant.parse("2026-03-04T05:06:07Z"));
  private final Recorder<WebhookRequest> received = new Recorder<>();
  private final OkHttpClient http =
      new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
  private FakeTwilioApi api;
  private SwitchboardServer server;

  @BeforeEach
  void start() {
    api = FakeTwilioApi.builder().clock(clock).build();
    api.start();
    server =
        SwitchboardServer.builder()
            .httpAddress(new InetSocketAddress("127.0.0.1", 0))
            .webSocketAddress(new InetSocketAddress("127.0.0.1", 0))
            .webhook("/twilio/status", accept(WebhookResponse.empty(204)))
            .webhook("/twilio/amd", accept(WebhookResponse.empty(204)))
            .webhook("/twilio/stream", accept(WebhookResponse.empty(204)))
            .webhook("/twilio/voice", accept(WebhookResponse.xml(TWIML)))
            .build();
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(Duration.ofSeconds(2));
    api.close();
  }

  private dev.switchboard.core.webhook.WebhookHandler accept(WebhookResponse response) {
    return request -> {
      received.accept(request);
      return response;
    };
  }

  private URI url(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.httpPort() + pathAndQuery);
  }

  /**
   * What the application would check: the SDK validator over the URL it was called on and the form
   * body's parameters. Not {@code WebhookRequest.firstParameters()}: that also holds the query
   * string's parameters, which Twilio leaves out of the signed list.
   */
  private boolean signatureValid(WebhookRequest request) {
    Map<String, String> bodyParams = new LinkedHashMap<>();
    for (String pair : request.bodyText().split("&")) {
      int eq = pair.indexOf('=');
      bodyParams.putIfAbsent(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return new RequestValidator(api.authToken())
        .validate(
            request.url().toString(), bodyParams, request.header("X-Twilio-Signature").orElse(""));
  }

  private String createCall(String... extra) throws IOException {
    FormBody.Builder form =
        new FormBody.Builder()
            .add("To", "+14155550100")
            .add("From", "+14155550199")
            .add("Twiml", TWIML)
            .add("StatusCallback", url("/twilio/status?tenant=a%20b").toString())
            .add("AsyncAmd", "true")
            .add("MachineDetection", "Enable")
            .add("AsyncAmdStatusCallback", url("/twilio/amd").toString());
    for (int i = 0; i < extra.length; i += 2) {
      form.add(extra[i], extra[i + 1]);
    }
    Request request =
        new Request.Builder()
            .url(api.baseUrl() + api.callsPath() + ".json")
            .header("Authorization", Credentials.basic(api.accountSid(), api.authToken()))
            .post(form.build())
            .build();
    try (Response response = http.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(201);
    }
    return api.calls().get(api.callCount() - 1).sid();
  }

  @Test
  void aStatusCallbackCarriesTwiliosParametersAndAValidSignature() throws IOException {
    String sid = createCall();

    CallbackResponse response = api.sendStatusCallback(sid, "initiated");

    assertThat(response.status()).isEqualTo(204);
    WebhookRequest request = received.await(WebhookRequest.class);
    assertThat(request.url().toString()).isEqualTo(url("/twilio/status?tenant=a%20b").toString());
    assertThat(request.header("Content-Type")).hasValue("application/x-www-form-urlencoded");
    assertThat(request.firstParameters())
        .containsEntry("CallSid", sid)
        .containsEntry("AccountSid", api.accountSid())
        .containsEntry("From", "+14155550199")
        .containsEntry("To", "+14155550100")
        .containsEntry("Caller", "+14155550199")
        .containsEntry("Called", "+14155550100")
        .containsEntry("CallStatus", "initiated")
        .containsEntry("Direction", "outbound-api")
        .containsEntry("ApiVersion", "2010-04-01")
        .containsEntry("Timestamp", "Wed, 04 Mar 2026 05:06:07 +0000")
        .containsEntry("CallbackSource", "call-progress-events")
        .containsEntry("SequenceNumber", "0")
        .doesNotContainKey("CallDuration");
    assertThat(signatureValid(request)).isTrue();
    assertThat(api.call(sid).status()).isEqualTo("queued");
  }

  @Test
  void statusCallbacksMoveTheCallAndCountSequenceNumbers() throws IOException {
    String sid = createCall();
    api.sendStatusCallback(sid, "initiated");
    api.sendStatusCallback(sid, "ringing");
    assertThat(api.call(sid).status()).isEqualTo("ringing");
    api.sendStatusCallback(sid, "in-progress");
    clock.advance(Duration.ofSeconds(95));
    api.sendStatusCallback(sid, "completed");

    var all = received.awaitCount(4, Duration.ofSeconds(10));
    assertThat(all)
        .extracting(r -> r.firstParameters().get("SequenceNumber"))
        .containsExactly("0", "1", "2", "3");
    assertThat(all)
        .extracting(r -> r.firstParameters().get("CallStatus"))
        .containsExactly("initiated", "ringing", "in-progress", "completed");
    Map<String, String> completed = all.get(3).firstParameters();
    assertThat(completed).containsEntry("CallDuration", "95").containsEntry("Duration", "2");
    assertThat(all).allSatisfy(r -> assertThat(signatureValid(r)).isTrue());
    assertThat(api.call(sid).status()).isEqualTo("completed");
    assertThat(api.call(sid).durationSeconds()).hasValue(95);
  }

  @Test
  void aForgedStatusCallbackFailsTheSignatureCheckAndChangesNothing() throws IOException {
    String sid = createCall();

    api.sendForgedStatusCallback(sid, "completed");

    WebhookRequest forged = received.await(WebhookRequest.class);
    assertThat(forged.header("X-Twilio-Signature")).isPresent();
    assertThat(forged.firstParameters()).containsEntry("CallStatus", "completed");
    assertThat(signatureValid(forged)).isFalse();
    assertThat(api.call(sid).status()).isEqualTo("queued");
    api.sendStatusCallback(sid, "initiated");
    assertThat(received.awaitCount(2, Duration.ofSeconds(10)).get(1).firstParameters())
        .containsEntry("SequenceNumber", "0");
  }

  @Test
  void anExplicitUrlAndExtraParametersCanBeGiven() throws IOException {
    String sid = createCall();
    URI other = url("/twilio/status?leg=2");

    api.sendStatusCallback(sid, "busy", other, Map.of("SipResponseCode", "486"));

    WebhookRequest request = received.await(WebhookRequest.class);
    assertThat(request.url().toString()).isEqualTo(other.toString());
    assertThat(request.firstParameters())
        .containsEntry("CallStatus", "busy")
        .containsEntry("SipResponseCode", "486")
        .containsEntry("CallDuration", "0");
    assertThat(signatureValid(request)).isTrue();
    assertThat(api.call(sid).status()).isEqualTo("busy");
  }

  @Test
  void aCallWithoutStatusCallbackRefusesTheImplicitUrl() {
    InboundCall inbound =
        api.placeInboundCall(url("/twilio/voice"), "+14155550100", "+14155550199");
    assertThatThrownBy(() -> api.sendStatusCallback(inbound.callSid(), "completed"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("StatusCallback");
    assertThatThrownBy(() -> api.sendAmdResult(inbound.callSid(), "human"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> api.sendStatusCallback(inbound.callSid(), "answered"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anAmdResultReachesTheAsyncAmdCallbackAndIsRecorded() throws IOException {
    String sid = createCall();

    api.sendAmdResult(sid, "machine_end_beep");

    WebhookRequest request = received.await(WebhookRequest.class);
    assertThat(request.url().getPath()).isEqualTo("/twilio/amd");
    assertThat(request.firstParameters())
        .containsEntry("CallSid", sid)
        .containsEntry("AccountSid", api.accountSid())
        .containsEntry("AnsweredBy", "machine_end_beep")
        .containsEntry("MachineDetectionDuration", "2400");
    assertThat(signatureValid(request)).isTrue();
    assertThat(api.call(sid).answeredBy()).hasValue("machine_end_beep");
    assertThatThrownBy(() -> api.sendAmdResult(sid, "robot"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aStreamStatusCarriesTheStreamParameters() {
    CallbackResponse response =
        api.sendStreamStatus(
            url("/twilio/stream"),
            "CA0123456789abcdef0123456789abcdef",
            "MZ0123456789abcdef0123456789abcdef",
            "stream-error",
            Map.of("StreamError", "handshake failed"));

    assertThat(response.successful()).isTrue();
    WebhookRequest request = received.await(WebhookRequest.class);
    assertThat(request.firstParameters())
        .containsEntry("AccountSid", api.accountSid())
        .containsEntry("CallSid", "CA0123456789abcdef0123456789abcdef")
        .containsEntry("StreamSid", "MZ0123456789abcdef0123456789abcdef")
        .containsEntry("StreamName", "MZ0123456789abcdef0123456789abcdef")
        .containsEntry("StreamEvent", "stream-error")
        .containsEntry("StreamError", "handshake failed")
        .containsEntry("Timestamp", "2026-03-04T05:06:07Z");
    assertThat(signatureValid(request)).isTrue();
  }

  @Test
  void anInboundCallPostsTheVoiceWebhookAndKeepsTheReturnedTwiml() {
    InboundCall inbound =
        api.placeInboundCall(url("/twilio/voice"), "+14155550100", "+14155550199");

    assertThat(inbound.callSid()).matches("CA[0-9a-f]{32}");
    assertThat(inbound.response().status()).isEqualTo(200);
    assertThat(inbound.response().contentType()).startsWith("application/xml");
    assertThat(inbound.response().body()).isEqualTo(TWIML);
    WebhookRequest request = received.await(WebhookRequest.class);
    assertThat(request.firstParameters())
        .containsEntry("CallSid", inbound.callSid())
        .containsEntry("AccountSid", api.accountSid())
        .containsEntry("From", "+14155550100")
        .containsEntry("To", "+14155550199")
        .containsEntry("Caller", "+14155550100")
        .containsEntry("Called", "+14155550199")
        .containsEntry("CallStatus", "ringing")
        .containsEntry("Direction", "inbound")
        .containsEntry("ApiVersion", "2010-04-01");
    assertThat(signatureValid(request)).isTrue();

    FakeCall call = api.call(inbound.callSid());
    assertThat(call.direction()).isEqualTo("inbound");
    assertThat(call.status()).isEqualTo("ringing");
    assertThat(call.twimlHistory()).containsExactly(TWIML);
    assertThat(call.urlHistory()).containsExactly(url("/twilio/voice").toString());

    // The inbound call can be driven on: answered, then a status callback to an explicit URL.
    api.sendStatusCallback(inbound.callSid(), "in-progress", url("/twilio/status"), Map.of());
    assertThat(received.awaitCount(2, Duration.ofSeconds(10)).get(1).firstParameters())
        .containsEntry("Direction", "inbound")
        .containsEntry("SequenceNumber", "0");
  }

  @Test
  void aCallbackToANonListeningPortThrowsUncheckedIoException() {
    URI nowhere = URI.create("http://127.0.0.1:1/twilio/status");
    assertThatThrownBy(() -> api.sendWebhook(nowhere, Map.of("A", "1")))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("127.0.0.1:1");
  }
}
