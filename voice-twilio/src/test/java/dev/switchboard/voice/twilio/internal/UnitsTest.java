package dev.switchboard.voice.twilio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.ProviderException;
import dev.switchboard.core.voice.TransferTarget;
import dev.switchboard.testing.ControllableClock;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** TwiML, frame parsing, stream tokens and REST error mapping, without the fakes. */
class UnitsTest {
  @Test
  void twimlIsBuiltWithTheSdkAndEscaped() {
    String xml =
        TwimlFactory.connectStream(
            new TwimlFactory.StreamTarget(
                "wss://x.example.com/twilio/media",
                "tok",
                Map.of("a", "<&\""),
                "https://x.example.com/twilio/stream-status"));
    assertThat(xml)
        .contains(
            "<Connect><Stream statusCallback=\"https://x.example.com/twilio/stream-status\""
                + " statusCallbackMethod=\"POST\" url=\"wss://x.example.com/twilio/media\">"
                + "<Parameter name=\"switchboard_token\" value=\"tok\"/>")
        .contains("<Parameter name=\"a\" value=\"&lt;&amp;&quot;\"/>");
    assertThat(TwimlFactory.dial(TransferTarget.phoneNumber("+14155550100")))
        .contains("<Dial><Number>+14155550100</Number></Dial>");
    assertThat(TwimlFactory.reject()).contains("<Reject/>");
    assertThatThrownBy(() -> TwimlFactory.requireInlineSize("x".repeat(4001), "the call"))
        .hasMessageContaining("4000");
  }

  @Test
  void framesAreParsedTolerantly() {
    assertThat(
            MediaFrames.parse(
                "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"extra\":1,\"start\":{\"streamSid\":\"MZ1\","
                    + "\"callSid\":\"CA1\",\"accountSid\":\"AC1\",\"tracks\":[\"inbound\"],"
                    + "\"customParameters\":{\"k\":\"v\"},\"mediaFormat\":{\"encoding\":"
                    + "\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1}},\"streamSid\":\"MZ1\"}"))
        .isEqualTo(
            new MediaFrames.Start("MZ1", "CA1", "AC1", Map.of("k", "v"), "audio/x-mulaw", 8000, 1));
    assertThat(
            MediaFrames.parse(
                "{\"event\":\"media\",\"media\":{\"payload\":\"/w==\",\"track\":\"inbound\"}}"))
        .isEqualTo(new MediaFrames.Media("/w==", "inbound"));
    assertThat(MediaFrames.parse("{\"event\":\"mark\",\"mark\":{\"name\":\"m\"}}"))
        .isEqualTo(new MediaFrames.Mark("m"));
    assertThat(MediaFrames.parse("{\"event\":\"dtmf\",\"dtmf\":{\"digit\":\"5\"}}"))
        .isEqualTo(new MediaFrames.Dtmf("5"));
    assertThat(MediaFrames.parse("{\"event\":\"new\"}")).isEqualTo(new MediaFrames.Unknown("new"));
    assertThat(MediaFrames.parse("nope")).isInstanceOf(MediaFrames.Malformed.class);
    assertThat(MediaFrames.parse("[1]")).isInstanceOf(MediaFrames.Malformed.class);
    assertThat(MediaFrames.parse("{\"event\":\"media\"}"))
        .isInstanceOf(MediaFrames.Malformed.class);
    assertThat(MediaFrames.isBase64("/w==")).isTrue();
    assertThat(MediaFrames.isBase64("/w=a")).isFalse();
    assertThat(MediaFrames.isBase64("!!!!")).isFalse();
    assertThat(MediaFrames.media("MZ1", "AA=="))
        .isEqualTo("{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"AA==\"}}");
    assertThat(MediaFrames.clear("MZ1")).isEqualTo("{\"event\":\"clear\",\"streamSid\":\"MZ1\"}");
  }

