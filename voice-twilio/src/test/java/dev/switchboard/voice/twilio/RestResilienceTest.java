package dev.switchboard.voice.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.ProviderException;
import dev.switchboard.core.resilience.CircuitBreaker;
import dev.switchboard.core.resilience.CircuitOpenException;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.CallRequest;
import dev.switchboard.core.voice.CallState;
import dev.switchboard.testing.ControllableClock;
import dev.switchboard.testing.twilio.FakeTwilioApi.Fault;
import dev.switchboard.testing.twilio.FakeTwilioApi.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionException;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** REST authentication, what is retried and what is not, and the circuit breaker, over sockets. */
class RestResilienceTest {
  private static final Duration T = Harness.TIMEOUT;
  private static final String KEY_SID = "SK00112233445566778899aabbccddeeff";
  private static final String KEY_SECRET = "key-secret-not-the-auth-token";
  // Long enough for the fake on a busy machine, short enough to keep the tests quick.
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);

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

  private String createPath() {
    return h.api.callsPath() + ".json";
  }

  private List<RecordedRequest> creates() {
    return h.api.requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().equals(createPath()))
        .toList();
  }

  private List<RecordedRequest> updates(String callSid) {
    return h.api.requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().equals(h.api.callPath(callSid)))
        .toList();
  }

  private static OkHttpClient shortReadTimeout() {
    return new OkHttpClient.Builder().readTimeout(READ_TIMEOUT).build();
  }

  private static ProviderException providerFailure(Throwable thrown) {
    assertThat(thrown).isInstanceOf(CompletionException.class);
    assertThat(thrown.getCause()).isInstanceOf(ProviderException.class);
    return (ProviderException) thrown.getCause();
  }

  @Test
  void restCallsAuthenticateWithTheApiKeyWhenOneIsSet() {
    h = Harness.start(api -> api.apiKey(KEY_SID, KEY_SECRET), b -> b.apiKey(KEY_SID, KEY_SECRET));
    Call call = place();

    assertThat(h.api.call(call.id()).to()).isEqualTo("+14155550123");
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((KEY_SID + ":" + KEY_SECRET).getBytes(StandardCharsets.UTF_8));
    // The credentials check at start and the create, both as the key, under the account's path.
    assertThat(h.api.requests())
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.header("Authorization")).contains(basic))
        .allSatisfy(r -> assertThat(r.path()).contains(h.api.accountSid()));
    assertThat(h.backend.health().state()).isEqualTo(HealthStatus.State.HEALTHY);
    assertThat(h.backend.configuration().string("api-key-sid")).isEqualTo(KEY_SID);
    assertThat(h.backend.configuration().toString()).doesNotContain(KEY_SECRET);
  }

  @Test
  void aRejectedApiKeyFailsStartNamingTheKeySettingsButNotTheSecret() {
    h =
        Harness.unstarted(
            api -> api.apiKey(KEY_SID, KEY_SECRET), b -> b.apiKey(KEY_SID, "a-wrong-secret"));
    assertThatThrownBy(() -> h.backend.start())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("api-key-sid")
        .hasMessageNotContaining("a-wrong-secret");
    assertThat(h.api.requests()).hasSize(1);
  }

  @Test
  void aHangUpAnsweredWithAServerErrorIsRetriedAndSucceeds() {
    h = Harness.start();
    Call call = place();
    h.api.failNext("POST", h.api.callPath(call.id()), Fault.status(503));

    assertThat(call.hangUp()).succeedsWithin(T);

    assertThat(updates(call.id()))
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.param("Status")).contains("completed"));
    assertThat(h.api.call(call.id()).status()).isEqualTo("completed");
    h.events.awaitState(call.id(), CallState.COMPLETED);
    assertThat(call.state()).isEqualTo(CallState.COMPLETED);
  }

  @Test
  void aHangUpThatGetsNoAnswerIsRetriedAndSucceeds() {
    h = Harness.start(b -> b.okHttpClient(shortReadTimeout()));
    Call call = place();
    h.api.failNext("POST", h.api.callPath(call.id()), Fault.noResponse());

    assertThat(call.hangUp()).succeedsWithin(T);

    assertThat(updates(call.id())).hasSize(2);
    assertThat(h.api.call(call.id()).status()).isEqualTo("completed");
    h.events.awaitState(call.id(), CallState.COMPLETED);
  }

  @Test
  void aHangUpWhoseConnectionDropsAfterTwilioActedSucceedsOnTheRetry() {
    h = Harness.start();
    Call call = place();
    // Twilio hangs up, the answer is lost; the retry finds the call ended (404) which is success.
    h.api.failNext("POST", h.api.callPath(call.id()), Fault.disconnectAfterRequest());

    assertThat(call.hangUp()).succeedsWithin(T);

    assertThat(updates(call.id())).hasSize(2);
    h.events.awaitState(call.id(), CallState.COMPLETED);
  }

  @Test
  void aCreateAnsweredWithAServerErrorIsAttemptedExactlyOnce() {
    h = Harness.start();
    h.api.failNext("POST", createPath(), Fault.status(500));

    ProviderException p = providerFailure(catchThrowable(this::place));

    assertThat(p.httpStatus()).isEqualTo(500);
    assertThat(p.providerCode()).contains("20500");
    assertThat(p.provider()).isEqualTo("twilio");
    assertThat(p.isRetryable()).isTrue();
    assertThat(creates()).hasSize(1);
    assertThat(h.api.callCount()).isZero();
    assertThat(h.backend.calls()).isEmpty();
  }

  @Test
  void aCreateThatGetsNoAnswerFailsRetryablyAndIsNotSentAgain() {
    h = Harness.start(b -> b.okHttpClient(shortReadTimeout()));
    h.api.failNext("POST", createPath(), Fault.noResponse());

    ProviderException p = providerFailure(catchThrowable(this::place));

    assertThat(p.httpStatus()).isZero();
    assertThat(p.isRetryable()).isTrue();
    assertThat(p.getMessage()).contains("may have been carried out");
    // The policy gave up before the future failed: nothing can re-send it later.
    assertThat(creates()).hasSize(1);
    assertThat(h.api.callCount()).isZero();
    assertThat(h.backend.calls()).isEmpty();
  }

  @Test
  void anOpenCircuitFailsCallsFastUntilATrialCallSucceeds() {
    ControllableClock clock = ControllableClock.create();
    CircuitBreaker breaker =
        CircuitBreaker.builder()
            .name("twilio-rest")
            .failureThreshold(2)
            .openDuration(Duration.ofSeconds(30))
            .clock(clock)
            .build();
    h = Harness.start(b -> b.circuitBreaker(breaker));

    for (int i = 0; i < 2; i++) {
      h.api.failNext("POST", createPath(), Fault.status(503));
      assertThat(providerFailure(catchThrowable(this::place)).httpStatus()).isEqualTo(503);
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    int sent = h.api.requests().size();

    Throwable refused = catchThrowable(this::place);
    assertThat(refused).isInstanceOf(CompletionException.class);
    assertThat(refused.getCause()).isInstanceOf(CircuitOpenException.class);
    assertThat(((CircuitOpenException) refused.getCause()).breakerName()).isEqualTo("twilio-rest");
    assertThat(catchThrowable(() -> h.backend.hangUp("CA0000").join()).getCause())
        .isInstanceOf(CircuitOpenException.class);
    assertThat(h.api.requests()).hasSize(sent);
    assertThat(h.api.callCount()).isZero();
    HealthStatus health = h.backend.health();
    assertThat(health.state()).isEqualTo(HealthStatus.State.UNHEALTHY);
    assertThat(health.checks())
        .anySatisfy(
            c -> {
              assertThat(c.name()).isEqualTo("twilio-rest");
              assertThat(c.state()).isEqualTo(HealthStatus.State.UNHEALTHY);
            });

    clock.advance(Duration.ofSeconds(30));
    Call call = place();

    assertThat(h.api.call(call.id()).status()).isEqualTo("queued");
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(h.backend.health().state()).isEqualTo(HealthStatus.State.HEALTHY);
  }

  @Test
  void clientErrorsDoNotOpenTheCircuit() {
    CircuitBreaker breaker = CircuitBreaker.builder().name("twilio").failureThreshold(1).build();
    h = Harness.start(b -> b.circuitBreaker(breaker));
    h.api.failNext("POST", createPath(), Fault.status(400).errorCode(21211));

    assertThat(providerFailure(catchThrowable(this::place)).providerCode()).contains("21211");

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    Call call = place();
    assertThat(h.api.call(call.id()).status()).isEqualTo("queued");
  }
}
