package dev.switchboard.agent.ultravox.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.agent.ToolDefinition;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The model's JSON mapping (with a plain {@link ObjectMapper}: the annotations carry everything),
 * validation and redaction.
 */
class ModelTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void protoDurationsParseAndFormat() {
    assertThat(ProtoDuration.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(ProtoDuration.parse("0.384s")).isEqualTo(Duration.ofMillis(384));
    assertThat(ProtoDuration.parse("3600s")).isEqualTo(Duration.ofHours(1));
    assertThat(ProtoDuration.parse("-1.5s")).isEqualTo(Duration.ofMillis(-1500));
    assertThat(ProtoDuration.parse("0.000000001s")).isEqualTo(Duration.ofNanos(1));
    assertThat(ProtoDuration.format(Duration.ofSeconds(30))).isEqualTo("30s");
    assertThat(ProtoDuration.format(Duration.ofMillis(384))).isEqualTo("0.384s");
    assertThat(ProtoDuration.format(Duration.ofMillis(-1500))).isEqualTo("-1.5s");
    assertThat(ProtoDuration.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(ProtoDuration.format(Duration.ofNanos(1))).isEqualTo("0.000000001s");
    assertThat(ProtoDuration.format(Duration.ofMinutes(61))).isEqualTo("3660s");
  }

  @Test
  void malformedProtoDurationsAreRefusedQuotingTheText() {
    for (String bad : List.of("30", "1m", "01s", "1.s", ".5s", "1.1234567890s", "", " 30s")) {
      assertThatThrownBy(() -> ProtoDuration.parse(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("protobuf duration")
          .hasMessageContaining("\"" + bad + "\"");
    }
    assertThatThrownBy(() -> ProtoDuration.format(Duration.ofSeconds(1_000_000_000_000L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("out of range");
  }

  @Test
  void aCallRoundTripsFieldsItDoesNotTypeAndMapsDurationsAndTimes() throws Exception {
    String text =
        "{\"callId\":\"c1\",\"created\":\"2026-01-01T09:00:00.5+02:00\",\"maxDuration\":\"90s\","
            + "\"billedDuration\":61.25,\"metadata\":{\"k\":\"v\"},"
            + "\"vadSettings\":{\"turnEndpointDelay\":\"0.384s\"},\"agent\":{\"name\":\"a\"},"
            + "\"medium\":{\"serverWebSocket\":{\"inputSampleRate\":16000,\"dataMessages\":{\"state\":true}}}}";
    UltravoxCall call = json.readValue(text, UltravoxCall.class);
    assertThat(call.created()).isEqualTo(java.time.Instant.parse("2026-01-01T07:00:00.5Z"));
    assertThat(call.maxDuration()).isEqualTo(Duration.ofSeconds(90));
    assertThat(call.billedDuration())
        .as("a number of seconds, tolerated")
        .isEqualTo(Duration.ofMillis(61_250));
    assertThat(call.extra()).containsOnlyKeys("vadSettings", "agent");
    assertThat(call.medium().serverWebSocket())
        .contains(new Medium.ServerWebSocket(16000, 16000, 60));

    JsonNode back = json.readTree(json.writeValueAsString(call));
    assertThat(back.get("vadSettings").get("turnEndpointDelay").asText()).isEqualTo("0.384s");
    assertThat(back.get("maxDuration").asText()).isEqualTo("90s");
    assertThat(back.get("billedDuration").asText()).isEqualTo("61.25s");
    assertThat(back.get("created").asText()).isEqualTo("2026-01-01T07:00:00.500Z");
    assertThat(
            back.get("medium").get("serverWebSocket").get("dataMessages").get("state").asBoolean())
        .isTrue();
    assertThat(back.has("extra")).isFalse();
  }

  @Test
  void everythingElseMapsAreDeeplyImmutable() throws Exception {
    CallTemplate template =
        json.readValue(
            "{\"inactivityMessages\":[{\"duration\":\"5s\",\"message\":\"Hi?\"}]}",
            CallTemplate.class);
    @SuppressWarnings("unchecked")
    List<Object> messages = (List<Object>) template.extra().get("inactivityMessages");
    assertThatThrownBy(() -> messages.add("x")).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> first = (Map<String, Object>) messages.get(0);
    assertThatThrownBy(() -> first.put("message", "x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void templateVariablesAreCollectedWhereUltravoxSubstitutesThem() {
    CallTemplate template =
        CallTemplate.builder()
            .systemPrompt(
                "You help {{name}} ({{ user.phone }}) at {{clinic}}.{{#vip}}VIP{{/vip}}{{! note}}")
            .languageHint("{{lang}}")
            .timeExceededMessage("Sorry {{name}}, time is up.")
            .selectedTools(
                List.of(
                    SelectedTool.clientTool(
                        ToolDefinition.of(
                            "book",
                            "Books a slot at {{clinic_id}}",
                            "{\"type\":\"object\",\"properties\":{}}"))))
            .extra(
                "inactivityMessages",
                List.of(Map.of("duration", "8s", "message", "Still there, {{nickname}}?")))
            .build();
    assertThat(template.templateVariables())
        .containsExactly("name", "user.phone", "clinic", "lang", "nickname", "clinic_id");
    assertThat(CallTemplate.builder().systemPrompt("No variables.").build().templateVariables())
        .isEmpty();
  }

  @Test
  void mediaHaveExactlyOneKey() throws Exception {
    assertThat(json.writeValueAsString(Medium.twilio())).isEqualTo("{\"twilio\":{}}");
    assertThat(json.readValue("{\"webRtc\":{}}", Medium.class)).isEqualTo(Medium.webRtc());
    assertThatThrownBy(() -> json.readValue("{\"twilio\":{},\"webRtc\":{}}", Medium.class))
        .hasMessageContaining("exactly one key");
    assertThatThrownBy(() -> Medium.serverWebSocket(0, 8000, 60))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inputSampleRate");
    Medium sip =
        Medium.of("sip", Map.of("outgoing", Map.of("to", "sip:a@b", "password", "pw-123")));
    assertThat(sip.toString()).doesNotContain("pw-123").contains("sip");
    assertThat(Medium.twilio().serverWebSocket()).isEmpty();
  }

  @Test
  void firstSpeakerSettingsShapes() throws Exception {
    assertThat(json.writeValueAsString(FirstSpeakerSettings.agent())).isEqualTo("{\"agent\":{}}");
    assertThat(
            json.writeValueAsString(
                FirstSpeakerSettings.agent("Hello!", true, Duration.ofMillis(1500))))
        .isEqualTo("{\"agent\":{\"text\":\"Hello!\",\"uninterruptible\":true,\"delay\":\"1.5s\"}}");
    assertThat(json.writeValueAsString(FirstSpeakerSettings.user(Duration.ofSeconds(3), "Hello?")))
        .isEqualTo("{\"user\":{\"fallback\":{\"delay\":\"3s\",\"text\":\"Hello?\"}}}");
    FirstSpeakerSettings read = json.readValue("{\"user\":{}}", FirstSpeakerSettings.class);
    assertThat(read).isEqualTo(FirstSpeakerSettings.user());
    assertThat(read.isUser()).isTrue();
  }

  @Test
  void selectedToolsAreValidated() throws Exception {
    assertThatThrownBy(() -> SelectedTool.of(Map.of("nameOverride", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("toolName");
    assertThatThrownBy(
            () -> SelectedTool.of(Map.of("temporaryTool", Map.of("modelToolName", "bad name"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad name");
    SelectedTool tool =
        json.readValue(
            "{\"toolName\":\"queryCorpus\",\"authTokens\":{\"x\":\"tok-secret\"}}",
            SelectedTool.class);
    assertThat(tool.toolName()).contains("queryCorpus");
    assertThat(tool.isClientTool()).isFalse();
    assertThat(tool.toString()).doesNotContain("tok-secret");
    SelectedTool client =
        SelectedTool.clientTool(
            ToolDefinition.of(
                "end",
                "Ends",
                "{\"type\":\"object\",\"properties\":{\"why\":{\"type\":\"string\"}}}"));
    assertThat(client.isClientTool()).isTrue();
    assertThat(client.modelToolName()).contains("end");
    assertThat(json.writeValueAsString(client)).contains("\"required\":false");
  }

  @Test
  void startCallRequestsValidateAndRedact() throws Exception {
    assertThatThrownBy(() -> StartCallRequest.builder().metadata("ultravox.x", "1").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ultravox.x'")
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> StartCallRequest.builder().extra("metadata", Map.of()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metadata");
    assertThatThrownBy(() -> StartCallRequest.builder().maxDuration(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxDuration");
    assertThatThrownBy(() -> StartCallRequest.builder().temperature(1.5).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("temperature");

    StartCallRequest empty = StartCallRequest.builder().build();
    assertThat(json.writeValueAsString(empty)).isEqualTo("{}");

    StartCallRequest request =
        StartCallRequest.builder()
            .templateContext(Map.of("phone", "+14155550100"))
            .extra("sharedSecrets", List.of("shh-123"))
            .build();
    assertThat(request.toString()).doesNotContain("+14155550100").doesNotContain("shh-123");
    assertThat(json.readValue(json.writeValueAsString(request), StartCallRequest.class))
        .isEqualTo(request);
  }

  @Test
  void callTemplatesValidate() {
    assertThatThrownBy(() -> CallTemplate.builder().temperature(-0.1).build())
        .hasMessageContaining("temperature");
    assertThatThrownBy(() -> CallTemplate.builder().joinTimeout(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("joinTimeout");
    assertThatThrownBy(() -> CallTemplate.builder().extra("voice", "x").build())
        .hasMessageContaining("voice");
  }

  @Test
  void agentSpecsAndPageRequestsValidate() {
    assertThatThrownBy(() -> AgentSpec.builder().name("x".repeat(65)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("64");
    assertThatThrownBy(() -> AgentSpec.builder().name(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name");
    assertThatThrownBy(() -> PageRequest.ofSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pageSize");
  }

  @Test
  void webhookSpecsValidateWithoutShowingSecrets() {
    String longSecret = "s".repeat(121);
    assertThatThrownBy(
            () ->
                WebhookSpec.builder(URI.create("https://example.com/uv"))
                    .events(WebhookSpec.CALL_ENDED)
                    .secret(longSecret)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("secrets[0]")
        .hasMessageNotContaining(longSecret);
    assertThatThrownBy(() -> WebhookSpec.builder(URI.create("https://example.com/uv")).build())
        .hasMessageContaining("events");
    assertThatThrownBy(
            () -> WebhookSpec.builder(URI.create("/relative")).events("call.ended").build())
        .hasMessageContaining("absolute");
    WebhookSpec spec =
        WebhookSpec.builder(URI.create("https://example.com/uv"))
            .events(WebhookSpec.CALL_ENDED)
            .secret("topsecret-1")
            .build();
    assertThat(spec.toString()).doesNotContain("topsecret-1").contains("1 (hidden)");
  }
}