  @Test
  void mediaAndMarkFramesReadTheSameWhateverTheirShape() {
    // Field order, nesting, extra fields of every kind: Twilio's own order is event, sequence,
    // media, streamSid; the streaming path must not depend on it.
    assertThat(
            MediaFrames.parse(
                "{\"sequenceNumber\":\"4\",\"media\":{\"track\":\"inbound\",\"chunk\":\"2\","
                    + "\"timestamp\":\"5\",\"x\":{\"y\":[1,{\"payload\":\"no\"}]},"
                    + "\"payload\":\"/w==\"},\"streamSid\":\"MZ1\",\"event\":\"media\"}"))
        .isEqualTo(new MediaFrames.Media("/w==", "inbound"));
    assertThat(MediaFrames.parse("{\"event\":\"media\",\"media\":{\"payload\":\"AAAA\"}}"))
        .isEqualTo(new MediaFrames.Media("AAAA", ""));
    // The last of duplicate fields wins, as in a tree.
    assertThat(
            MediaFrames.parse(
                "{\"event\":\"mark\",\"mark\":{\"name\":\"a\"},\"mark\":{\"name\":\"b\"}}"))
        .isEqualTo(new MediaFrames.Mark("b"));
    assertThat(MediaFrames.parse("{\"event\":\"mark\",\"mark\":{\"name\":\"q\\\"\\u00e9\"}}"))
        .isEqualTo(new MediaFrames.Mark("q\"\u00e9"));
    // Wrong types count as absent.
    assertThat(MediaFrames.parse("{\"event\":\"media\",\"media\":{\"payload\":5}}"))
        .isEqualTo(new MediaFrames.Malformed("media without media.payload"));
    assertThat(MediaFrames.parse("{\"event\":\"media\",\"media\":[\"/w==\"]}"))
        .isEqualTo(new MediaFrames.Malformed("media without media.payload"));
    assertThat(MediaFrames.parse("{\"event\":\"mark\",\"mark\":{\"name\":null}}"))
        .isEqualTo(new MediaFrames.Malformed("mark without mark.name"));
    assertThat(MediaFrames.parse("{\"event\":7,\"media\":{\"payload\":\"/w==\"}}"))
        .isEqualTo(new MediaFrames.Malformed("no event"));
    // Incomplete or broken JSON is not JSON, whichever path reads it.
    assertThat(MediaFrames.parse("{\"event\":\"media\",\"media\":{\"payload\":\"/w==\"}"))
        .isEqualTo(new MediaFrames.Malformed("not JSON"));
    assertThat(MediaFrames.parse("{\"event\":\"media\",\"media\":{\"payload\":\"/w==\"}}}"))
        .isEqualTo(new MediaFrames.Media("/w==", ""));
    assertThat(MediaFrames.parse("{\"event\":\"media\" \"media\":{}}"))
        .isEqualTo(new MediaFrames.Malformed("not JSON"));
    // Other events still go through the tree.
    assertThat(MediaFrames.parse("{\"media\":{\"payload\":\"/w==\"},\"event\":\"stop\"}"))
        .isEqualTo(new MediaFrames.Stop());
  }

  @Test
  void framesAreWrittenFromTemplatesAndEscapedWhereNeeded() throws Exception {
    MediaFrames.Writer plain = new MediaFrames.Writer("MZ1");
    assertThat(plain.mark("g0-1"))
        .isEqualTo("{\"event\":\"mark\",\"streamSid\":\"MZ1\",\"mark\":{\"name\":\"g0-1\"}}");
    assertThat(plain.clear()).isEqualTo("{\"event\":\"clear\",\"streamSid\":\"MZ1\"}");

    // Whatever the text, the frame is JSON that reads back to it.
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    MediaFrames.Writer odd = new MediaFrames.Writer("MZ\"\\\n\u00e9");
    com.fasterxml.jackson.databind.JsonNode media = json.readTree(odd.media("a\"b}"));
    assertThat(media.path("streamSid").asText()).isEqualTo("MZ\"\\\n\u00e9");
    assertThat(media.path("media").path("payload").asText()).isEqualTo("a\"b}");
    com.fasterxml.jackson.databind.JsonNode mark = json.readTree(odd.mark("m\"\u2028\u0001"));
    assertThat(mark.path("mark").path("name").asText()).isEqualTo("m\"\u2028\u0001");
    assertThat(MediaFrames.parse(odd.mark("m\"x"))).isEqualTo(new MediaFrames.Mark("m\"x"));
  }

