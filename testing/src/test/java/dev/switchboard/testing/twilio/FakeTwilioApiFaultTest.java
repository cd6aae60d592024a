package dev.switchboard.testing.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.testing.twilio.FakeTwilioApi.Fault;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import okhttp3.Credentials;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each fault, as a plain OkHttp client meets it. */
class FakeTwilioApiFaultTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OkHttpClient http =
      new OkHttpClient.Builder()
          .retryOnConnectionFailure(false)
          .readTimeout(Duration.ofSeconds(5))
          .build();
  private FakeTwilioApi api;

  @BeforeEach
  void start() {
    api = FakeTwilioApi.builder().build();
    api.start();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private Request create() {
    return new Request.Builder()
        .url(api.baseUrl() + api.callsPath() + ".json")
        .header("Authorization", Credentials.basic(api.accountSid(), api.authToken()))
        .post(
            new FormBody.Builder()
                .add("To", "+14155550100")
                .add("From", "+14155550199")
                .add("Url", "https://app.example.com/twiml")
                .build())
        .build();
  }

  private Request account() {
    return new Request.Builder()
        .url(api.baseUrl() + "/2010-04-01/Accounts/" + api.accountSid() + ".json")
        .header("Authorization", Credentials.basic(api.accountSid(), api.authToken()))
        .build();
  }

  @Test
  void a429CarriesRetryAfterAndTwilioErrorJsonAndCreatesNothing() throws IOException {
    api.failNext(Fault.status(429).retryAfter(Duration.ofMillis(1500)));

    try (Response response = http.newCall(create()).execute()) {
      assertThat(response.code()).isEqualTo(429);
      assertThat(response.header("Retry-After")).isEqualTo("2");
      JsonNode body = JSON.readTree(response.body().string());
      assertThat(body.get("code").asInt()).isEqualTo(20429);
      assertThat(body.get("status").asInt()).isEqualTo(429);
      assertThat(body.get("message").asText()).isEqualTo("Too Many Requests");
      assertThat(body.get("more_info").asText())
          .isEqualTo("https://www.twilio.com/docs/errors/20429");
    }
    assertThat(api.callCount()).isZero();
    try (Response retried = http.newCall(create()).execute()) {
      assertThat(retried.code()).isEqualTo(201);
    }
    assertThat(api.callCount()).isEqualTo(1);
    assertThat(api.requests()).hasSize(2);
  }

  @Test
  void serverErrorsCarryTwilioErrorJson() throws IOException {
    api.failNext(Fault.status(500));
    api.failNext(Fault.status(503).errorCode(20503).message("Service Unavailable, try later"));

    try (Response response = http.newCall(create()).execute()) {
      assertThat(response.code()).isEqualTo(500);
      assertThat(JSON.readTree(response.body().string()).get("code").asInt()).isEqualTo(20500);
    }
    try (Response response = http.newCall(create()).execute()) {
      assertThat(response.code()).isEqualTo(503);
      JsonNode body = JSON.readTree(response.body().string());
      assertThat(body.get("code").asInt()).isEqualTo(20503);
      assertThat(body.get("message").asText()).isEqualTo("Service Unavailable, try later");
    }
    assertThat(api.callCount()).isZero();
    assertThat(api.pendingFaults()).isZero();
  }

  @Test
  void noResponseLeavesTheClientToItsReadTimeout() throws IOException {
    api.failNext(Fault.noResponse());
    OkHttpClient impatient = http.newBuilder().readTimeout(Duration.ofMillis(300)).build();

    assertThatThrownBy(() -> impatient.newCall(create()).execute())
        .isInstanceOf(SocketTimeoutException.class);
    assertThat(api.callCount()).isZero();
    assertThat(api.requests()).hasSize(1);
    // The next request is served normally.
    try (Response response = http.newCall(create()).execute()) {
      assertThat(response.code()).isEqualTo(201);
    }
  }

  @Test
  void disconnectAfterRequestCreatesTheCallButTheClientSeesAnIoException() throws IOException {
    api.failNext(Fault.disconnectAfterRequest());

    assertThatThrownBy(() -> http.newCall(create()).execute())
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(InterruptedIOException.class);
    assertThat(api.callCount()).isEqualTo(1);
    assertThat(api.requests()).hasSize(1);
  }

  @Test
  void okHttpDefaultsSilentlyResendAPostWhosePooledConnectionDrops() throws IOException {
    // Why a client must set retryOnConnectionFailure(false): on a reused connection OkHttp's
    // default re-sends the POST, and Twilio would place a second call.
    OkHttpClient defaults = new OkHttpClient();
    try (Response warmUp = defaults.newCall(account()).execute()) {
      assertThat(warmUp.code()).isEqualTo(200);
    }
    api.failNext(Fault.disconnectAfterRequest());

    try (Response response = defaults.newCall(create()).execute()) {
      assertThat(response.code()).isEqualTo(201);
    }
    assertThat(api.callCount()).isEqualTo(2);
  }

  @Test
  void withoutRetryOnConnectionFailureAPooledConnectionDropIsAnIoException() throws IOException {
    try (Response warmUp = http.newCall(account()).execute()) {
      assertThat(warmUp.code()).isEqualTo(200);
    }
    api.failNext(Fault.disconnectAfterRequest());

    assertThatThrownBy(() -> http.newCall(create()).execute()).isInstanceOf(IOException.class);
    assertThat(api.callCount()).isEqualTo(1);
  }

  @Test
  void aFaultWithAMatcherWaitsForAMatchingRequest() throws IOException {
    api.failNext("POST", api.callsPath(), Fault.status(503));

    try (Response response = http.newCall(account()).execute()) {
      assertThat(response.code()).isEqualTo(200);
    }
    assertThat(api.pendingFaults()).isEqualTo(1);
    try (Response response = http.newCall(create()).execute()) {
      assertThat(response.code()).isEqualTo(503);
    }
    assertThat(api.pendingFaults()).isZero();
  }

  @Test
  void queuedFaultsAreUsedInOrderOncePerRequest() throws IOException {
    api.failNext(Fault.status(429));
    api.failNext(Fault.status(500));

    try (Response first = http.newCall(account()).execute();
        Response second = http.newCall(account()).execute();
        Response third = http.newCall(account()).execute()) {
      assertThat(first.code()).isEqualTo(429);
      assertThat(second.code()).isEqualTo(500);
      assertThat(third.code()).isEqualTo(200);
    }
  }

  @Test
  void faultSettingsAreValidated() {
    assertThatThrownBy(() -> Fault.status(200)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fault.noResponse().retryAfter(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Fault.status(429).retryAfter(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Fault.status(429).retryAfter(Duration.ofSeconds(2)).toString())
        .contains("429", "20429", "Retry-After");
  }
}
