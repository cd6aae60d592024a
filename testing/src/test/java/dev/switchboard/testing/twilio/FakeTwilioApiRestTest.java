package dev.switchboard.testing.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.testing.ControllableClock;
import dev.switchboard.testing.twilio.FakeTwilioApi.RecordedRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Credentials;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST resources as any HTTP client sees them. */
class FakeTwilioApiRestTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY_SID = "SK0123456789abcdef0123456789abcdef";

  private final ControllableClock clock =
      ControllableClock.at(Instant.parse("2026-03-04T05:06:07Z"));
  private final OkHttpClient http =
      new OkHttpClient.Builder()
          .retryOnConnectionFailure(false)
          .readTimeout(Duration.ofSeconds(5))
          .build();
  private FakeTwilioApi api;

  @BeforeEach
  void start() {
    api = FakeTwilioApi.builder().clock(clock).apiKey(KEY_SID, "key-secret").build();
    api.start();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  /** A status and the parsed JSON body. */
  record Answer(int status, JsonNode json, okhttp3.Headers headers) {}

  private Answer send(Request.Builder request, String user, String password) throws IOException {
    request.header("Authorization", Credentials.basic(user, password));
    try (Response response = http.newCall(request.build()).execute()) {
      return new Answer(
          response.code(), JSON.readTree(response.body().string()), response.headers());
    }
  }

  private Answer post(String path, String... form) throws IOException {
    FormBody.Builder body = new FormBody.Builder();
    for (int i = 0; i < form.length; i += 2) {
      body.add(form[i], form[i + 1]);
    }
    return send(
        new Request.Builder().url(api.baseUrl() + path).post(body.build()),
        api.accountSid(),
        api.authToken());
  }

  private Answer get(String path) throws IOException {
    return send(new Request.Builder().url(api.baseUrl() + path), api.accountSid(), api.authToken());
  }

  private String callsJson() {
    return api.callsPath() + ".json";
  }

  private String createCall(String... extra) throws IOException {
    String[] form = new String[6 + extra.length];
    form[0] = "To";
    form[1] = "+14155550100";
    form[2] = "From";
    form[3] = "+14155550199";
    form[4] = "Twiml";
    form[5] = "<Response><Say>Hi</Say></Response>";
    System.arraycopy(extra, 0, form, 6, extra.length);
    Answer answer = post(callsJson(), form);
    assertThat(answer.status()).isEqualTo(201);
    return answer.json().get("sid").asText();
  }

  @Test
  void createAnswers201WithATwilioShapedQueuedCall() throws IOException {
    Answer answer =
        post(
            callsJson(),
            "To",
            "+14155550100",
            "From",
            "+14155550199",
            "Url",
            "https://app.example.com/twiml");

    assertThat(answer.status()).isEqualTo(201);
    JsonNode call = answer.json();
    assertThat(call.get("sid").asText()).matches("CA[0-9a-f]{32}");
    assertThat(call.get("account_sid").asText()).isEqualTo(api.accountSid());
    assertThat(call.get("to").asText()).isEqualTo("+14155550100");
    assertThat(call.get("to_formatted").asText()).isEqualTo("(415) 555-0100");
    assertThat(call.get("from").asText()).isEqualTo("+14155550199");
    assertThat(call.get("status").asText()).isEqualTo("queued");
    assertThat(call.get("direction").asText()).isEqualTo("outbound-api");
    assertThat(call.get("api_version").asText()).isEqualTo("2010-04-01");
    assertThat(call.get("date_created").asText()).isEqualTo("Wed, 04 Mar 2026 05:06:07 +0000");
    assertThat(call.get("date_updated").asText()).isEqualTo("Wed, 04 Mar 2026 05:06:07 +0000");
    assertThat(call.get("start_time").isNull()).isTrue();
    assertThat(call.get("end_time").isNull()).isTrue();
    assertThat(call.get("duration").isNull()).isTrue();
    assertThat(call.get("uri").asText())
        .isEqualTo(api.callsPath() + "/" + call.get("sid").asText() + ".json");
    assertThat(call.get("subresource_uris").get("recordings").asText())
        .endsWith("/Recordings.json");
    assertThat(answer.headers().get("Content-Type")).startsWith("application/json");
    assertThat(api.callCount()).isEqualTo(1);
    assertThat(api.call(call.get("sid").asText()).urlHistory())
        .containsExactly("https://app.example.com/twiml");
  }

  @Test
  void createRecordsEveryParameterIncludingRepeatedOnes() throws IOException {
    String sid =
        createCall(
            "StatusCallback", "https://app.example.com/status",
            "StatusCallbackEvent", "initiated",
            "StatusCallbackEvent", "ringing",
            "StatusCallbackEvent", "answered",
            "StatusCallbackEvent", "completed",
            "MachineDetection", "DetectMessageEnd",
            "AsyncAmd", "true",
            "AsyncAmdStatusCallback", "https://app.example.com/amd",
            "Timeout", "25",
            "TimeLimit", "600",
            "Record", "true");

    FakeCall call = api.call(sid);
    assertThat(call.statusCallback()).hasValue("https://app.example.com/status");
    assertThat(call.statusCallbackEvents())
        .containsExactly("initiated", "ringing", "answered", "completed");
    assertThat(call.machineDetection()).hasValue("DetectMessageEnd");
    assertThat(call.asyncAmd()).isTrue();
    assertThat(call.asyncAmdStatusCallback()).hasValue("https://app.example.com/amd");
    assertThat(call.param("Timeout")).hasValue("25");
    assertThat(call.param("TimeLimit")).hasValue("600");
    assertThat(call.param("Record")).hasValue("true");
    assertThat(call.twimlHistory()).containsExactly("<Response><Say>Hi</Say></Response>");
    assertThat(call.dateCreated()).isEqualTo(clock.instant());

    RecordedRequest request = api.requests().get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo(callsJson());
    assertThat(request.paramValues("StatusCallbackEvent")).hasSize(4);
    assertThat(request.header("content-type"))
        .hasValueSatisfying(v -> assertThat(v).contains("form"));
    assertThat(request.time()).isEqualTo(clock.instant());
  }

  @Test
  void fetchReturnsTheCallAndAnUnknownSidIs404With20404() throws IOException {
    String sid = createCall();
    Answer fetched = get(api.callPath(sid));
    assertThat(fetched.status()).isEqualTo(200);
    assertThat(fetched.json().get("sid").asText()).isEqualTo(sid);

    Answer missing = get(api.callPath("CA00000000000000000000000000000000"));
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().get("code").asInt()).isEqualTo(20404);
    assertThat(missing.json().get("status").asInt()).isEqualTo(404);
    assertThat(missing.json().get("more_info").asText())
        .isEqualTo("https://www.twilio.com/docs/errors/20404");
  }

  @Test
  void hangingUpCompletesTheCallAndASecondHangUpIs404With20404() throws IOException {
    String sid = createCall();
    api.setCallStatus(sid, "in-progress");
    clock.advance(Duration.ofSeconds(42));

    Answer hungUp = post(api.callPath(sid), "Status", "completed");
    assertThat(hungUp.status()).isEqualTo(200);
    assertThat(hungUp.json().get("status").asText()).isEqualTo("completed");
    assertThat(hungUp.json().get("duration").asText()).isEqualTo("42");
    assertThat(hungUp.json().get("end_time").asText()).isEqualTo("Wed, 04 Mar 2026 05:06:49 +0000");
    assertThat(api.call(sid).status()).isEqualTo("completed");
    assertThat(api.call(sid).durationSeconds()).hasValue(42);

    Answer again = post(api.callPath(sid), "Status", "completed");
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.json().get("code").asInt()).isEqualTo(20404);
    assertThat(again.json().get("message").asText()).contains("not in-progress");
  }

  @Test
  void cancelingEndsAQueuedCallButLeavesAnAnsweredOneAlone() throws IOException {
    String queued = createCall();
    assertThat(post(api.callPath(queued), "Status", "canceled").json().get("status").asText())
        .isEqualTo("canceled");

    String answered = createCall();
    api.setCallStatus(answered, "in-progress");
    assertThat(post(api.callPath(answered), "Status", "canceled").json().get("status").asText())
        .isEqualTo("in-progress");
  }

  @Test
  void redirectsAreKeptInTheCallsHistory() throws IOException {
    String sid = createCall();
    api.setCallStatus(sid, "in-progress");

    assertThat(post(api.callPath(sid), "Twiml", "<Response><Hangup/></Response>").status())
        .isEqualTo(200);
    assertThat(post(api.callPath(sid), "Url", "https://app.example.com/next").status())
        .isEqualTo(200);

    FakeCall call = api.call(sid);
    assertThat(call.twimlHistory())
        .containsExactly("<Response><Say>Hi</Say></Response>", "<Response><Hangup/></Response>");
    assertThat(call.lastTwiml()).hasValue("<Response><Hangup/></Response>");
    assertThat(call.urlHistory()).containsExactly("https://app.example.com/next");
    assertThat(call.updates()).hasSize(2);
    assertThat(call.status()).isEqualTo("in-progress");
  }

  @Test
  void updatingAnUnknownCallIs404With20404() throws IOException {
    Answer answer = post(api.callPath("CA11111111111111111111111111111111"), "Status", "completed");
    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.json().get("code").asInt()).isEqualTo(20404);
  }

  @Test
  void validationErrorsAre400WithTwilioCodes() throws IOException {
    assertError(post(callsJson(), "From", "+1", "Url", "https://a.example/x"), 400, 21201);
    assertError(post(callsJson(), "To", "+1", "Url", "https://a.example/x"), 400, 21213);
    assertError(post(callsJson(), "To", "+1", "From", "+2"), 400, 21205);
    assertError(
        post(callsJson(), "To", "+1", "From", "+2", "Url", "https://a.example/x", "Twiml", "<R/>"),
        400,
        21205);
    assertError(post(callsJson(), "To", "+1", "From", "+2", "Url", "not a url"), 400, 21205);
    assertError(post(callsJson(), "To", "+1", "From", "+2", "Twiml", "x".repeat(4001)), 400, 32018);
    assertThat(post(callsJson(), "To", "+1", "From", "+2", "Twiml", "x".repeat(4000)).status())
        .isEqualTo(201);
    String sid = createCall();
    assertError(post(api.callPath(sid), "Status", "busy"), 400, 20001);
    assertThat(api.callCount()).isEqualTo(2);
  }

  @Test
  void wrongOrMissingCredentialsAre401With20003() throws IOException {
    Request.Builder create =
        new Request.Builder()
            .url(api.baseUrl() + callsJson())
            .post(
                new FormBody.Builder()
                    .add("To", "+1")
                    .add("From", "+2")
                    .add("Url", "https://a.example")
                    .build());
    Answer wrong = send(create, api.accountSid(), "not-the-token");
    assertError(wrong, 401, 20003);
    assertThat(wrong.headers().get("WWW-Authenticate")).startsWith("Basic");

    try (Response missing = http.newCall(create.removeHeader("Authorization").build()).execute()) {
      assertThat(missing.code()).isEqualTo(401);
      assertThat(JSON.readTree(missing.body().string()).get("code").asInt()).isEqualTo(20003);
    }
    assertThat(api.callCount()).isZero();
    assertThat(api.requests()).hasSize(2);
  }

  @Test
  void anApiKeyIsAcceptedForBasicAuth() throws IOException {
    Answer answer =
        send(
            new Request.Builder()
                .url(api.baseUrl() + callsJson())
                .post(
                    new FormBody.Builder()
                        .add("To", "+14155550100")
                        .add("From", "+14155550199")
                        .add("ApplicationSid", "AP0123456789abcdef0123456789abcdef")
                        .build()),
            KEY_SID,
            "key-secret");
    assertThat(answer.status()).isEqualTo(201);
    assertError(
        send(new Request.Builder().url(api.baseUrl() + callsJson()), KEY_SID, "wrong"), 401, 20003);
  }

  @Test
  void theAccountResourceDescribesAnActiveFullAccount() throws IOException {
    Answer answer = get("/2010-04-01/Accounts/" + api.accountSid() + ".json");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().get("sid").asText()).isEqualTo(api.accountSid());
    assertThat(answer.json().get("status").asText()).isEqualTo("active");
    assertThat(answer.json().get("type").asText()).isEqualTo("Full");
    assertThat(answer.json().get("friendly_name").asText()).isNotBlank();
    assertThat(answer.json().get("date_created").asText()).endsWith("+0000");
  }

  @Test
  void anotherAccountOrAnUnknownPathIs404() throws IOException {
    assertError(
        get("/2010-04-01/Accounts/AC99999999999999999999999999999999/Calls/CA1.json"), 404, 20404);
    assertError(get("/2010-04-01/Accounts/" + api.accountSid() + "/Messages.json"), 404, 20404);
    assertError(get("/"), 404, 20404);
    assertError(get(callsJson()), 404, 20404);
  }

  @Test
  void awaitRequestReturnsARequestThatArrivesDuringTheWait() throws Exception {
    CompletableFuture<RecordedRequest> awaited =
        CompletableFuture.supplyAsync(
            () -> api.awaitRequest(r -> r.param("Status").isPresent(), Duration.ofSeconds(10)));
    String sid = createCall();
    post(api.callPath(sid), "Status", "completed");

    RecordedRequest hangUp = awaited.get(10, TimeUnit.SECONDS);
    assertThat(hangUp.path()).isEqualTo(api.callPath(sid));
    assertThatThrownBy(
            () -> api.awaitRequest(r -> r.method().equals("DELETE"), Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void awaitCallWaitsUntilACallChanges() throws Exception {
    String sid = createCall();
    CompletableFuture<FakeCall> ended =
        CompletableFuture.supplyAsync(() -> api.awaitCall(FakeCall::ended, Duration.ofSeconds(10)));
    post(api.callPath(sid), "Status", "completed");
    assertThat(ended.get(10, TimeUnit.SECONDS).sid()).isEqualTo(sid);
  }

  @Test
  void theBuilderRefusesBadSettingsNamingThem() {
    assertThatThrownBy(() -> FakeTwilioApi.builder().accountSid("AC123").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("accountSid");
    assertThatThrownBy(() -> FakeTwilioApi.builder().authToken(" ").build())
        .hasMessageContaining("authToken");
    assertThatThrownBy(() -> FakeTwilioApi.builder().apiKey("AK1", "s").build())
        .hasMessageContaining("SK");
    assertThatThrownBy(() -> FakeTwilioApi.builder().callbackTimeout(Duration.ZERO).build())
        .hasMessageContaining("callbackTimeout");
    assertThatThrownBy(() -> api.setCallStatus("CA1", "in-progress"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> api.start()).isInstanceOf(IllegalStateException.class);
  }

  private static void assertError(Answer answer, int status, int code) {
    assertThat(answer.status()).as(answer.json().toString()).isEqualTo(status);
    assertThat(answer.json().get("code").asInt()).as(answer.json().toString()).isEqualTo(code);
    assertThat(answer.json().get("status").asInt()).isEqualTo(status);
    assertThat(answer.json().get("message").asText()).isNotBlank();
    assertThat(answer.json().get("more_info").asText()).endsWith("/" + code);
  }
}
