package dev.switchboard.core.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AgentValuesTest {
  private static final String SCHEMA =
      "{\"type\":\"object\",\"properties\":{\"order\":{\"type\":\"string\"}}}";

  @Test
  void toolDefinitionsValidateTheirNameAndSchema() {
    ToolDefinition tool = ToolDefinition.of("lookup_order", "Finds an order", SCHEMA);
    assertThat(tool.parameters().path("properties").has("order")).isTrue();
    assertThatThrownBy(() -> ToolDefinition.of("look up", "x", SCHEMA))
        .hasMessageContaining("tool name must be 1-64");
    assertThatThrownBy(() -> ToolDefinition.of("t", "x", "{\"type\":\"string\"}"))
        .hasMessageContaining("\"type\": \"object\"");
    assertThatThrownBy(() -> ToolDefinition.of("t", "x", "{not json"))
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void toolSchemasAndArgumentsCannotBeChangedFromOutside() {
    ToolDefinition tool = ToolDefinition.of("t", "x", SCHEMA);
    ((ObjectNode) tool.parameters()).put("type", "string");
    assertThat(tool.parameters().path("type").asText()).isEqualTo("object");
    ToolCall call = ToolCall.of("c1", "t", "{\"order\":\"42\"}");
    ((ObjectNode) call.arguments()).put("order", "43");
    assertThat(call.arguments().path("order").asText()).isEqualTo("42");
  }

  @Test
  void toolCallsParseTheModelsJsonAndRejectGarbage() {
    assertThat(ToolCall.of("c1", "t", "").arguments().isObject()).isTrue();
    assertThatThrownBy(() -> ToolCall.of("c1", "t", "{\"a\":"))
        .hasMessageContaining("arguments of tool call 't' are not valid JSON");
    assertThat(ToolCall.of("c1", "t", "{\"card\":\"4111\"}").toString()).doesNotContain("4111");
  }

  @Test
  void errorResultsAreJsonForTheModel() {
    ToolResult result = ToolResult.error("c1", "order \"42\" not found");
    assertThat(result.isError()).isTrue();
    assertThat(result.output()).isEqualTo("{\"error\":\"order \\\"42\\\" not found\"}");
    assertThat(result.toString()).doesNotContain("not found");
  }

  @Test
  void sessionOptionsRejectDuplicateToolsAndHideThePrompt() {
    ToolDefinition tool = ToolDefinition.of("t", "x", SCHEMA);
    assertThatThrownBy(() -> SessionOptions.builder(Capability.TEXT).tool(tool).tool(tool).build())
        .hasMessageContaining("two tools are named 't'");
    SessionOptions options =
        SessionOptions.builder(Capability.AUDIO_STREAMING)
            .instructions("secret business rules")
            .context("customer", "Ada")
            .build();
    assertThat(options.firstSpeaker()).isEqualTo(SessionOptions.FirstSpeaker.AGENT);
    assertThat(options.toString()).doesNotContain("secret").doesNotContain("Ada");
  }

  @Test
  void anOutboundCallsCalleeSpeaksFirstUnlessTold() {
    SessionOptions.Builder outbound =
        SessionOptions.builder(Capability.TELEPHONY_DIRECT)
            .direction(dev.switchboard.core.voice.CallDirection.OUTBOUND);
    assertThat(outbound.build().firstSpeaker()).isEqualTo(SessionOptions.FirstSpeaker.USER);
    assertThat(outbound.build().direction())
        .isEqualTo(dev.switchboard.core.voice.CallDirection.OUTBOUND);
    assertThat(outbound.firstSpeaker(SessionOptions.FirstSpeaker.AGENT).build().firstSpeaker())
        .isEqualTo(SessionOptions.FirstSpeaker.AGENT);
    assertThat(
            SessionOptions.builder(Capability.TELEPHONY_DIRECT)
                .direction(dev.switchboard.core.voice.CallDirection.INBOUND)
                .build()
                .firstSpeaker())
        .isEqualTo(SessionOptions.FirstSpeaker.AGENT);
  }

  @Test
  void transcriptsDoNotPrintWhatWasSaid() {
    Transcript t = new Transcript(Speaker.USER, "my card is 4111", true, "item1", Instant.EPOCH);
    assertThat(t.toString()).doesNotContain("4111").contains("USER");
    assertThat(t.item()).contains("item1");
  }
}
