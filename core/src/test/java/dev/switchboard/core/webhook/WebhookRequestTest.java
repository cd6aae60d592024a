package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookRequestTest {

  @Test
  void aFormBodyAndTheQueryBecomeParameters() {
    byte[] body =
        "CallSid=CA1&From=%2B14155550100&Digits=1&Digits=2".getBytes(StandardCharsets.UTF_8);
    WebhookRequest request =
        WebhookRequest.builder("post", URI.create("https://example.com/voice?tenant=a%20b"))
            .header("x-twilio-signature", "sig")
            .body(body, "application/x-www-form-urlencoded; charset=UTF-8")
            .remoteAddress("203.0.113.7")
            .build();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.parameter("tenant")).contains("a b");
    assertThat(request.parameter("From")).contains("+14155550100");
    assertThat(request.parameters().get("Digits")).containsExactly("1", "2");
    assertThat(request.firstParameters()).containsEntry("Digits", "1").containsKey("tenant");
    assertThat(request.bodyParameters())
        .containsEntry("Digits", "1")
        .containsEntry("From", "+14155550100")
        .doesNotContainKey("tenant");
    assertThat(request.header("X-Twilio-Signature")).contains("sig");
    assertThat(request.header("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/x-www"));
    assertThat(request.bodyText()).startsWith("CallSid=CA1");
    assertThat(request.remoteAddress()).isEqualTo("203.0.113.7");
  }

  @Test
  void aJsonBodyIsKeptRawAndNotParsed() {
    WebhookRequest request =
        WebhookRequest.builder("POST", URI.create("https://example.com/ultravox"))
            .body("{\"event\":\"call.ended\"}".getBytes(StandardCharsets.UTF_8), "application/json")
            .build();
    assertThat(request.parameters()).isEmpty();
    assertThat(request.body().remaining()).isEqualTo(22);
  }

  @Test
  void malformedFormEncodingIsRejectedByName() {
    assertThatThrownBy(
            () ->
                WebhookRequest.builder("POST", URI.create("https://example.com/x"))
                    .body(
                        "Body=%zz".getBytes(StandardCharsets.UTF_8),
                        "application/x-www-form-urlencoded"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed form encoding")
        .hasMessageContaining("Body");
  }

  @Test
  void toStringShowsNeitherHeadersNorBody() {
    WebhookRequest request =
        WebhookRequest.builder("POST", URI.create("https://example.com/x"))
            .header("X-Twilio-Signature", "secret-signature")
            .body(
                "Body=hello".getBytes(StandardCharsets.UTF_8), "application/x-www-form-urlencoded")
            .build();
    assertThat(request.toString()).isEqualTo("WebhookRequest[POST https://example.com/x]");
  }

  @Test
  void theBodysContentTypeReplacesOneCopiedBefore() {
    WebhookRequest request =
        WebhookRequest.builder("POST", URI.create("https://example.com/x"))
            .header("content-type", "text/plain")
            .body("a=1".getBytes(StandardCharsets.UTF_8), "application/x-www-form-urlencoded")
            .build();
    assertThat(request.headers().get("Content-Type"))
        .containsExactly("application/x-www-form-urlencoded");
    assertThat(request.parameter("a")).contains("1");
  }
}
