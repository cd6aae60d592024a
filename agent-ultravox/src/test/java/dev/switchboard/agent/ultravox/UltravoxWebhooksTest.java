package dev.switchboard.agent.ultravox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.WebhookVerificationException;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallEvent.AgentCallChanged;
import dev.switchboard.core.voice.CallEvent.AgentCallPhase;
import dev.switchboard.core.webhook.WebhookRejected;
import dev.switchboard.core.webhook.WebhookRequest;
import dev.switchboard.core.webhook.WebhookResponse;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.testing.ControllableClock;
import dev.switchboard.testing.Recorder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link UltravoxWebhooks} mounted on a {@link SwitchboardServer} on 127.0.0.1, with OkHttp as the
 * sender, against known signature vectors.
 *
 * <p>The signatures below were computed independently of this code, with Python's standard library:
 * {@code hmac.new(secret.encode(), body.encode() + timestamp.encode(), hashlib.sha256).hexdigest()}
 * for each (secret, body, timestamp) named next to them.
 */
class UltravoxWebhooksTest {
  private static final String SECRET_ONE = "uv-webhook-secret-one";
  private static final String SECRET_TWO = "uv-webhook-secret-two";

  private static final String ENDED =
      "{\"event\":\"call.ended\",\"call\":{\"callId\":\"c-1\",\"created\":\"2026-01-01T00:00:01Z\","
          + "\"joined\":\"2026-01-01T00:00:02Z\",\"ended\":\"2026-01-01T00:00:29Z\","
          + "\"endReason\":\"hangup\",\"billedDuration\":null,"
          + "\"metadata\":{\"switchboard_call_id\":\"CA123\"}}}";
  private static final String BILLED =
      "{\"event\":\"call.billed\",\"call\":{\"callId\":\"c-1\",\"endReason\":\"hangup\","
          + "\"billedDuration\":\"61s\",\"metadata\":{\"switchboard_call_id\":\"CA123\"}}}";
  private static final String JOINED =
      "{\"event\":\"call.joined\",\"call\":{\"callId\":\"c-2\","
          + "\"joined\":\"2026-01-01T00:00:20.5Z\",\"metadata\":{}}}";
  private static final String UNKNOWN =
      "{\"event\":\"call.transferred\",\"call\":{\"callId\":\"c-3\"}}";
  private static final String NOT_JSON = "not json at all";

  private static final String T1 = "2026-01-01T00:00:30.123456+00:00";
  private static final String T2 = "2026-01-01T00:00:31Z";
  private static final String T3 = "2026-01-01T00:00:30Z";
  private static final String STALE = "2025-12-31T23:58:00Z";
  private static final String FUTURE = "2026-01-01T00:05:00Z";

  /** (SECRET_ONE, ENDED, T1). */
  private static final String ENDED_S1 =
      "d1ef0b16b34f5f449bc8a27ffe237b5501cc61445bdf8b4db010eea002a9afb9";

  /** (SECRET_TWO, ENDED, T1). */
  private static final String ENDED_S2 =
      "ea217628535b17a05d051e4ec01c1f86dbfe1651d336a2e77ab850e3c9996b07";

  /** (SECRET_ONE, BILLED, T2). */
  private static final String BILLED_S1 =
      "01a403fdd5f1c20faea180ebc1b7bb092b8e91b30a5852284fea278e4d9f6183";

  /** (SECRET_TWO, JOINED, T3). */
  private static final String JOINED_S2 =
      "0a152faf963bbe6ec4d9f3b45c69e4041eb480f7b498b997e25c2586bbcbb30d";

  /** (SECRET_ONE, ENDED, STALE). */
  private static final String ENDED_STALE_S1 =
      "a8c80a2c462d15c5d13393579592b798b68cdc492de5ce496e0a614973e5e728";

  /** (SECRET_ONE, ENDED, FUTURE). */
  private static final String ENDED_FUTURE_S1 =
      "716894adf196462ce1cc2099f4440fca13a6c947a633294f3f0051e0a112ef6e";

  /** (SECRET_ONE, UNKNOWN, T3). */
  private static final String UNKNOWN_S1 =
      "ed4dcb7612353b2720a2ea2c34ed6677fa3f5629269a7ae42861619e3f180bfb";

  /** (SECRET_ONE, NOT_JSON, T3). */
  private static final String NOT_JSON_S1 =
      "94c62355d5115273aba0c0be1933fa7efb47baf7ded991e6b9f22ab34b232aa0";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType JSON_TYPE = MediaType.get("application/json");

