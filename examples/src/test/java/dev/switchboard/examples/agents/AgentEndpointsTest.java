package dev.switchboard.examples.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.agent.ultravox.model.AgentSpec;
import dev.switchboard.agent.ultravox.model.CallTemplate;
import dev.switchboard.examples.agents.ServiceFixture.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agent endpoints' happy paths, over a real socket against the fake Ultravox. */
class AgentEndpointsTest {
  private ServiceFixture fx;

  @BeforeEach
  void start() {
    fx = new ServiceFixture();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void createAnswers201WithTheAgentAndCreatesItInUltravox() {
    Reply reply =
        fx.post(
            "/agents",
            "{\"name\": \"front-desk\", \"prompt\": \"You call {{name}} about {{user.day}}.\","
                + " \"voice\": \"Mark\", \"temperature\": 0.3, \"languageHint\": \"en-US\","
                + " \"firstMessage\": \"Hello from the clinic\", \"maxDuration\": \"600s\"}");

    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    JsonNode agent = reply.json();
    String id = agent.path("id").asText();
    assertThat(id).matches("[0-9a-f-]{36}");
    assertThat(agent.path("name").asText()).isEqualTo("front-desk");
    assertThat(agent.path("prompt").asText()).isEqualTo("You call {{name}} about {{user.day}}.");
    assertThat(agent.path("voice").asText()).isEqualTo("Mark");
    assertThat(agent.path("temperature").asDouble()).isEqualTo(0.3);
    assertThat(agent.path("languageHint").asText()).isEqualTo("en-US");
    assertThat(agent.path("firstMessage").asText()).isEqualTo("Hello from the clinic");
    assertThat(agent.path("maxDuration").asText()).isEqualTo("600s");
    assertThat(agent.path("templateVariables"))
        .extracting(JsonNode::asText)
        .containsExactly("name", "user.day");
    assertThat(agent.path("created").asText()).isNotEmpty();
    assertThat(reply.header("Location")).isEqualTo("/agents/" + id);

    JsonNode stored = fx.ultravox.agents().get(0);
    assertThat(stored.path("agentId").asText()).isEqualTo(id);
    JsonNode template = stored.path("callTemplate");
    assertThat(template.path("systemPrompt").asText())
        .isEqualTo("You call {{name}} about {{user.day}}.");
    assertThat(template.path("voice").asText()).isEqualTo("Mark");
    assertThat(template.path("maxDuration").asText()).isEqualTo("600s");
    assertThat(template.path("firstSpeakerSettings").path("agent").path("text").asText())
        .isEqualTo("Hello from the clinic");
  }

  @Test
  void maxDurationAlsoTakesSeconds() {
    Reply reply = fx.post("/agents", "{\"name\": \"a\", \"prompt\": \"p\", \"maxDuration\": 90.5}");

    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    assertThat(reply.json().path("maxDuration").asText()).isEqualTo("90.5s");
  }

  @Test
  void aNameOfExactly64CharactersIsAccepted() {
    Reply reply = fx.post("/agents", "{\"name\": \"" + "n".repeat(64) + "\", \"prompt\": \"p\"}");

    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
  }

  @Test
  void getReturnsTheAgent() {
    String id = fx.createAgent("reception", "Greet {{caller}}.");

    Reply reply = fx.get("/agents/" + id);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().path("id").asText()).isEqualTo(id);
    assertThat(reply.json().path("name").asText()).isEqualTo("reception");
    assertThat(reply.json().path("templateVariables").get(0).asText()).isEqualTo("caller");
    assertThat(reply.json().path("voice").isNull()).isTrue();
  }

  @Test
  void listPagesThroughEveryAgentWithTheCursor() {
    Set<String> created = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      created.add(fx.createAgent("agent-" + i, "prompt " + i));
    }

