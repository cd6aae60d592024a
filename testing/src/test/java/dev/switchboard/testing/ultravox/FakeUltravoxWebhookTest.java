package dev.switchboard.testing.ultravox;

import static dev.switchboard.testing.ultravox.VoiceClient.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testing.ultravox.FakeUltravox.WebhookDelivery;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeUltravoxWebhookTest {
  private FakeUltravox fake;
  private MockWebServer receiver;
  private Rest rest;

  @BeforeEach
  void start() throws Exception {
    fake = FakeUltravox.builder().greeting(AgentReply.say("Hi.", Duration.ofMillis(100))).build();
    fake.start();
    rest = new Rest(fake);
    receiver = new MockWebServer();
    receiver.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return new MockResponse.Builder().code(204).build();
          }
        });
    receiver.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  @AfterEach
  void close() {
    fake.close();
    receiver.close();
  }

  @Test
  void lifecycleEventsArePostedToEachMatchingWebhookSignedWithEverySecret() throws Exception {
    JsonNode all =
        rest.created(
            "/api/webhooks",
            "{\"url\":\""
                + receiver.url("/all")
                + "\",\"events\":[\"call.started\",\"call.joined\",\"call.ended\",\"call.billed\"]}");
    JsonNode rotating =
        rest.created(
            "/api/webhooks",
            "{\"url\":\""
                + receiver.url("/ended")
                + "\",\"events\":[\"call.ended\"],\"secrets\":[\"old-secret\",\"new-secret\"]}");
    String generated = all.path("secrets").get(0).asText();

    JsonNode created =
        rest.created(
            "/api/calls", "{\"medium\":{\"serverWebSocket\":{\"inputSampleRate\":16000}}}");
    String callId = created.path("callId").asText();
    try (VoiceClient client = VoiceClient.connect(created.path("joinUrl").asText())) {
      client.await("transcript", t -> t.path("final").asBoolean());
      client.closeNormally();
      fake.call(callId).awaitEnded(TIMEOUT);
    }
    fake.awaitDelivery(d -> d.event().equals("call.billed"), TIMEOUT);

    List<RecordedRequest> posts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      RecordedRequest post = receiver.takeRequest(5, TimeUnit.SECONDS);
      assertThat(post).as("webhook POST #" + (i + 1)).isNotNull();
      posts.add(post);
    }
    List<String> allEvents = new ArrayList<>();
    for (RecordedRequest post : posts) {
      String body = post.getBody().utf8();
      JsonNode json = Rest.JSON.readTree(body);
      assertThat(json.at("/call/callId").asText()).isEqualTo(callId);
      assertThat(post.getMethod()).isEqualTo("POST");
      assertThat(post.getHeaders().get("Content-Type")).startsWith("application/json");
      String timestamp = post.getHeaders().get("X-Ultravox-Webhook-Timestamp");
      assertThat(OffsetDateTime.parse(timestamp).getOffset()).isEqualTo(ZoneOffset.UTC);
      List<String> signatures =
          List.of(post.getHeaders().get("X-Ultravox-Webhook-Signature").split(","));
      if (post.getUrl().encodedPath().equals("/all")) {
        allEvents.add(json.path("event").asText());
        assertThat(signatures).containsExactly(hmac(generated, body, timestamp));
      } else {
        assertThat(json.path("event").asText()).isEqualTo("call.ended");
        assertThat(json.at("/call/endReason").asText()).isEqualTo("hangup");
        assertThat(signatures)
            .containsExactly(
                hmac("old-secret", body, timestamp), hmac("new-secret", body, timestamp));
      }
    }
    assertThat(allEvents)
        .containsExactly("call.started", "call.joined", "call.ended", "call.billed");
    assertThat(fake.deliveries()).hasSize(5).allSatisfy(d -> assertThat(d.status()).isEqualTo(204));
    JsonNode billed =
        Rest.JSON.readTree(
            fake.awaitDelivery(d -> d.event().equals("call.billed"), TIMEOUT).body());
    assertThat(billed.at("/call/billingStatus").asText()).isEqualTo("BILLING_STATUS_BILLED");
    assertThat(billed.at("/call/joined").isTextual()).isTrue();
    assertThat(rotating.path("secrets").size()).isEqualTo(2);
    assertThat(fake.deliveries().get(0).toString())
        .doesNotContain(fake.deliveries().get(0).signature());
  }

  @Test
  void aDeliveryCanBeDuplicatedExactlyOrForgedWithAWrongSignature() throws Exception {
    JsonNode hook =
        rest.created(
            "/api/webhooks",
            "{\"url\":\""
                + receiver.url("/hook")
                + "\",\"events\":[\"call.started\"],\"secrets\":[\"s3cret\"]}");
    rest.created("/api/calls", "{}");
    WebhookDelivery original = fake.awaitDelivery(d -> d.event().equals("call.started"), TIMEOUT);
    RecordedRequest first = receiver.takeRequest(5, TimeUnit.SECONDS);

    WebhookDelivery duplicate = fake.redeliver(original);
    RecordedRequest second = receiver.takeRequest(5, TimeUnit.SECONDS);
    assertThat(duplicate.status()).isEqualTo(204);
    assertThat(second.getBody()).isEqualTo(first.getBody());
    assertThat(second.getHeaders().get("X-Ultravox-Webhook-Signature"))
        .isEqualTo(first.getHeaders().get("X-Ultravox-Webhook-Signature"));
    assertThat(second.getHeaders().get("X-Ultravox-Webhook-Timestamp"))
        .isEqualTo(first.getHeaders().get("X-Ultravox-Webhook-Timestamp"));

    WebhookDelivery forged = fake.forge(original);
    RecordedRequest third = receiver.takeRequest(5, TimeUnit.SECONDS);
    assertThat(forged.genuine()).isFalse();
    String body = third.getBody().utf8();
    String timestamp = third.getHeaders().get("X-Ultravox-Webhook-Timestamp");
    assertThat(third.getHeaders().get("X-Ultravox-Webhook-Signature"))
        .isNotEqualTo(hmac("s3cret", body, timestamp));
    assertThat(first.getHeaders().get("X-Ultravox-Webhook-Signature"))
        .isEqualTo(
            hmac(
                "s3cret",
                first.getBody().utf8(),
                first.getHeaders().get("X-Ultravox-Webhook-Timestamp")));
    assertThat(fake.deliveries()).hasSize(3);
    assertThat(hook.path("webhookId").asText()).isEqualTo(original.webhookId());
  }

  @Test
  void aFailedDeliveryIsRecordedOnTheWebhookAndOnlyMatchingAgentsAreNotified() throws Exception {
    String agentId = rest.created("/api/agents", "{\"name\":\"a\"}").path("agentId").asText();
    String otherAgent = rest.created("/api/agents", "{\"name\":\"b\"}").path("agentId").asText();
    String gone = receiver.url("/gone").toString();
    receiver.close();
    JsonNode dead =
        rest.created(
            "/api/webhooks",
            "{\"url\":\""
                + gone
                + "\",\"events\":[\"call.started\"],\"agentId\":\""
                + agentId
                + "\"}");
    rest.created("/api/agents/" + otherAgent + "/calls", "{}");
    rest.created("/api/agents/" + agentId + "/calls", "{}");
    WebhookDelivery failed = fake.awaitDelivery(d -> true, TIMEOUT);
    assertThat(failed.status()).isZero();
    assertThat(failed.error()).isNotNull();
    assertThat(Rest.JSON.readTree(failed.body()).at("/call/agentId").asText()).isEqualTo(agentId);
    JsonNode after = rest.get("/api/webhooks/" + dead.path("webhookId").asText()).json();
    assertThat(after.path("recentFailures").size()).isEqualTo(1);
    assertThat(fake.deliveries()).hasSize(1);
  }

  private static String hmac(String secret, String body, String timestamp) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update(body.getBytes(StandardCharsets.UTF_8));
    mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(mac.doFinal());
  }
}