  private final ControllableClock clock = ControllableClock.at(Instant.parse(T3));
  private final Recorder<CallEvent> events = new Recorder<>();
  private final Recorder<WebhookRejected> rejected = new Recorder<>();
  private final OkHttpClient http = new OkHttpClient();
  private UltravoxWebhooks webhooks;
  private SwitchboardServer server;

  @BeforeEach
  void setUp() {
    webhooks =
        UltravoxWebhooks.builder()
            .secret(SECRET_ONE)
            .clock(clock)
            .listener(events::accept)
            .webhookRejectedListener(rejected::accept)
            .build();
    server =
        SwitchboardServer.builder()
            .httpAddress(new InetSocketAddress("127.0.0.1", 0))
            .webhook("/ultravox/events", webhooks)
            .build();
    server.start();
  }

  @AfterEach
  void tearDown() {
    server.close();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  private Reply post(String body, String timestamp, String signature) throws Exception {
    Request.Builder b =
        new Request.Builder()
            .url("http://127.0.0.1:" + server.httpPort() + "/ultravox/events")
            .post(RequestBody.create(body.getBytes(StandardCharsets.UTF_8), JSON_TYPE));
    if (timestamp != null) {
      b.header(UltravoxWebhooks.TIMESTAMP_HEADER, timestamp);
    }
    if (signature != null) {
      b.header(UltravoxWebhooks.SIGNATURE_HEADER, signature);
    }
    try (Response r = http.newCall(b.build()).execute()) {
      return new Reply(r.code(), r.body().string());
    }
  }

  private record Reply(int status, String body) {
    JsonNode error() throws Exception {
      return JSON.readTree(body).get("error");
    }
  }

  @Test
  void aSignedEndedDeliveryBecomesOneEventForTheTelephonyCall() throws Exception {
    Reply reply = post(ENDED, T1, ENDED_S1);
    assertThat(reply.status()).isEqualTo(204);
    // Listeners run before the answer is written: the event is already there.
    assertThat(events.all())
        .containsExactly(
            new AgentCallChanged(
                "CA123",
                "c-1",
                AgentCallPhase.ENDED,
                "hangup",
                Instant.parse("2026-01-01T00:00:29Z")));
    assertThat(rejected.all()).isEmpty();
  }

  @Test
  void aBilledDeliveryCarriesTheBilledDuration() throws Exception {
    clock.advance(Duration.ofSeconds(1));
    assertThat(post(BILLED, T2, BILLED_S1).status()).isEqualTo(204);
    AgentCallChanged billed = (AgentCallChanged) events.all().get(0);
    assertThat(billed.phase()).isEqualTo(AgentCallPhase.BILLED);
    assertThat(billed.detail()).isEqualTo("61s");
    assertThat(billed.callId()).isEqualTo("CA123");
    assertThat(billed.timestamp()).as("the delivery's own time").isEqualTo(Instant.parse(T2));
  }

  @Test
  void withoutTheMetadataKeyTheUltravoxCallIdIsUsedAndRotatedSecretsWork() throws Exception {
    UltravoxWebhooks rotated =
        UltravoxWebhooks.builder()
            .secret(SECRET_ONE)
            .secret(SECRET_TWO)
            .clock(clock)
            .listener(events::accept)
            .build();
    WebhookResponse response = rotated.handle(request(JOINED, T3, JOINED_S2));
    assertThat(response.status()).isEqualTo(204);
    AgentCallChanged joined = (AgentCallChanged) events.all().get(0);
    assertThat(joined.callId()).isEqualTo("c-2");
    assertThat(joined.agentCallId()).isEqualTo("c-2");
    assertThat(joined.phase()).isEqualTo(AgentCallPhase.JOINED);
    assertThat(joined.detail()).isNull();
    assertThat(joined.timestamp()).isEqualTo(Instant.parse("2026-01-01T00:00:20.5Z"));

    // Only the first secret configured here: the same delivery no longer verifies.
    assertThat(post(JOINED, T3, JOINED_S2).status()).isEqualTo(403);
  }

  @Test
  void anyOfSeveralCommaSeparatedSignaturesMayMatch() throws Exception {
    String bogus = "0".repeat(64);
    assertThat(post(ENDED, T1, bogus + ", " + ENDED_S2 + " ," + ENDED_S1).status()).isEqualTo(204);
    assertThat(events.all()).hasSize(1);
  }

  @Test
  void upperCaseHexIsAccepted() throws Exception {
    assertThat(post(ENDED, T1, ENDED_S1.toUpperCase(Locale.ROOT)).status()).isEqualTo(204);
  }

  @Test
  void aDuplicateDeliveryIsAnsweredButPublishedOnce() throws Exception {
    assertThat(post(ENDED, T1, ENDED_S1).status()).isEqualTo(204);
    assertThat(post(ENDED, T1, ENDED_S1).status()).isEqualTo(204);
    clock.advance(Duration.ofSeconds(1));
    assertThat(post(BILLED, T2, BILLED_S1).status()).isEqualTo(204);
    assertThat(post(BILLED, T2, BILLED_S1).status()).isEqualTo(204);
    assertThat(events.all())
        .extracting(e -> ((AgentCallChanged) e).phase())
        .containsExactly(AgentCallPhase.ENDED, AgentCallPhase.BILLED);
  }

  @Test
  void aTamperedBodyIsRefusedWith403AndAnEvent() throws Exception {
    Reply reply = post(ENDED.replace("hangup", "timeout"), T1, ENDED_S1);
    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error().get("code").asText()).isEqualTo("signature_invalid");
    assertThat(reply.error().get("message").asText())
        .contains(UltravoxWebhooks.SIGNATURE_HEADER, "does not match")
        .doesNotContain(SECRET_ONE)
        .doesNotContain(ENDED_S1);
    assertThat(events.all()).isEmpty();
    WebhookRejected event = rejected.all().get(0);
    assertThat(event.url()).endsWith("/ultravox/events");
    assertThat(event.reason()).contains("does not match");
    assertThat(event.remoteAddress()).contains("127.0.0.1");
  }

