package dev.switchboard.testing.ultravox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testing.ultravox.FakeUltravox.Fault;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeUltravoxRestTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private FakeUltravox fake;
  private Rest rest;

  @BeforeEach
  void start() {
    fake = FakeUltravox.builder().build();
    fake.start();
    rest = new Rest(fake);
  }

  @AfterEach
  void close() {
    fake.close();
  }

  @Test
  void aMissingOrWrongKeyIs403WithADetailAndTheHeaderNameIsCaseInsensitive() {
    Rest.Answer missing = rest.withKey(null, "X-API-Key").get("/api/agents");
    assertThat(missing.status()).isEqualTo(403);
    assertThat(missing.json().path("detail").asText()).contains("credentials were not provided");

    Rest.Answer wrong =
        rest.withKey("abcdefgh.0123456789abcdef0123456789abcdef", "X-API-Key").get("/api/agents");
    assertThat(wrong.status()).isEqualTo(403);
    assertThat(wrong.body()).doesNotContain("abcdefgh.0123456789abcdef0123456789abcdef");

    assertThat(rest.withKey(fake.apiKey(), "x-api-key").get("/api/agents").status()).isEqualTo(200);
    assertThat(fake.apiKey()).matches("[A-Za-z0-9]{8}\\.[A-Za-z0-9]{32}");
    assertThat(fake.requests()).allSatisfy(r -> assertThat(r.header("X-API-Key")).isEmpty());
    assertThat(fake.requests())
        .extracting(FakeUltravox.RecordedRequest::status)
        .containsExactly(403, 403, 200);
    assertThat(fake.toString()).doesNotContain(fake.apiKey());
  }

  @Test
  void agentsAreCreatedReadPatchedAndDeleted() {
    JsonNode agent =
        rest.created(
            "/api/agents",
            """
            {"name":"ada","unknownTopLevel":1,
             "callTemplate":{"systemPrompt":"You are Ada.","voice":"Mark",
                             "medium":{"serverWebSocket":{"inputSampleRate":16000}},"futureField":{"x":1}}}
            """);
    String id = agent.path("agentId").asText();
    assertThat(id).matches("[0-9a-f-]{36}");
    assertThat(agent.path("name").asText()).isEqualTo("ada");
    assertThat(agent.path("publishedRevisionId").asText()).isNotEmpty();
    assertThat(agent.path("created").asText()).endsWith("Z");
    assertThat(agent.at("/statistics/calls").asInt()).isZero();
    assertThat(agent.at("/callTemplate/systemPrompt").asText()).isEqualTo("You are Ada.");
    assertThat(agent.at("/callTemplate/futureField/x").asInt()).isEqualTo(1);
    assertThat(agent.at("/callTemplate/updated").isTextual()).isTrue();
    assertThat(agent.has("unknownTopLevel")).isFalse();

    assertThat(rest.get("/api/agents/" + id).json()).isEqualTo(agent);

    Rest.Answer patched =
        rest.patch(
            "/api/agents/" + id,
            "{\"name\":\"ada-2\",\"callTemplate\":{\"systemPrompt\":\"You are Ada, version 2.\"}}");
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.json().path("name").asText()).isEqualTo("ada-2");
    assertThat(patched.json().at("/callTemplate/systemPrompt").asText())
        .isEqualTo("You are Ada, version 2.");
    assertThat(patched.json().at("/callTemplate/voice").asText()).isEqualTo("Mark");
    assertThat(patched.json().at("/callTemplate/medium/serverWebSocket/inputSampleRate").asInt())
        .isEqualTo(16000);
    assertThat(patched.json().path("publishedRevisionId").asText())
        .isNotEqualTo(agent.path("publishedRevisionId").asText());

    assertThat(rest.delete("/api/agents/" + id).status()).isEqualTo(204);
    Rest.Answer gone = rest.get("/api/agents/" + id);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json().path("detail").asText()).isEqualTo("Not found.");
    assertThat(rest.delete("/api/agents/" + id).status()).isEqualTo(404);
    assertThat(fake.agents()).isEmpty();
  }

  @Test
  void unknownAndMalformedIdsAre404AndWrongMethods405() {
    assertThat(rest.get("/api/agents/3c90c3cc-0d44-4b50-8888-8dd25736052a").status())
        .isEqualTo(404);
    assertThat(rest.get("/api/agents/not-a-uuid").status()).isEqualTo(404);
    assertThat(rest.patch("/api/agents/not-a-uuid", "{}").status()).isEqualTo(404);
    assertThat(rest.get("/api/calls/3c90c3cc-0d44-4b50-8888-8dd25736052a").status()).isEqualTo(404);
    assertThat(rest.get("/api/calls/3c90c3cc-0d44-4b50-8888-8dd25736052a/messages").status())
        .isEqualTo(404);
    assertThat(rest.get("/api/nothing-here").status()).isEqualTo(404);
    Rest.Answer put = rest.put("/api/agents/3c90c3cc-0d44-4b50-8888-8dd25736052a", "{}");
    assertThat(put.status()).isEqualTo(405);
    assertThat(put.json().path("detail").asText()).isEqualTo("Method \"PUT\" not allowed.");
  }

  @Test
  void invalidAgentsAre400NamingTheField() {
    Rest.Answer missing = rest.post("/api/agents", "{\"callTemplate\":{\"systemPrompt\":\"x\"}}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().path("name").get(0).asText()).isEqualTo("This field is required.");

    Rest.Answer tooLong = rest.post("/api/agents", "{\"name\":\"" + "a".repeat(65) + "\"}");
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.json().path("name").get(0).asText()).contains("no more than 64 characters");
    assertThat(rest.post("/api/agents", "{\"name\":\"" + "a".repeat(64) + "\"}").status())
        .isEqualTo(201);

    assertThat(rest.post("/api/agents", "{\"name\":\"  \"}").json().path("name").get(0).asText())
        .contains("blank");
    Rest.Answer badMedium =
        rest.post(
            "/api/agents",
            "{\"name\":\"m\",\"callTemplate\":{\"medium\":{\"twilio\":{},\"webRtc\":{}}}}");
    assertThat(badMedium.status()).isEqualTo(400);
    assertThat(badMedium.json().path("callTemplate").get(0).asText())
        .contains("At most one call medium");
    Rest.Answer notJson = rest.post("/api/agents", "{nope");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.json().path("detail").asText()).startsWith("JSON parse error");
    assertThat(rest.post("/api/agents", "[1]").json().has("non_field_errors")).isTrue();
    assertThat(rest.patch("/api/agents/" + createAgent("p", null), "{\"name\":null}").status())
        .isEqualTo(400);
  }

  @Test
  void agentListsPageWithCursorsNewestFirstAndSearch() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(createAgent("agent-" + i, null));
    }
    createAgent("other", null);

    Rest.Answer first = rest.get("/api/agents?pageSize=2&search=AGENT");
    assertThat(first.json().path("total").asInt()).isEqualTo(5);
    assertThat(first.json().path("previous").isNull()).isTrue();
    List<String> seen = new ArrayList<>(names(first.json()));
    String next = first.json().path("next").asText();
    assertThat(next)
        .startsWith(fake.baseUrl() + "/api/agents?")
        .contains("cursor=")
        .contains("pageSize=2");
    Rest.Answer second = rest.get(next);
    seen.addAll(names(second.json()));
    Rest.Answer third = rest.get(second.json().path("next").asText());
    seen.addAll(names(third.json()));
    assertThat(third.json().path("next").isNull()).isTrue();
    assertThat(seen).containsExactly("agent-4", "agent-3", "agent-2", "agent-1", "agent-0");

    Rest.Answer back = rest.get(second.json().path("previous").asText());
    assertThat(names(back.json())).containsExactly("agent-4", "agent-3");

    assertThat(rest.get("/api/agents").json().path("results").size()).isEqualTo(6);
    assertThat(rest.get("/api/agents?pageSize=abc").json().path("results").size()).isEqualTo(6);
    Rest.Answer badCursor = rest.get("/api/agents?cursor=%%%");
    assertThat(badCursor.status()).isEqualTo(404);
    assertThat(badCursor.json().path("detail").asText()).isEqualTo("Invalid cursor");
    assertThat(ids).hasSize(5);
  }

  @Test
  void aCallFromAnAgentRendersTheTemplateAndCarriesTheCallFields() {
    String agentId =
        createAgent(
            "greeter",
            "{\"systemPrompt\":\"You are {{agent_name}}, helping {{ caller.name }} ({{caller.tier}}).\","
                + "\"maxDuration\":\"600s\",\"medium\":{\"serverWebSocket\":{\"inputSampleRate\":16000}}}");
    JsonNode call =
        rest.created(
            "/api/agents/" + agentId + "/calls",
            """
            {"templateContext":{"agent_name":"Ada","caller":{"name":"Bob","tier":"gold"},"unused":1},
             "metadata":{"crm":"42"},
             "firstSpeakerSettings":{"user":{}}}
            """);
    String callId = call.path("callId").asText();
    assertThat(call.path("joinUrl").asText())
        .isEqualTo(
            "ws://127.0.0.1:"
                + fake.baseUrl().getPort()
                + "/calls/"
                + callId
                + "/server_web_socket");
    assertThat(call.path("systemPrompt").asText()).isEqualTo("You are Ada, helping Bob (gold).");
    assertThat(call.path("maxDuration").asText()).isEqualTo("600s");
    assertThat(call.path("joinTimeout").asText()).isEqualTo("30s");
    assertThat(call.path("joined").isNull()).isTrue();
    assertThat(call.path("ended").isNull()).isTrue();
    assertThat(call.path("endReason").isNull()).isTrue();
    assertThat(call.path("agentId").asText()).isEqualTo(agentId);
    assertThat(call.at("/agent/name").asText()).isEqualTo("greeter");
    assertThat(call.at("/metadata/crm").asText()).isEqualTo("42");
    assertThat(call.path("firstSpeaker").asText()).isEqualTo("FIRST_SPEAKER_USER");
    assertThat(call.at("/medium/serverWebSocket/inputSampleRate").asInt()).isEqualTo(16000);

    FakeUltravoxCall record = fake.awaitCall(TIMEOUT);
    assertThat(record.callId()).isEqualTo(callId);
    assertThat(record.systemPrompt()).contains("You are Ada, helping Bob (gold).");
    assertThat(record.templateContext().at("/caller/name").asText()).isEqualTo("Bob");
    assertThat(record.agentId()).contains(agentId);
    assertThat(record.medium()).isEqualTo("serverWebSocket");
    assertThat(rest.get("/api/calls/" + callId).json()).isEqualTo(call);
    assertThat(rest.get("/api/agents/" + agentId).json().at("/statistics/calls").asInt())
        .isEqualTo(1);
    assertThat(
            rest.get("/api/agents/" + agentId + "/calls").json().at("/results/0/callId").asText())
        .isEqualTo(callId);

    Rest.Answer missing =
        rest.post(
            "/api/agents/" + agentId + "/calls", "{\"templateContext\":{\"agent_name\":\"Ada\"}}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().path("templateContext").toString())
        .contains("caller.name")
        .contains("caller.tier");
    assertThat(rest.post("/api/agents/3c90c3cc-0d44-4b50-8888-8dd25736052a/calls", "{}").status())
        .isEqualTo(404);
  }

  @Test
  void callRequestsAreValidated() {
    String agentId = createAgent("v", "{\"systemPrompt\":\"Hi\"}");
    Rest.Answer reserved =
        rest.post("/api/agents/" + agentId + "/calls", "{\"metadata\":{\"ultravox.x\":\"1\"}}");
    assertThat(reserved.status()).isEqualTo(400);
    assertThat(reserved.json().path("metadata").get(0).asText()).contains("ultravox.");
    assertThat(rest.post("/api/calls", "{\"metadata\":{\"n\":1}}").status()).isEqualTo(400);

    Rest.Answer twoMedia =
        rest.post("/api/calls", "{\"medium\":{\"twilio\":{},\"serverWebSocket\":{}}}");
    assertThat(twoMedia.status()).isEqualTo(400);
    assertThat(twoMedia.json().path("medium").get(0).asText()).contains("At most one");

    Rest.Answer noRate = rest.post("/api/calls", "{\"medium\":{\"serverWebSocket\":{}}}");
    assertThat(noRate.json().path("medium").get(0).asText()).contains("inputSampleRate");
    Rest.Answer badRate =
        rest.post("/api/calls", "{\"medium\":{\"serverWebSocket\":{\"inputSampleRate\":11025}}}");
    assertThat(badRate.status()).isEqualTo(400);
    assertThat(badRate.json().path("medium").get(0).asText())
        .contains("inputSampleRate")
        .contains("11025");
    Rest.Answer badDuration = rest.post("/api/calls", "{\"maxDuration\":\"10 minutes\"}");
    assertThat(badDuration.json().path("maxDuration").get(0).asText()).contains("Invalid duration");
    Rest.Answer bothSpeakers =
        rest.post("/api/calls", "{\"firstSpeakerSettings\":{\"user\":{},\"agent\":{}}}");
    assertThat(bothSpeakers.json().path("firstSpeakerSettings").get(0).asText())
        .contains("Exactly one");
    assertThat(fake.calls()).isEmpty();
  }

  @Test
  void theAcceptedSampleRatesAreConfigurableSoEightKilohertzCanBeRefused() {
    try (FakeUltravox strict = FakeUltravox.builder().acceptedSampleRates(16000, 24000).build()) {
      strict.start();
      Rest strictRest = new Rest(strict);
      Rest.Answer refused =
          strictRest.post(
              "/api/calls", "{\"medium\":{\"serverWebSocket\":{\"inputSampleRate\":8000}}}");
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.json().path("medium").get(0).asText())
          .contains("inputSampleRate 8000 is not supported")
          .contains("16000");
      Rest.Answer outputRefused =
          strictRest.post(
              "/api/calls",
              "{\"medium\":{\"serverWebSocket\":{\"inputSampleRate\":16000,\"outputSampleRate\":8000}}}");
      assertThat(outputRefused.json().path("medium").get(0).asText()).contains("outputSampleRate");
      assertThat(
              strictRest
                  .post(
                      "/api/calls",
                      "{\"medium\":{\"serverWebSocket\":{\"inputSampleRate\":16000}}}")
                  .status())
          .isEqualTo(201);
    }
    assertThat(
            rest.post("/api/calls", "{\"medium\":{\"serverWebSocket\":{\"inputSampleRate\":8000}}}")
                .status())
        .isEqualTo(201);
  }

  @Test
  void eachMediumGetsItsJoinUrlAndWebRtcIsTheDefaultButNotServed() {
    JsonNode twilio =
        rest.created("/api/calls", "{\"systemPrompt\":\"Hi\",\"medium\":{\"twilio\":{}}}");
    String twilioUrl = twilio.path("joinUrl").asText();
    assertThat(twilioUrl)
        .startsWith(
            "ws://127.0.0.1:"
                + fake.baseUrl().getPort()
                + "/calls/"
                + twilio.path("callId").asText()
                + "/twilio?token=")
        .contains("&");

    JsonNode webRtc = rest.created("/api/calls", "{\"systemPrompt\":\"Hi\"}");
    assertThat(webRtc.at("/medium/webRtc").isObject()).isTrue();
    assertThat(webRtc.path("maxDuration").asText()).isEqualTo("3600s");
    assertThat(webRtc.path("firstSpeaker").asText()).isEqualTo("FIRST_SPEAKER_AGENT");
    assertThat(webRtc.path("systemPrompt").asText()).isEqualTo("Hi");
    VoiceClient refused = VoiceClient.attempt(webRtc.path("joinUrl").asText());
    assertThat(refused.awaitEnded().httpStatus()).isEqualTo(501);

    VoiceClient wrongToken =
        VoiceClient.attempt(twilioUrl.replaceAll("token=[0-9a-f]+", "token=00"));
    assertThat(wrongToken.awaitEnded().httpStatus()).isEqualTo(403);

    JsonNode deprecated = rest.created("/api/calls", "{\"firstSpeaker\":\"FIRST_SPEAKER_USER\"}");
    assertThat(deprecated.at("/firstSpeakerSettings/user").isObject()).isTrue();

    Rest.Answer list = rest.get("/api/calls?pageSize=2");
    assertThat(list.json().path("total").asInt()).isEqualTo(3);
    assertThat(list.json().at("/results/0/callId").asText())
        .isEqualTo(deprecated.path("callId").asText());
    assertThat(rest.get(list.json().path("next").asText()).json().at("/results/0/callId").asText())
        .isEqualTo(twilio.path("callId").asText());
  }

  @Test
  void sendDataMessageToACallThatIsNotActiveIs422AndBadTypesAre400() {
    JsonNode call =
        rest.created(
            "/api/calls", "{\"medium\":{\"serverWebSocket\":{\"inputSampleRate\":16000}}}");
    String path = "/api/calls/" + call.path("callId").asText() + "/send_data_message";
    Rest.Answer notJoined = rest.post(path, "{\"type\":\"user_text_message\",\"text\":\"hi\"}");
    assertThat(notJoined.status()).isEqualTo(422);
    assertThat(notJoined.json().path("detail").asText()).contains("not active");
    Rest.Answer badType = rest.post(path, "{\"type\":\"ping\"}");
    assertThat(badType.status()).isEqualTo(400);
    assertThat(badType.json().path("type").get(0).asText()).contains("forced_agent_message");
    assertThat(rest.post(path, "{\"type\":\"forced_agent_message\"}").json().has("content"))
        .isTrue();
  }

  @Test
  void faultsAnswerWithStatusAndRetryAfterOrDropTheConnectionAfterActing() {
    fake.failNext("GET", "/api/agents", Fault.status(429).retryAfter(Duration.ofMillis(1500)));
    fake.failNext("POST", "/api/agents", Fault.disconnectAfterRequest());
    fake.failNext("DELETE", "/api/", Fault.status(503));
    assertThat(fake.pendingFaults()).isEqualTo(3);

    assertThat(rest.post("/api/calls", "{}").status()).isEqualTo(201); // passes the faults by
    Rest.Answer throttled = rest.get("/api/agents");
    assertThat(throttled.status()).isEqualTo(429);
    assertThat(throttled.headers().get("Retry-After")).isEqualTo("2");
    assertThat(throttled.json().path("detail").asText())
        .contains("throttled")
        .contains("2 seconds");
    assertThat(rest.get("/api/agents").status()).isEqualTo(200);

    assertThatThrownBy(() -> rest.post("/api/agents", "{\"name\":\"dropped\"}"))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(fake.agents()).extracting(a -> a.path("name").asText()).containsExactly("dropped");

    String id = fake.agents().get(0).path("agentId").asText();
    assertThat(rest.delete("/api/agents/" + id).status()).isEqualTo(503);
    assertThat(fake.agents()).hasSize(1);
    assertThat(fake.pendingFaults()).isZero();
    assertThat(fake.awaitRequest(r -> r.status() == 429, TIMEOUT).path()).isEqualTo("/api/agents");
  }

  @Test
  void webhooksAreCreatedWithGeneratedSecretsListedAndDeleted() {
    JsonNode hook =
        rest.created(
            "/api/webhooks",
            "{\"url\":\"http://127.0.0.1:1/hook\",\"events\":[\"call.ended\",\"call.billed\"]}");
    assertThat(hook.path("webhookId").asText()).matches("[0-9a-f-]{36}");
    assertThat(hook.path("secrets").size()).isEqualTo(1);
    assertThat(hook.path("secrets").get(0).asText()).hasSizeGreaterThan(20);
    assertThat(hook.path("status").asText()).isEqualTo("normal");
    assertThat(hook.path("recentFailures").isArray()).isTrue();
    String id = hook.path("webhookId").asText();
    assertThat(rest.get("/api/webhooks/" + id).json()).isEqualTo(hook);
    assertThat(rest.get("/api/webhooks").json().path("total").asInt()).isEqualTo(1);

    Rest.Answer badEvent =
        rest.post(
            "/api/webhooks",
            "{\"url\":\"http://127.0.0.1:1/h\",\"events\":[\"call.ended\",\"call.bogus\"]}");
    assertThat(badEvent.status()).isEqualTo(400);
    assertThat(badEvent.json().at("/events/1/0").asText())
        .isEqualTo("\"call.bogus\" is not a valid choice.");
    Rest.Answer noUrl = rest.post("/api/webhooks", "{\"events\":[\"call.ended\"]}");
    assertThat(noUrl.json().path("url").get(0).asText()).isEqualTo("This field is required.");
    assertThat(
            rest.post("/api/webhooks", "{\"url\":\"ftp://x\",\"events\":[]}")
                .json()
                .path("url")
                .get(0)
                .asText())
        .isEqualTo("Enter a valid URL.");

    assertThat(rest.delete("/api/webhooks/" + id).status()).isEqualTo(204);
    assertThat(rest.get("/api/webhooks/" + id).status()).isEqualTo(404);
  }

  @Test
  void builderRejectsBadSettingsAndRepliesValidateTheirParts() {
    assertThatThrownBy(() -> FakeUltravox.builder().apiKey(" ").build())
        .hasMessageContaining("apiKey");
    assertThatThrownBy(() -> FakeUltravox.builder().acceptedSampleRates().build())
        .hasMessageContaining("acceptedSampleRates");
    assertThatThrownBy(() -> FakeUltravox.builder().acceptedSampleRates(4000).build())
        .hasMessageContaining("8000 to 48000");
    assertThatThrownBy(() -> FakeUltravox.builder().vadThreshold(-1).build())
        .hasMessageContaining("vadThreshold");
    assertThatThrownBy(() -> AgentReply.say("x").afterToolCall("bad name", "{}"))
        .hasMessageContaining("toolName");
    assertThatThrownBy(() -> AgentReply.say("x").afterToolCall("book", "[1]"))
        .hasMessageContaining("JSON object");
    assertThatThrownBy(() -> AgentReply.say(" ")).hasMessageContaining("blank");
    assertThat(AgentReply.say("one two three").duration()).isEqualTo(Duration.ofMillis(900));
    assertThatThrownBy(() -> fake.call("nope")).isInstanceOf(IllegalArgumentException.class);
    try (FakeUltravox notStarted = FakeUltravox.builder().build()) {
      assertThatThrownBy(notStarted::baseUrl).isInstanceOf(IllegalStateException.class);
    }
    assertThatThrownBy(fake::start).isInstanceOf(IllegalStateException.class);
  }

  private String createAgent(String name, String templateJson) {
    String body =
        "{\"name\":\""
            + name
            + "\""
            + (templateJson == null ? "" : ",\"callTemplate\":" + templateJson)
            + "}";
    return rest.created("/api/agents", body).path("agentId").asText();
  }

  private static List<String> names(JsonNode page) {
    List<String> names = new ArrayList<>();
    page.path("results").forEach(a -> names.add(a.path("name").asText()));
    Set<String> unique = new HashSet<>(names);
    assertThat(unique).hasSameSizeAs(names);
    return names;
  }
}