    List<String> seen = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    String path = "/agents?pageSize=2";
    for (int page = 0; page < 10 && path != null; page++) {
      Reply reply = fx.get(path);
      assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
      JsonNode agents = reply.json().path("agents");
      sizes.add(agents.size());
      agents.forEach(a -> seen.add(a.path("id").asText()));
      JsonNode next = reply.json().path("nextCursor");
      assertThat(next.isMissingNode()).isFalse();
      path =
          next.isNull()
              ? null
              : "/agents?pageSize=2&cursor="
                  + java.net.URLEncoder.encode(
                      next.asText(), java.nio.charset.StandardCharsets.UTF_8);
    }

    assertThat(sizes).containsExactly(2, 2, 1);
    assertThat(seen).doesNotHaveDuplicates();
    assertThat(new HashSet<>(seen)).isEqualTo(created);
  }

  @Test
  void putReplacesEveryManagedFieldAndKeepsTheOthers() {
    // An agent made elsewhere, with settings this service does not manage.
    String id =
        fx.client
            .createAgent(
                AgentSpec.builder()
                    .name("old")
                    .callTemplate(
                        CallTemplate.builder()
                            .systemPrompt("Old {{x}}.")
                            .temperature(0.9)
                            .maxDuration(Duration.ofSeconds(120))
                            .extra("vadSettings", Map.of("turnEndpointDelay", "0.5s"))
                            .build())
                    .build())
            .agentId();

    Reply reply =
        fx.put(
            "/agents/" + id,
            "{\"name\": \"new\", \"prompt\": \"New {{y}}.\", \"voice\": \"Jessica\"}");

    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    JsonNode agent = reply.json();
    assertThat(agent.path("name").asText()).isEqualTo("new");
    assertThat(agent.path("prompt").asText()).isEqualTo("New {{y}}.");
    assertThat(agent.path("voice").asText()).isEqualTo("Jessica");
    assertThat(agent.path("temperature").asDouble()).isEqualTo(0.0);
    assertThat(agent.path("maxDuration").asText()).isEqualTo("3600s");
    assertThat(agent.path("templateVariables")).extracting(JsonNode::asText).containsExactly("y");
    // Ultravox has only PATCH: every field is sent.
    JsonNode patch =
        fx.ultravox
            .awaitRequest(
                r -> r.method().equals("PATCH") && r.path().equals("/api/agents/" + id),
                Duration.ofSeconds(5))
            .json();
    assertThat(patch.path("name").asText()).isEqualTo("new");
    JsonNode template = patch.path("callTemplate");
    assertThat(template.path("systemPrompt").asText()).isEqualTo("New {{y}}.");
    assertThat(template.path("voice").asText()).isEqualTo("Jessica");
    assertThat(template.path("temperature").asDouble()).isEqualTo(0.0);
    assertThat(template.path("maxDuration").asText()).isEqualTo("3600s");
    assertThat(template.path("firstSpeakerSettings").has("agent")).isTrue();
    assertThat(template.path("vadSettings").path("turnEndpointDelay").asText()).isEqualTo("0.5s");
    assertThat(fx.get("/agents/" + id).json().path("name").asText()).isEqualTo("new");
  }

  @Test
  void deleteAnswers204AndTheAgentIsGone() {
    String id = fx.createAgent("temp", "p");

    Reply reply = fx.delete("/agents/" + id);

    assertThat(reply.status()).isEqualTo(204);
    assertThat(reply.body()).isEmpty();
    assertThat(fx.ultravox.agents()).isEmpty();
    Reply after = fx.get("/agents/" + id);
    assertThat(after.status()).isEqualTo(404);
    assertThat(after.error().path("code").asText()).isEqualTo("agent_not_found");
  }

  @Test
  void theCallersRequestIdIsReturned() {
    Reply reply =
        fx.send("GET", "/agents", null, null, Map.of(RequestIds.HEADER, "client-42.a:b_c"));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header(RequestIds.HEADER)).isEqualTo("client-42.a:b_c");
  }

  @Test
  void aRequestIdIsGeneratedWhenNoneIsGiven() {
    Reply first = fx.get("/agents");
    Reply second = fx.get("/agents");

    assertThat(first.header(RequestIds.HEADER)).matches("req_[0-9a-f]{20}");
    assertThat(second.header(RequestIds.HEADER)).isNotEqualTo(first.header(RequestIds.HEADER));
  }
}
