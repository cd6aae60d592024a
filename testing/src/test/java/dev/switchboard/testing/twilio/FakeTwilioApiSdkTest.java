package dev.switchboard.testing.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.twilio.exception.ApiException;
import com.twilio.http.HttpMethod;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.Account;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Twiml;
import dev.switchboard.testing.ControllableClock;
import dev.switchboard.testing.twilio.FakeTwilioApi.Fault;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real Twilio Java SDK, pointed at the fake, parses everything the fake answers. */
class FakeTwilioApiSdkTest {
  private static final String STREAM_TWIML =
      "<Response><Connect><Stream url=\"wss://media.example.com/twilio\"/></Connect></Response>";

  private final ControllableClock clock =
      ControllableClock.at(Instant.parse("2026-03-04T05:06:07Z"));
  private FakeTwilioApi api;
  private TwilioRestClient client;

  @BeforeEach
  void start() {
    api = FakeTwilioApi.builder().clock(clock).build();
    api.start();
    client = FakeTwilioApiSdkClient.restClient(api);
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private Call create() {
    return Call.creator(
            new PhoneNumber("+14155550100"),
            new PhoneNumber("+14155550199"),
            new Twiml(STREAM_TWIML))
        .setStatusCallback(URI.create("https://app.example.com/status"))
        .setStatusCallbackEvent(List.of("initiated", "ringing", "answered", "completed"))
        .setStatusCallbackMethod(HttpMethod.POST)
        .setMachineDetection("Enable")
        .setAsyncAmd("true")
        .setAsyncAmdStatusCallback(URI.create("https://app.example.com/amd"))
        .setTimeout(30)
        .setTimeLimit(3600)
        .setRecord(false)
        .create(client);
  }

  @Test
  void theSdkCreatesACallAndParsesTheResponse() {
    Call call = create();

    assertThat(call.getSid()).matches("CA[0-9a-f]{32}");
    assertThat(call.getAccountSid()).isEqualTo(api.accountSid());
    assertThat(call.getStatus()).isEqualTo(Call.Status.QUEUED);
    assertThat(call.getDirection()).isEqualTo("outbound-api");
    assertThat(call.getTo()).isEqualTo("+14155550100");
    assertThat(call.getFrom()).isEqualTo("+14155550199");
    assertThat(call.getApiVersion()).isEqualTo("2010-04-01");
    assertThat(call.getDateCreated())
        .isEqualTo(ZonedDateTime.of(2026, 3, 4, 5, 6, 7, 0, ZoneOffset.UTC));
    assertThat(call.getStartTime()).isNull();
    assertThat(call.getPriceUnit().getCurrencyCode()).isEqualTo("USD");
    assertThat(call.getSubresourceUris()).containsKey("streams");

    FakeCall recorded = api.call(call.getSid());
    assertThat(recorded.twimlHistory()).containsExactly(STREAM_TWIML);
    assertThat(recorded.statusCallback()).hasValue("https://app.example.com/status");
    assertThat(recorded.statusCallbackEvents())
        .containsExactly("initiated", "ringing", "answered", "completed");
    assertThat(recorded.machineDetection()).hasValue("Enable");
    assertThat(recorded.asyncAmd()).isTrue();
    assertThat(recorded.asyncAmdStatusCallback()).hasValue("https://app.example.com/amd");
    assertThat(recorded.param("Timeout")).hasValue("30");
    assertThat(recorded.param("TimeLimit")).hasValue("3600");
    assertThat(recorded.param("Record")).hasValue("false");
  }

  @Test
  void theSdkFetchesACallThroughItsLifecycle() {
    Call created = create();
    clock.advance(Duration.ofSeconds(3));
    api.setCallStatus(created.getSid(), "ringing");
    assertThat(Call.fetcher(created.getSid()).fetch(client).getStatus())
        .isEqualTo(Call.Status.RINGING);

    clock.advance(Duration.ofSeconds(2));
    api.setCallStatus(created.getSid(), "in-progress");
    Call answered = Call.fetcher(created.getSid()).fetch(client);
    assertThat(answered.getStatus()).isEqualTo(Call.Status.IN_PROGRESS);
    assertThat(answered.getStartTime())
        .isEqualTo(ZonedDateTime.of(2026, 3, 4, 5, 6, 12, 0, ZoneOffset.UTC));

    clock.advance(Duration.ofSeconds(61));
    api.setCallStatus(created.getSid(), "no-answer");
    Call ended = Call.fetcher(created.getSid()).fetch(client);
    assertThat(ended.getStatus()).isEqualTo(Call.Status.NO_ANSWER);
    assertThat(ended.getDuration()).isEqualTo("61");
    assertThat(ended.getEndTime()).isNotNull();
  }

  @Test
  void theSdkHangsUpAndRedirects() {
    Call created = create();
    api.setCallStatus(created.getSid(), "in-progress");

    Call redirected =
        Call.updater(created.getSid())
            .setTwiml(new Twiml("<Response><Say>Bye</Say></Response>"))
            .update(client);
    assertThat(redirected.getStatus()).isEqualTo(Call.Status.IN_PROGRESS);

    Call hungUp =
        Call.updater(created.getSid()).setStatus(Call.UpdateStatus.COMPLETED).update(client);
    assertThat(hungUp.getStatus()).isEqualTo(Call.Status.COMPLETED);
    assertThat(api.call(created.getSid()).lastTwiml())
        .hasValue("<Response><Say>Bye</Say></Response>");
    assertThat(api.call(created.getSid()).updates()).hasSize(2);
  }

  @Test
  void theSdkSeesAnEndedOrUnknownCallAsApiException20404() {
    Call created = create();
    Call.updater(created.getSid()).setStatus(Call.UpdateStatus.COMPLETED).update(client);

    assertThatThrownBy(
            () ->
                Call.updater(created.getSid())
                    .setStatus(Call.UpdateStatus.COMPLETED)
                    .update(client))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getStatusCode()).isEqualTo(404);
              assertThat(e.getCode()).isEqualTo(20404);
              assertThat(e.getMoreInfo()).isEqualTo("https://www.twilio.com/docs/errors/20404");
            });
    assertThatThrownBy(() -> Call.fetcher("CA00000000000000000000000000000000").fetch(client))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(20404));
  }

  @Test
  void theSdkSeesBadCredentialsAsApiException20003() {
    TwilioRestClient wrong = FakeTwilioApiSdkClient.restClient(api, api.accountSid(), "wrong");
    assertThatThrownBy(() -> Call.fetcher("CA00000000000000000000000000000000").fetch(wrong))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getStatusCode()).isEqualTo(401);
              assertThat(e.getCode()).isEqualTo(20003);
            });
  }

  @Test
  void theSdkSeesA429AsApiException20429() {
    api.failNext("POST", api.callsPath(), Fault.status(429).retryAfter(Duration.ofSeconds(1)));
    assertThatThrownBy(this::create)
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getStatusCode()).isEqualTo(429);
              assertThat(e.getCode()).isEqualTo(20429);
            });
    assertThat(api.callCount()).isZero();
  }

  @Test
  void theSdkRetriesA5xxOnItsOwnSoOneServerErrorIsInvisibleToIt() {
    api.failNext("POST", api.callsPath(), Fault.status(503));
    Call call = create();
    assertThat(call.getStatus()).isEqualTo(Call.Status.QUEUED);
    assertThat(api.requests()).hasSize(2);
    assertThat(api.callCount()).isEqualTo(1);

    // Three in a row exhaust its retries.
    for (int i = 0; i < 3; i++) {
      api.failNext(Fault.status(500));
    }
    assertThatThrownBy(this::create)
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(20500));
    assertThat(api.callCount()).isEqualTo(1);
  }

  @Test
  void theSdkFetchesTheAccount() {
    Account account = Account.fetcher(api.accountSid()).fetch(client);
    assertThat(account.getSid()).isEqualTo(api.accountSid());
    assertThat(account.getStatus()).isEqualTo(Account.Status.ACTIVE);
    assertThat(account.getType()).isEqualTo(Account.Type.FULL);
    assertThat(account.getDateCreated()).isNotNull();
  }
}