  @Test
  void tokensAreOneTimeExpiringAndBoundToTheirCall() {
    ControllableClock clock = ControllableClock.create();
    StreamTokens tokens = new StreamTokens(clock, Duration.ofMinutes(2));
    String t = tokens.issue(null);
    assertThat(t).hasSize(43);
    tokens.bind(t, "CA1");
    assertThat(tokens.consume(t, "CA2")).isEqualTo(StreamTokens.Check.WRONG_CALL);
    assertThat(tokens.consume(t, "CA1")).isEqualTo(StreamTokens.Check.ACCEPTED);
    assertThat(tokens.consume(t, "CA1")).isEqualTo(StreamTokens.Check.REUSED);
    assertThat(tokens.consume(null, "CA1")).isEqualTo(StreamTokens.Check.MISSING);
    assertThat(tokens.consume("x", "CA1")).isEqualTo(StreamTokens.Check.UNKNOWN);
    String late = tokens.issue("CA3");
    clock.advance(Duration.ofMinutes(2));
    assertThat(tokens.consume(late, "CA3")).isEqualTo(StreamTokens.Check.EXPIRED);
  }

  @Test
  void restErrorsAreMappedInOnePlace() {
    ProviderException e =
        TwilioErrors.fromResponse(
            "POST",
            "/x",
            404,
            "{\"code\":20404,\"message\":\"not found\",\"status\":404}",
            null,
            Clock.systemUTC());
    assertThat(e.httpStatus()).isEqualTo(404);
    assertThat(e.providerCode()).contains("20404");
    assertThat(e.isRetryable()).isFalse();
    ProviderException limited =
        TwilioErrors.fromResponse("GET", "/x", 429, "", "3", Clock.systemUTC());
    assertThat(limited.retryAfter()).contains(Duration.ofSeconds(3));
    assertThat(limited.isRetryable()).isTrue();
    ProviderException auth =
        TwilioErrors.fromResponse("GET", "/x", 401, "{\"code\":20003}", null, Clock.systemUTC());
    assertThat(auth.getMessage()).contains("credentials");
    assertThat(TwilioErrors.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Clock.systemUTC()))
        .isEqualTo(Duration.ZERO);
  }

  @Test
  void thePostIsSentOnceWhenTheConnectionDropsAfterTheRequest() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(
          new MockResponse.Builder()
              .onResponseStart(SocketEffect.ShutdownConnection.INSTANCE)
              .build());
      server.enqueue(new MockResponse.Builder().code(201).body("{\"sid\":\"CA1\"}").build());
      server.start();
      AtomicInteger failures = new AtomicInteger();
      TwilioHttpClient client =
          new TwilioHttpClient(
              new OkHttpClient(),
              URI.create(server.url("/").toString()),
              Clock.systemUTC(),
              f -> failures.incrementAndGet());
      com.twilio.http.Request request =
          new com.twilio.http.Request(
              com.twilio.http.HttpMethod.POST, "api", "/2010-04-01/Accounts/AC1/Calls.json");
      request.addPostParam("To", "+1");
      assertThatThrownBy(() -> client.reliableRequest(request))
          .isInstanceOf(ProviderException.class);
      assertThat(server.getRequestCount()).isEqualTo(1);
      assertThat(failures).hasValue(1);
    }
  }
}
