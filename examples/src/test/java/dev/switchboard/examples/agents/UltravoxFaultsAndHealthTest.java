package dev.switchboard.examples.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.examples.agents.ServiceFixture.Reply;
import dev.switchboard.testing.ultravox.FakeUltravox.Fault;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Ultravox's failures become clear errors with mapped statuses; health; nothing leaks on close. */
class UltravoxFaultsAndHealthTest {
  private ServiceFixture fx;

  @BeforeEach
  void start() {
    fx = new ServiceFixture();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private void assertNoKey(Reply reply) {
    assertThat(reply.body()).doesNotContain(fx.ultravox.apiKey());
    assertThat(reply.headers().toString()).doesNotContain(fx.ultravox.apiKey());
  }

  @Test
  void anUltravox5xxIsA502NamingUltravoxsAnswer() {
    fx.ultravox.failNext("POST", "/api/agents", Fault.status(500));

    Reply reply = fx.post("/agents", "{\"name\": \"n\", \"prompt\": \"p\"}");

    assertThat(reply.status()).isEqualTo(502);
    JsonNode error = reply.error();
    assertThat(error.path("code").asText()).isEqualTo("ultravox_unavailable");
    assertThat(error.path("message").asText()).contains("Ultravox").contains("500");
    assertThat(error.path("requestId").asText()).isEqualTo(reply.header(RequestIds.HEADER));
    assertNoKey(reply);
  }

  @Test
  void anUltravoxRateLimitIsA503WithRetryAfter() {
    fx.ultravox.failNext("GET", "/api/agents", Fault.status(429).retryAfter(Duration.ofSeconds(7)));

    Reply reply = fx.get("/agents");

    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.error().path("code").asText()).isEqualTo("ultravox_rate_limited");
    assertThat(reply.header("Retry-After")).isEqualTo("7");
    assertNoKey(reply);
  }

  @Test
  void anUltravox4xxThatIsTheCallersFaultIsPassedOn() {
    fx.ultravox.failNext("POST", "/api/agents", Fault.status(400));

    Reply reply = fx.post("/agents", "{\"name\": \"n\", \"prompt\": \"p\"}");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().path("code").asText()).isEqualTo("ultravox_rejected");
    assertThat(reply.error().path("message").asText()).contains("400");
  }

  @Test
  void aRejectedApiKeyIsOurFaultNotTheCallers() {
    fx.ultravox.failNext("GET", "/api/agents", Fault.status(401));

    Reply reply = fx.get("/agents");

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.error().path("code").asText()).isEqualTo("ultravox_auth_failed");
    assertNoKey(reply);
  }

  @Test
  void anUnreachableUltravoxIsA502() {
    fx.ultravox.failNext("GET", "/api/agents", Fault.disconnectAfterRequest());

    Reply reply = fx.get("/agents");

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.error().path("code").asText()).isEqualTo("ultravox_unavailable");
  }

  @Test
  void healthReportsUltravoxAndTwilio() {
    Reply reply = fx.get("/health");

    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    JsonNode health = reply.json();
    assertThat(health.path("status").asText()).isEqualTo("HEALTHY");
    assertThat(health.path("components").path("ultravox").path("status").asText())
        .isEqualTo("HEALTHY");
    assertThat(health.path("components").path("twilio").path("status").asText())
        .isEqualTo("HEALTHY");
    assertThat(reply.body()).doesNotContain(fx.ultravox.apiKey());
  }

  @Test
  void healthShowsAFailingUltravox() {
    fx.ultravox.failNext("GET", "/api/agents", Fault.status(401));

    Reply reply = fx.get("/health");

    JsonNode ultravox = reply.json().path("components").path("ultravox");
    assertThat(ultravox.path("status").asText()).isNotEqualTo("HEALTHY");
    assertThat(reply.json().path("status").asText()).isNotEqualTo("HEALTHY");
    assertThat(reply.body()).doesNotContain(fx.ultravox.apiKey());
  }

  @Test
  void closeStopsTheServersThreads() throws InterruptedException {
    fx.get("/agents");
    fx.get("/health");

    fx.close();

    ServiceFixture.awaitNoThreads("switchboard-http-", Duration.ofSeconds(5));
    // Not "switchboard-twilio-": TwilioVoiceBackend.stop leaves its idle pool threads to expire.
    ServiceFixture.awaitNoThreads("HTTP-Dispatcher", Duration.ofSeconds(5));
  }
}
