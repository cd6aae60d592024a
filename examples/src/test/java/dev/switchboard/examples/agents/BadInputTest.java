package dev.switchboard.examples.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.examples.agents.ServiceFixture.Reply;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every kind of bad input gets a JSON error with its status, a code, the field at fault and the
 * request id (the same as the {@code X-Request-Id} header), and nothing reaches Twilio.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
  private static final String UNKNOWN_ID = "0b7c6a52-1d5e-4f39-9a51-6f0b0f2d7e11";

  private ServiceFixture fx;
  private String agentId;

  @BeforeAll
  void start() {
    fx = new ServiceFixture();
    agentId = fx.createAgent("caller", "Call {{name}} about {{user.day}}.");
  }

  @AfterAll
  void stop() {
    fx.close();
  }

  /** Asserts the error shape and returns the error object. */
  private static JsonNode assertError(
      Reply reply, int status, String code, @Nullable String field) {
    assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
    JsonNode error = reply.error();
    assertThat(error.path("status").asInt()).isEqualTo(status);
    assertThat(error.path("code").asText()).as(reply.toString()).isEqualTo(code);
    assertThat(error.path("message").asText()).isNotBlank();
    if (field == null) {
      assertThat(error.has("field")).as(reply.toString()).isFalse();
    } else {
      assertThat(error.path("field").asText()).as(reply.toString()).isEqualTo(field);
    }
    String requestId = reply.header(RequestIds.HEADER);
    assertThat(requestId).isNotBlank();
    assertThat(error.path("requestId").asText()).isEqualTo(requestId);
    assertThat(reply.header("Content-Type")).startsWith("application/json");
    return error;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "missing name             | {\"prompt\": \"p\"}                                  | missing_field | name",
        "null name                | {\"name\": null, \"prompt\": \"p\"}                  | missing_field | name",
        "blank name               | {\"name\": \"  \", \"prompt\": \"p\"}                | missing_field | name",
        "missing prompt           | {\"name\": \"n\"}                                    | missing_field | prompt",
        "blank prompt             | {\"name\": \"n\", \"prompt\": \"\"}                  | missing_field | prompt",
        "name not a string        | {\"name\": 42, \"prompt\": \"p\"}                    | invalid_field | name",
        "temperature above 1      | {\"name\": \"n\", \"prompt\": \"p\", \"temperature\": 1.5}   | invalid_field | temperature",
        "temperature below 0      | {\"name\": \"n\", \"prompt\": \"p\", \"temperature\": -0.1}  | invalid_field | temperature",
        "temperature as string    | {\"name\": \"n\", \"prompt\": \"p\", \"temperature\": \"0.5\"} | invalid_field | temperature",
        "voice not a string       | {\"name\": \"n\", \"prompt\": \"p\", \"voice\": [\"Mark\"]}  | invalid_field | voice",
        "maxDuration in words     | {\"name\": \"n\", \"prompt\": \"p\", \"maxDuration\": \"ten minutes\"} | invalid_field | maxDuration",
        "maxDuration negative     | {\"name\": \"n\", \"prompt\": \"p\", \"maxDuration\": -5}    | invalid_field | maxDuration",
        "languageHint not a tag   | {\"name\": \"n\", \"prompt\": \"p\", \"languageHint\": \"english please\"} | invalid_field | languageHint",
        "unknown field            | {\"name\": \"n\", \"prompt\": \"p\", \"promt\": \"x\"}      | unknown_field | promt",
        "duplicate field          | {\"name\": \"n\", \"name\": \"m\", \"prompt\": \"p\"}        | invalid_json  | name",
      })
  void badAgentBodiesAreRefusedNamingTheField(
      String description, String body, String code, String field) {
    Reply create = fx.post("/agents", body);
    assertError(create, 400, code, field);
    Reply replace = fx.put("/agents/" + agentId, body);
    assertError(replace, 400, code, field);
  }

  @Test
  void aNameOver64CharactersIsRefused() {
    Reply reply = fx.post("/agents", "{\"name\": \"" + "n".repeat(65) + "\", \"prompt\": \"p\"}");

    JsonNode error = assertError(reply, 400, "invalid_field", "name");
    assertThat(error.path("message").asText()).contains("64").contains("65");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not JSON         | name=front-desk",
        "truncated        | {\"name\": \"n\", ",
        "trailing garbage | {\"name\": \"n\", \"prompt\": \"p\"} x",
        "an array         | [{\"name\": \"n\", \"prompt\": \"p\"}]",
        "a string         | \"hello\"",
      })
  void malformedJsonIsRefused(String description, String body) {
    Reply reply = fx.post("/agents", body);

    assertError(reply, 400, "invalid_json", null);
  }

  @Test
  void anEmptyBodyIsRefused() {
    assertError(fx.post("/agents", ""), 400, "invalid_json", null);
  }

  @Test
  void aBodyThatIsNotJsonByItsContentTypeIsRefused() {
    Reply reply =
        fx.send(
            "POST", "/agents", "name=n&prompt=p", "application/x-www-form-urlencoded", Map.of());

    assertError(reply, 415, "unsupported_media_type", null);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no plus         | 14155550123",
        "spaces          | +1 415 555 0123",
        "leading zero    | +04155550123",
        "too long        | +1415555012345678",
        "letters         | +1415CALLNOW",
      })
  void aPhoneNumberThatIsNotE164IsRefused(String description, String phone) {
    Reply reply =
        fx.post(
            "/calls/" + agentId,
            "{\"phoneNumber\": \""
                + phone
                + "\", \"templateContext\": {\"name\": \"Ada\", \"user\": {\"day\": \"Monday\"}}}");

    assertError(reply, 400, "invalid_field", "phoneNumber");
    assertThat(fx.twilioApi.callCount()).isZero();
  }

  @Test
  void aMissingPhoneNumberIsRefused() {
    assertError(
        fx.post("/calls/" + agentId, "{\"templateContext\": {}}"),
        400,
        "missing_field",
        "phoneNumber");
  }

  @Test
  void aTemplateVariableThePromptDoesNotUseIsRefusedNamingIt() {
    Reply reply =
        fx.post(
            "/calls/" + agentId,
            "{\"phoneNumber\": \"+14155550123\", \"templateContext\": {\"name\": \"Ada\","
                + " \"user\": {\"day\": \"Monday\"}, \"nickname\": \"A\"}}");

    JsonNode error =
        assertError(reply, 400, "unknown_template_variable", "templateContext.nickname");
    assertThat(error.path("message").asText()).contains("{{name}}").contains("{{user.day}}");
    assertThat(fx.twilioApi.callCount()).isZero();
  }

  @Test
  void aNestedTemplateVariableThePromptDoesNotUseIsRefusedWithItsPath() {
    Reply reply =
        fx.post(
            "/calls/" + agentId,
            "{\"phoneNumber\": \"+14155550123\", \"templateContext\": {\"name\": \"Ada\","
                + " \"user\": {\"day\": \"Monday\", \"email\": \"a@example.com\"}}}");

    assertError(reply, 400, "unknown_template_variable", "templateContext.user.email");
  }

  @Test
  void aTemplateVariableThePromptUsesButTheContextLacksIsRefused() {
    Reply reply =
        fx.post(
            "/calls/" + agentId,
            "{\"phoneNumber\": \"+14155550123\", \"templateContext\": {\"name\": \"Ada\"}}");

    assertError(reply, 400, "missing_template_variable", "templateContext.user.day");
    assertThat(fx.ultravox.calls()).isEmpty();
  }

  @Test
  void aTemplateContextThatIsNotAnObjectIsRefused() {
    Reply reply =
        fx.post(
            "/calls/" + agentId,
            "{\"phoneNumber\": \"+14155550123\", \"templateContext\": [\"Ada\"]}");

    assertError(reply, 400, "invalid_field", "templateContext");
  }

  @Test
  void aNullTemplateValueIsRefused() {
    Reply reply =
        fx.post(
            "/calls/" + agentId,
            "{\"phoneNumber\": \"+14155550123\", \"templateContext\": {\"name\": null}}");

    assertError(reply, 400, "invalid_field", "templateContext.name");
  }

  @Test
  void anUnknownAgentIsA404Everywhere() {
    assertError(fx.get("/agents/" + UNKNOWN_ID), 404, "agent_not_found", null);
    assertError(
        fx.put("/agents/" + UNKNOWN_ID, "{\"name\": \"n\", \"prompt\": \"p\"}"),
        404,
        "agent_not_found",
        null);
    assertError(fx.delete("/agents/" + UNKNOWN_ID), 404, "agent_not_found", null);
    assertError(
        fx.post("/calls/" + UNKNOWN_ID, "{\"phoneNumber\": \"+14155550123\"}"),
        404,
        "agent_not_found",
        null);
    assertThat(fx.twilioApi.callCount()).isZero();
  }

  @Test
  void anIdThatCannotBeAnAgentsIsA404WithoutAskingUltravox() {
    int before = fx.ultravox.requests().size();

    assertError(fx.get("/agents/not-an-id"), 404, "agent_not_found", null);
    assertError(fx.get("/agents/..%2F..%2Fapi%2Fcalls"), 404, "agent_not_found", null);

    assertThat(fx.ultravox.requests()).hasSize(before);
  }

  @Test
  void pathsBelowAnAgentAreNotFound() {
    assertError(fx.get("/agents/" + agentId + "/calls"), 404, "not_found", null);
    assertError(fx.post("/calls/" + agentId + "/x", "{}"), 404, "not_found", null);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "PATCH, /agents/{id}, 'GET, PUT, DELETE'",
    "POST, /agents/{id}, 'GET, PUT, DELETE'",
    "DELETE, /agents, 'GET, POST'",
    "PUT, /agents, 'GET, POST'",
    "GET, /calls/{id}, POST",
    "DELETE, /calls/{id}, POST",
  })
  void aWrongMethodIs405WithAllow(String method, String path, String allow) {
    boolean hasBody = !method.equals("GET") && !method.equals("DELETE");
    Reply reply =
        fx.send(
            method,
            path.replace("{id}", agentId),
            hasBody ? "{}" : null,
            hasBody ? "application/json" : null,
            Map.of());

    assertError(reply, 405, "method_not_allowed", null);
    assertThat(reply.header("Allow")).isEqualTo(allow);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "pageSize=0           | invalid_parameter | pageSize",
        "pageSize=101         | invalid_parameter | pageSize",
        "pageSize=ten         | invalid_parameter | pageSize",
        "pageSize=2&pageSize=3 | invalid_parameter | pageSize",
        "page=2               | unknown_parameter | page",
      })
  void badListParametersAreRefused(String query, String code, String field) {
    assertError(fx.get("/agents?" + query), 400, code, field);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"has space, a b", "too long, x", "starts with dash, -abc", "quote, a\"b"})
  void anUnsafeRequestIdIsRefusedAndAnotherOneGiven(String description, String id) {
    String value = id.equals("x") ? "x".repeat(65) : id;
    Reply reply = fx.send("GET", "/agents", null, null, Map.of(RequestIds.HEADER, value));

    assertError(reply, 400, "invalid_request_id", RequestIds.HEADER);
    assertThat(reply.header(RequestIds.HEADER)).isNotEqualTo(value).matches("req_[0-9a-f]{20}");
  }
}