  @Test
  void aChangedTimestampBreaksTheSignature() throws Exception {
    assertThat(post(ENDED, T3, ENDED_S1).status()).isEqualTo(403);
    assertThat(rejected.all().get(0).reason()).contains("does not match");
  }

  @Test
  void aWrongSecretIsRefused() throws Exception {
    assertThat(post(ENDED, T1, ENDED_S2).status()).isEqualTo(403);
    assertThat(events.all()).isEmpty();
  }

  @Test
  void missingHeadersAreRefusedNamingTheHeader() throws Exception {
    Reply noSignature = post(ENDED, T1, null);
    assertThat(noSignature.status()).isEqualTo(403);
    assertThat(noSignature.error().get("message").asText())
        .isEqualTo(UltravoxWebhooks.SIGNATURE_HEADER + " missing");
    Reply noTimestamp = post(ENDED, null, ENDED_S1);
    assertThat(noTimestamp.status()).isEqualTo(403);
    assertThat(noTimestamp.error().get("message").asText())
        .isEqualTo(UltravoxWebhooks.TIMESTAMP_HEADER + " missing");
    assertThat(rejected.all()).hasSize(2);
    assertThat(events.all()).isEmpty();
  }

  @Test
  void aStaleDeliveryIsRefusedEvenWithAValidSignature() throws Exception {
    Reply reply = post(ENDED, STALE, ENDED_STALE_S1);
    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error().get("message").asText()).contains("stale", "60000 ms");
    assertThat(events.all()).isEmpty();
  }

  @Test
  void aDeliveryFromTheFarFutureIsRefused() throws Exception {
    Reply reply = post(ENDED, FUTURE, ENDED_FUTURE_S1);
    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error().get("message").asText()).contains("in the future");
  }

  @Test
  void theToleranceIsConfigurable() {
    UltravoxWebhooks lenient =
        UltravoxWebhooks.builder()
            .secret(SECRET_ONE)
            .clock(clock)
            .tolerance(Duration.ofMinutes(3))
            .build();
    lenient.verify(request(ENDED, STALE, ENDED_STALE_S1));
    assertThatThrownBy(
            () ->
                UltravoxWebhooks.builder()
                    .secret(SECRET_ONE)
                    .clock(clock)
                    .tolerance(Duration.ofMinutes(2))
                    .build()
                    .verify(request(ENDED, STALE, ENDED_STALE_S1)))
        .isInstanceOf(WebhookVerificationException.class)
        .hasMessageContaining("stale");
  }

  @Test
  void anUnreadableTimestampIsRefusedWhateverItsSignature() throws Exception {
    // Signed over a timestamp that is not a date: the signature check passes, the format fails.
    String ts = "yesterday";
    String sig = hex(SECRET_ONE, ENDED, ts);
    Reply reply = post(ENDED, ts, sig);
    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error().get("message").asText()).contains("not an ISO-8601");
  }

  @Test
  void aBodyThatIsNotJsonIs400AndChangesNothing() throws Exception {
    Reply reply = post(NOT_JSON, T3, NOT_JSON_S1);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().get("code").asText()).isEqualTo("invalid_body");
    assertThat(events.all()).isEmpty();
    assertThat(rejected.all()).isEmpty();
  }

  @Test
  void aBodyWithoutACallIs400() {
    String body = "{\"event\":\"call.ended\"}";
    WebhookResponse response = webhooks.handle(request(body, T3, hex(SECRET_ONE, body, T3)));
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.body()).contains("call");
  }

  @Test
  void anUnknownEventIsAcceptedAndIgnored() throws Exception {
    assertThat(post(UNKNOWN, T3, UNKNOWN_S1).status()).isEqualTo(204);
    assertThat(events.all()).isEmpty();
  }

  @Test
  void otherMethodsAre405() throws Exception {
    try (Response r =
        http.newCall(
                new Request.Builder()
                    .url("http://127.0.0.1:" + server.httpPort() + "/ultravox/events")
                    .build())
            .execute()) {
      assertThat(r.code()).isEqualTo(405);
      assertThat(r.header("Allow")).isEqualTo("POST");
    }
  }

  @Test
  void aFailingListenerDoesNotChangeTheAnswerNorStopOthers() {
    Recorder<CallEvent> second = new Recorder<>();
    UltravoxWebhooks w =
        UltravoxWebhooks.builder()
            .secret(SECRET_ONE)
            .clock(clock)
            .listener(
                e -> {
                  throw new IllegalStateException("listener bug");
                })
            .listener(second::accept)
            .build();
    assertThat(w.handle(request(ENDED, T1, ENDED_S1)).status()).isEqualTo(204);
    assertThat(second.all()).hasSize(1);
  }

  @Test
  void listenersCanBeAddedAndRemoved() {
    Recorder<CallEvent> late = new Recorder<>();
    webhooks.addListener(late::accept);
    webhooks.handle(request(ENDED, T1, ENDED_S1));
    assertThat(late.all()).hasSize(1);
  }

  @Test
  void deDuplicationIsBoundedInSizeAndTime() {
    UltravoxWebhooks w =
        UltravoxWebhooks.builder()
            .secret(SECRET_ONE)
            .clock(clock)
            .tolerance(Duration.ofDays(1))
            .dedupCapacity(2)
            .dedupWindow(Duration.ofMinutes(10))
            .listener(events::accept)
            .build();
    w.handle(request(ENDED, T1, ENDED_S1));
    w.handle(request(BILLED, T2, BILLED_S1));
    w.handle(request(ENDED, T1, ENDED_S1)); // remembered: not published
    assertThat(events.all()).hasSize(2);
    String started = "{\"event\":\"call.started\",\"call\":{\"callId\":\"c-9\"}}";
    w.handle(request(started, T3, hex(SECRET_ONE, started, T3))); // pushes ENDED out
    w.handle(request(ENDED, T1, ENDED_S1)); // forgotten: published again
    assertThat(events.all()).hasSize(4);

    w.handle(request(ENDED, T1, ENDED_S1)); // remembered again: not published
    assertThat(events.all()).hasSize(4);
    clock.advance(Duration.ofMinutes(11));
    w.handle(request(ENDED, T1, ENDED_S1)); // remembered, but longer ago than the window
    assertThat(events.all()).hasSize(5);
  }

  @Test
  void theBuilderRequiresASecretAndToStringHidesThem() {
    assertThatThrownBy(() -> UltravoxWebhooks.builder().build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("secret");
    assertThatThrownBy(() -> UltravoxWebhooks.builder().secret(" "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(webhooks.toString()).doesNotContain(SECRET_ONE).contains("1 (hidden)");
  }

  @Test
  void theVerifierAloneNamesTheFailedCheck() {
    webhooks.verify(request(ENDED, T1, ENDED_S1));
    assertThatThrownBy(() -> webhooks.verify(request(ENDED + " ", T1, ENDED_S1)))
        .isInstanceOf(WebhookVerificationException.class)
        .hasMessageContaining("does not match");
    assertThat(events.all()).as("verify publishes nothing").isEmpty();
    for (String ts : List.of("2026-01-01T00:00:30", "2026-01-01T01:00:30+01:00")) {
      webhooks.verify(request(ENDED, ts, hex(SECRET_ONE, ENDED, ts)));
    }
  }

  private static WebhookRequest request(String body, String timestamp, String signature) {
    return WebhookRequest.builder("POST", URI.create("https://voice.example.com/ultravox/events"))
        .header(UltravoxWebhooks.TIMESTAMP_HEADER, timestamp)
        .header(UltravoxWebhooks.SIGNATURE_HEADER, signature)
        .body(body.getBytes(StandardCharsets.UTF_8), "application/json")
        .remoteAddress("203.0.113.7")
        .build();
  }

  /** HMAC-SHA256 hex, for cases built in the test (the vectors above come from Python). */
  private static String hex(String secret, String body, String timestamp) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(
          new javax.crypto.spec.SecretKeySpec(
              secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(body.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of()
          .formatHex(mac.doFinal(timestamp.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }
}
