package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class WebhookResponseTest {

  @Test
  void errorsAreJsonWithStatusCodeAndMessageEscaped() throws Exception {
    WebhookResponse response =
        WebhookResponse.error(400, "invalid_field", "field \"name\" is missing");
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.contentType()).isEqualTo("application/json");
    JsonNode error = new ObjectMapper().readTree(response.body()).path("error");
    assertThat(error.path("status").asInt()).isEqualTo(400);
    assertThat(error.path("code").asText()).isEqualTo("invalid_field");
    assertThat(error.path("message").asText()).isEqualTo("field \"name\" is missing");
  }

  @Test
  void statusMustBeAnHttpStatus() {
    assertThatThrownBy(() -> WebhookResponse.empty(42)).hasMessageContaining("100-599");
    assertThat(WebhookResponse.xml("<Response/>").withHeader("X-A", "b").headers())
        .containsEntry("X-A", "b");
  }
}
