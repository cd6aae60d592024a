package dev.switchboard.agent.ultravox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.agent.ultravox.model.Agent;
import dev.switchboard.agent.ultravox.model.AgentSpec;
import dev.switchboard.agent.ultravox.model.CallMessage;
import dev.switchboard.agent.ultravox.model.CallTemplate;
import dev.switchboard.agent.ultravox.model.FirstSpeakerSettings;
import dev.switchboard.agent.ultravox.model.Medium;
import dev.switchboard.agent.ultravox.model.Page;
import dev.switchboard.agent.ultravox.model.PageRequest;
import dev.switchboard.agent.ultravox.model.SelectedTool;
import dev.switchboard.agent.ultravox.model.StartCallRequest;
import dev.switchboard.agent.ultravox.model.UltravoxCall;
import dev.switchboard.agent.ultravox.model.Webhook;
import dev.switchboard.agent.ultravox.model.WebhookSpec;
import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.ProviderException;
import dev.switchboard.core.resilience.CircuitBreaker;
import dev.switchboard.core.resilience.CircuitOpenException;
import dev.switchboard.core.resilience.RetryPolicy;
import dev.switchboard.testing.ControllableClock;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** {@link UltravoxClient} against a scripted HTTP server on 127.0.0.1. */
class UltravoxClientTest {
  private static final String KEY = "Zk9Ht7Qa.0123456789abcdef0123456789abcdef";
  private static final String AGENT_ID = "5a1e3a0e-7a35-4f4e-9a51-4e2fb8a6c0aa";
  private static final String CALL_ID = "0b7c9c64-2f4b-4a55-8b5e-8f0d4f1f2a11";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String AGENT_JSON =
      "{\"agentId\":\""
          + AGENT_ID
          + "\",\"publishedRevisionId\":\"rev-1\",\"name\":\"front-desk\","
          + "\"created\":\"2026-01-01T09:00:00.123456Z\","
          + "\"statistics\":{\"calls\":3},"
          + "\"callTemplate\":{\"systemPrompt\":\"You help {{name}}.\",\"voice\":\"Mark\","
          + "\"temperature\":0.4,\"joinTimeout\":\"30s\",\"maxDuration\":\"3600s\","
          + "\"medium\":{\"twilio\":{}},\"firstSpeakerSettings\":{\"user\":{}},"
          + "\"vadSettings\":{\"turnEndpointDelay\":\"0.384s\"},"
          + "\"inactivityMessages\":[{\"duration\":\"8s\",\"message\":\"Still there, {{name}}?\"}],"
          + "\"futureField\":[1,2]}}";

  private static final String CALL_JSON =
      "{\"callId\":\""
          + CALL_ID
          + "\",\"joinUrl\":\"wss://voice.example/calls/"
          + CALL_ID
          + "/twilio?a=1&b=2\",\"created\":\"2026-01-01T09:00:00Z\",\"joined\":null,"
          + "\"ended\":null,\"endReason\":null,\"billedDuration\":null,\"agentId\":\""
          + AGENT_ID
          + "\",\"metadata\":{\"switchboard_call_id\":\"CA1\"},\"medium\":{\"twilio\":{}},"
          + "\"firstSpeakerSettings\":{\"user\":{}},\"maxDuration\":\"900s\","
          + "\"recordingEnabled\":false,\"systemPrompt\":\"You help Ada.\","
          + "\"vadSettings\":{\"minimumInterruptionDuration\":\"0.09s\"},\"clientVersion\":null}";

  private MockWebServer server;
  private ControllableClock clock;
  private List<Duration> waits;
  private CircuitBreaker breaker;
  private UltravoxClient client;

  @BeforeEach
  void setUp() throws Exception {
    server = new MockWebServer();
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    clock = ControllableClock.create();
    waits = new CopyOnWriteArrayList<>();
    breaker =
        CircuitBreaker.builder()
            .name("ultravox")
            .failureThreshold(2)
            .openDuration(Duration.ofSeconds(30))
            .clock(clock)
            .build();
    client = client(base("/"));
  }

  private UltravoxClient client(URI base) {
    return UltravoxClient.builder()
        .apiKey(KEY)
        .baseUrl(base)
        .clock(clock)
        .circuitBreaker(breaker)
        .retryPolicy(
            RetryPolicy.builder()
                .maxAttempts(3)
                .initialBackoff(Duration.ofMillis(100))
                .jitter(0)
                .clock(clock)
                .sleeper(
                    d -> {
                      waits.add(d);
                      clock.advance(d);
                    })
                .build())
        .build();
  }

  private URI base(String path) {
    return URI.create("http://127.0.0.1:" + server.getPort() + path);
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  private void enqueue(int code, String body) {
    server.enqueue(
        new MockResponse.Builder()
            .code(code)
            .setHeader("Content-Type", "application/json")
            .body(body)
            .build());
  }

  private RecordedRequest take() throws InterruptedException {
    RecordedRequest r = server.takeRequest(10, TimeUnit.SECONDS);
    assertThat(r).as("a request reached the server").isNotNull();
    assertThat(r.getHeaders().get("X-API-Key")).isEqualTo(KEY);
    return r;
  }

  private static JsonNode body(RecordedRequest r) throws Exception {
    return JSON.readTree(r.getBody().string(StandardCharsets.UTF_8));
  }

  private static String pageJson(String next, String... items) {
    return "{\"results\":["
        + String.join(",", items)
        + "],\"next\":"
        + (next == null ? "null" : "\"" + next + "\"")
        + ",\"previous\":null,\"total\":5}";
  }

  private static String agent(String id, String name) {
    return "{\"agentId\":\"" + id + "\",\"name\":\"" + name + "\"}";
  }

  @Nested
  class Agents {
    @Test
    void createAgentPostsTheSpecAndReadsTheCreatedAgent() throws Exception {
      enqueue(201, AGENT_JSON);
      Agent agent =
          client.createAgent(
              AgentSpec.builder()
                  .name("front-desk")
                  .callTemplate(
                      CallTemplate.builder()
                          .systemPrompt("You help {{name}}.")
                          .voice("Mark")
                          .maxDuration(Duration.ofMinutes(10))
                          .selectedTools(List.of(SelectedTool.builtIn("hangUp")))
                          .extra("vadSettings", Map.of("turnEndpointDelay", "0.384s"))
                          .build())
                  .build());

      RecordedRequest r = take();
      assertThat(r.getMethod()).isEqualTo("POST");
      assertThat(r.getUrl().encodedPath()).isEqualTo("/api/agents");
      assertThat(r.getHeaders().get("Content-Type")).startsWith("application/json");
      JsonNode sent = body(r);
      assertThat(sent.get("name").asText()).isEqualTo("front-desk");
      JsonNode template = sent.get("callTemplate");
      assertThat(template.get("systemPrompt").asText()).isEqualTo("You help {{name}}.");
      assertThat(template.get("maxDuration").asText()).isEqualTo("600s");
      assertThat(template.get("selectedTools").get(0).get("toolName").asText()).isEqualTo("hangUp");
      assertThat(template.get("vadSettings").get("turnEndpointDelay").asText()).isEqualTo("0.384s");
      assertThat(template.has("temperature")).as("unset fields are not sent").isFalse();

      assertThat(agent.agentId()).isEqualTo(AGENT_ID);
      assertThat(agent.created()).isEqualTo(Instant.parse("2026-01-01T09:00:00.123456Z"));
      assertThat(agent.callTemplate().joinTimeout()).isEqualTo(Duration.ofSeconds(30));
      assertThat(agent.callTemplate().medium()).isEqualTo(Medium.twilio());
      assertThat(agent.callTemplate().firstSpeakerSettings().isUser()).isTrue();
      assertThat(agent.callTemplate().extra())
          .containsKeys("vadSettings", "inactivityMessages", "futureField");
      assertThat(agent.callTemplate().templateVariables()).containsExactly("name");
    }

    @Test
    void unknownTemplateFieldsRoundTripThroughAnUpdate() throws Exception {
      enqueue(200, AGENT_JSON);
      Agent agent = client.getAgent(AGENT_ID);
      enqueue(200, AGENT_JSON);
      client.updateAgent(
          AGENT_ID,
          AgentSpec.builder()
              .callTemplate(agent.callTemplate().toBuilder().voice("Jessica").build())
              .build());

      take();
      JsonNode template = body(take()).get("callTemplate");
      assertThat(template.get("voice").asText()).isEqualTo("Jessica");
      assertThat(template.get("vadSettings").get("turnEndpointDelay").asText()).isEqualTo("0.384s");
      assertThat(template.get("inactivityMessages").get(0).get("message").asText())
          .isEqualTo("Still there, {{name}}?");
      assertThat(template.get("futureField").toString()).isEqualTo("[1,2]");
      assertThat(template.get("joinTimeout").asText()).isEqualTo("30s");
    }

    @Test
    void listAgentsSendsCursorPageSizeAndSearchAndParsesTheNextCursor() throws Exception {
      enqueue(
          200,
          pageJson(
              base("/api/agents?cursor=cD0yMDI2&pageSize=2").toString(),
              agent("a1", "one"),
              agent("a2", "two")));
      Page<Agent> page = client.listAgents(new PageRequest("cj0xJnA9NDg3", 2, "front desk"));

      RecordedRequest r = take();
      assertThat(r.getMethod()).isEqualTo("GET");
      assertThat(r.getUrl().encodedPath()).isEqualTo("/api/agents");
      assertThat(r.getUrl().queryParameter("cursor")).isEqualTo("cj0xJnA9NDg3");
      assertThat(r.getUrl().queryParameter("pageSize")).isEqualTo("2");
      assertThat(r.getUrl().queryParameter("search")).isEqualTo("front desk");
      assertThat(page.results()).extracting(Agent::name).containsExactly("one", "two");
      assertThat(page.next()).isEqualTo("cD0yMDI2");
      assertThat(page.previous()).isNull();
      assertThat(page.total()).isEqualTo(5);
      assertThat(page.nextRequest(PageRequest.ofSize(2)))
          .contains(new PageRequest("cD0yMDI2", 2, null));
    }

    @Test
    void allAgentsFollowsNextAcrossThreePagesLazily() throws Exception {
      enqueue(
          200,
          pageJson(
              base("/api/agents?cursor=p2").toString(), agent("a1", "one"), agent("a2", "two")));
      // A relative next link is resolved against the base URL.
      enqueue(200, pageJson("/api/agents?cursor=p3", agent("a3", "three"), agent("a4", "four")));
      enqueue(200, pageJson(null, agent("a5", "five")));

      var it = client.allAgents().iterator();
      assertThat(it.next().name()).isEqualTo("one");
      assertThat(server.getRequestCount()).as("pages are fetched lazily").isEqualTo(1);
      List<String> names = new ArrayList<>(List.of("one"));
      it.forEachRemaining(a -> names.add(a.name()));

      assertThat(names).containsExactly("one", "two", "three", "four", "five");
      assertThat(take().getUrl().queryParameter("cursor")).isNull();
      assertThat(take().getUrl().queryParameter("cursor")).isEqualTo("p2");
      assertThat(take().getUrl().queryParameter("cursor")).isEqualTo("p3");
      assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void aPaginationLoopIsRefused() {
      enqueue(200, pageJson("/api/agents?cursor=same", agent("a1", "one")));
      enqueue(200, pageJson("/api/agents?cursor=same", agent("a2", "two")));
      List<String> names = new ArrayList<>();
      assertThatThrownBy(() -> client.allAgents().forEach(a -> names.add(a.name())))
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("cursor");
      assertThat(names).containsExactly("one", "two");
    }

    @Test
    void updateAgentPatchesOnlyTheFieldsSet() throws Exception {
      enqueue(200, AGENT_JSON);
      client.updateAgent(
          AGENT_ID,
          AgentSpec.builder()
              .callTemplate(CallTemplate.builder().temperature(0.2).build())
              .build());
      RecordedRequest r = take();
      assertThat(r.getMethod()).isEqualTo("PATCH");
      assertThat(r.getUrl().encodedPath()).isEqualTo("/api/agents/" + AGENT_ID);
      assertThat(body(r).toString()).isEqualTo("{\"callTemplate\":{\"temperature\":0.2}}");

      enqueue(200, AGENT_JSON);
      client.updateAgent(AGENT_ID, AgentSpec.builder().name("reception").build());
      assertThat(body(take()).toString()).isEqualTo("{\"name\":\"reception\"}");
    }

    @Test
    void deleteAgentSendsDeleteAndAcceptsNoContent() throws Exception {
      server.enqueue(new MockResponse.Builder().code(204).build());
      client.deleteAgent(AGENT_ID);
      RecordedRequest r = take();
      assertThat(r.getMethod()).isEqualTo("DELETE");
      assertThat(r.getUrl().encodedPath()).isEqualTo("/api/agents/" + AGENT_ID);
    }

    @Test
    void aDeleteRetriedAfterA503ThatFindsTheAgentGoneIsDone() throws Exception {
      enqueue(503, "{\"detail\":\"upstream\"}");
      enqueue(404, "{\"detail\":\"Not found.\"}");
      client.deleteAgent(AGENT_ID);
      assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void getAgentOfAnUnknownIdIs404() {
      enqueue(404, "{\"detail\":\"Not found.\"}");
      ProviderException e =
          catchThrowableOfType(ProviderException.class, () -> client.getAgent(AGENT_ID));
      assertThat(e.httpStatus()).isEqualTo(404);
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.provider()).isEqualTo("ultravox");
      assertThat(e.getMessage())
          .contains("get agent", "404", "GET /api/agents/" + AGENT_ID, "Not found.");
      assertThat(server.getRequestCount()).as("a 404 is not retried").isEqualTo(1);
    }

    @Test
    void idsArePathEncoded() throws Exception {
      enqueue(404, "{\"detail\":\"Not found.\"}");
      assertThatThrownBy(() -> client.getAgent("../calls")).isInstanceOf(ProviderException.class);
      assertThat(take().getUrl().encodedPath()).isEqualTo("/api/agents/..%2Fcalls");
    }
  }

  @Nested
  class Calls {
    @Test
    void startAgentCallPostsTheRequestAndReadsTheCall() throws Exception {
      enqueue(201, CALL_JSON);
      UltravoxCall call =
          client.startAgentCall(
              AGENT_ID,
              StartCallRequest.builder()
                  .templateContext(Map.of("name", "Ada", "user", Map.of("phone", "+14155550100")))
                  .metadata("switchboard_call_id", "CA1")
                  .medium(Medium.twilio())
                  .firstSpeakerSettings(FirstSpeakerSettings.user())
                  .maxDuration(Duration.ofMinutes(15))
                  .recordingEnabled(false)
                  .extra("initialMessages", List.of())
                  .build());

      RecordedRequest r = take();
      assertThat(r.getMethod()).isEqualTo("POST");
      assertThat(r.getUrl().encodedPath()).isEqualTo("/api/agents/" + AGENT_ID + "/calls");
      JsonNode sent = body(r);
      assertThat(sent.get("templateContext").get("user").get("phone").asText())
          .isEqualTo("+14155550100");
      assertThat(sent.get("metadata").get("switchboard_call_id").asText()).isEqualTo("CA1");
      assertThat(sent.get("medium").toString()).isEqualTo("{\"twilio\":{}}");
      assertThat(sent.get("firstSpeakerSettings").toString()).isEqualTo("{\"user\":{}}");
      assertThat(sent.get("maxDuration").asText()).isEqualTo("900s");
      assertThat(sent.get("recordingEnabled").asBoolean()).isFalse();
      assertThat(sent.get("initialMessages").isArray()).isTrue();
      assertThat(sent.has("systemPrompt")).isFalse();

      assertThat(call.callId()).isEqualTo(CALL_ID);
      assertThat(call.joinUrl())
          .isEqualTo(URI.create("wss://voice.example/calls/" + CALL_ID + "/twilio?a=1&b=2"));
      assertThat(call.metadata("switchboard_call_id")).contains("CA1");
      assertThat(call.maxDuration()).isEqualTo(Duration.ofMinutes(15));
      assertThat(call.joined()).isNull();
      assertThat(call.hasEnded()).isFalse();
      assertThat(call.extra()).containsKeys("systemPrompt", "vadSettings");
      assertThat(call.toString()).doesNotContain("wss://");
    }

    @Test
    void createCallPostsADirectCall() throws Exception {
      enqueue(201, CALL_JSON);
      client.createCall(
          StartCallRequest.builder()
              .systemPrompt("You are terse.")
              .model("ultravox-v0.7")
              .temperature(0.1)
              .voice("Mark")
              .medium(Medium.serverWebSocket(8000, 8000, 30_000))
              .selectedTools(
                  List.of(
                      SelectedTool.clientTool(
                          dev.switchboard.core.agent.ToolDefinition.of(
                              "lookup",
                              "Finds an order",
                              "{\"type\":\"object\",\"properties\":{\"order\":{\"type\":\"string\"}},"
                                  + "\"required\":[\"order\"]}"))))
              .build());
      RecordedRequest r = take();
      assertThat(r.getUrl().encodedPath()).isEqualTo("/api/calls");
      JsonNode sent = body(r);
      assertThat(sent.get("systemPrompt").asText()).isEqualTo("You are terse.");
      assertThat(sent.get("medium").toString())
          .isEqualTo(
              "{\"serverWebSocket\":{\"inputSampleRate\":8000,\"outputSampleRate\":8000,"
                  + "\"clientBufferSizeMs\":30000}}");
      JsonNode tool = sent.get("selectedTools").get(0).get("temporaryTool");
      assertThat(tool.get("modelToolName").asText()).isEqualTo("lookup");
      assertThat(tool.get("client").toString()).isEqualTo("{}");
      assertThat(tool.get("dynamicParameters").toString())
          .isEqualTo(
              "[{\"name\":\"order\",\"location\":\"PARAMETER_LOCATION_BODY\","
                  + "\"schema\":{\"type\":\"string\"},\"required\":true}]");
    }

    @Test
    void getCallAndListMessages() throws Exception {
      enqueue(
          200,
          CALL_JSON
              .replace("\"joined\":null", "\"joined\":\"2026-01-01T09:00:02+00:00\"")
              .replace("\"ended\":null", "\"ended\":\"2026-01-01T09:01:03.5Z\"")
              .replace("\"endReason\":null", "\"endReason\":\"hangup\"")
              .replace("\"billedDuration\":null", "\"billedDuration\":\"61.5s\""));
      UltravoxCall call = client.getCall(CALL_ID);
      assertThat(take().getUrl().encodedPath()).isEqualTo("/api/calls/" + CALL_ID);
      assertThat(call.joined()).isEqualTo(Instant.parse("2026-01-01T09:00:02Z"));
      assertThat(call.endReason()).isEqualTo("hangup");
      assertThat(call.billedDuration()).isEqualTo(Duration.ofMillis(61_500));

      enqueue(
          200,
          "{\"results\":[{\"role\":\"MESSAGE_ROLE_AGENT\",\"text\":\"Hello!\","
              + "\"medium\":\"MESSAGE_MEDIUM_VOICE\",\"callStageId\":\"s1\","
              + "\"callStageMessageIndex\":0,\"timespan\":{\"start\":\"0.1s\",\"end\":\"1.25s\"},"
              + "\"wallClockTimespan\":{\"start\":\"0s\"}},"
              + "{\"role\":\"MESSAGE_ROLE_TOOL_CALL\",\"text\":\"{}\",\"toolName\":\"lookup\","
              + "\"invocationId\":\"i1\",\"newThing\":true}],"
              + "\"next\":null,\"previous\":\"/api/calls/x/messages?cursor=back\"}");
      Page<CallMessage> messages = client.listCallMessages(CALL_ID, PageRequest.ofSize(50));
      RecordedRequest r = take();
      assertThat(r.getUrl().encodedPath()).isEqualTo("/api/calls/" + CALL_ID + "/messages");
      assertThat(r.getUrl().queryParameter("pageSize")).isEqualTo("50");
      assertThat(messages.results()).hasSize(2);
      CallMessage first = messages.results().get(0);
      assertThat(first.role()).isEqualTo(CallMessage.ROLE_AGENT);
      assertThat(first.timespan().end()).isEqualTo(Duration.ofMillis(1250));
      assertThat(messages.results().get(1).toolName()).isEqualTo("lookup");
      assertThat(messages.previous()).isEqualTo("back");
      assertThat(messages.total()).isNull();
    }

    @Test
    void sendDataMessagePostsTheMessage() throws Exception {
      server.enqueue(new MockResponse.Builder().code(204).build());
      client.sendDataMessage(CALL_ID, Map.of("type", "hang_up", "message", "Goodbye"));
      RecordedRequest r = take();
      assertThat(r.getMethod()).isEqualTo("POST");
      assertThat(r.getUrl().encodedPath())
          .isEqualTo("/api/calls/" + CALL_ID + "/send_data_message");
      assertThat(body(r).get("type").asText()).isEqualTo("hang_up");
    }

    @Test
    void sendDataMessageToAnEndedCallIs422() {
      enqueue(422, "{\"detail\":\"Call is not active.\"}");
      ProviderException e =
          catchThrowableOfType(
              ProviderException.class,
              () -> client.sendDataMessage(CALL_ID, Map.of("type", "hang_up")));
      assertThat(e.httpStatus()).isEqualTo(422);
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.getMessage()).contains("send data message", "Call is not active.");
    }
  }

  @Nested
  class Webhooks {
    @Test
    void createListAndDeleteWebhooks() throws Exception {
      String secret = "whsec-never-printed-123";
      enqueue(
          201,
          "{\"webhookId\":\"w1\",\"url\":\"https://voice.example.com/uv\",\"secrets\":[\""
              + secret
              + "\"],\"events\":[\"call.ended\"],\"status\":\"normal\",\"agentId\":null,"
              + "\"created\":\"2026-01-01T09:00:00Z\",\"recentFailures\":[]}");
      Webhook created =
          client.createWebhook(
              WebhookSpec.builder(URI.create("https://voice.example.com/uv"))
                  .events(WebhookSpec.CALL_ENDED)
                  .secret(secret)
                  .build());
      RecordedRequest r = take();
      assertThat(r.getUrl().encodedPath()).isEqualTo("/api/webhooks");
      assertThat(body(r).toString())
          .isEqualTo(
              "{\"url\":\"https://voice.example.com/uv\",\"events\":[\"call.ended\"],"
                  + "\"secrets\":[\""
                  + secret
                  + "\"]}");
      assertThat(created.secrets()).containsExactly(secret);
      assertThat(created.toString()).doesNotContain(secret);

      enqueue(200, "{\"results\":[],\"next\":null,\"previous\":null,\"total\":0}");
      assertThat(client.listWebhooks(PageRequest.first()).results()).isEmpty();
      assertThat(take().getUrl().encodedPath()).isEqualTo("/api/webhooks");

      server.enqueue(new MockResponse.Builder().code(204).build());
      client.deleteWebhook("w1");
      RecordedRequest d = take();
      assertThat(d.getMethod()).isEqualTo("DELETE");
      assertThat(d.getUrl().encodedPath()).isEqualTo("/api/webhooks/w1");
    }
  }

  @Nested
  class Errors {
    @Test
    void validationErrorsNameTheFields() {
      enqueue(
          400,
          "{\"name\":[\"This field is required.\"],"
              + "\"callTemplate\":{\"temperature\":[\"Ensure this value is less than or equal to 1.\"]}}");
      ProviderException e =
          catchThrowableOfType(
              ProviderException.class,
              () -> client.createAgent(AgentSpec.builder().name("x").build()));
      assertThat(e.httpStatus()).isEqualTo(400);
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.getMessage())
          .contains(
              "create agent",
              "HTTP 400",
              "name: This field is required.",
              "callTemplate.temperature: Ensure this value is less than or equal to 1.");
    }

    @Test
    void aBodyThatIsNotJsonIsQuotedBoundedly() {
      enqueue(502, "<html>" + "x".repeat(5000) + "</html>");
      client.close();
      client =
          UltravoxClient.builder()
              .apiKey(KEY)
              .baseUrl(base("/"))
              .retryPolicy(RetryPolicy.builder().maxAttempts(1).build())
              .build();
      ProviderException e =
          catchThrowableOfType(ProviderException.class, () -> client.getCall(CALL_ID));
      assertThat(e.httpStatus()).isEqualTo(502);
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.getMessage()).contains("<html>xxx").hasSizeLessThan(700);
    }

    @Test
    void aRejectedKeyIsNotRetriedAndSaysSo() {
      enqueue(401, "{\"detail\":\"Invalid API key.\"}");
      ProviderException e =
          catchThrowableOfType(ProviderException.class, () -> client.getAgent(AGENT_ID));
      assertThat(e.httpStatus()).isEqualTo(401);
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.getMessage()).contains("rejected the API key", "Invalid API key.");
      assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void theKeyIsInNoMessageNorToStringEvenWhenTheServiceEchoesIt() {
      enqueue(403, "{\"detail\":\"Key " + KEY + " is disabled\"}");
      ProviderException e =
          catchThrowableOfType(ProviderException.class, () -> client.getAgent(AGENT_ID));
      assertThat(e.getMessage()).doesNotContain(KEY).contains("****");
      assertThat(String.valueOf(e)).doesNotContain(KEY);
      assertThat(client.toString()).doesNotContain(KEY);
      enqueue(403, "{\"detail\":\"Key " + KEY + " is disabled\"}");
      assertThat(client.health().toString()).doesNotContain(KEY);
    }

    @Test
    void a429OnAGetIsRetriedAfterItsRetryAfter() throws Exception {
      server.enqueue(
          new MockResponse.Builder()
              .code(429)
              .setHeader("Retry-After", "2")
              .body("{\"detail\":\"Request was throttled.\"}")
              .build());
      enqueue(200, AGENT_JSON);
      Agent agent = client.getAgent(AGENT_ID);
      assertThat(agent.name()).isEqualTo("front-desk");
      assertThat(server.getRequestCount()).isEqualTo(2);
      assertThat(waits).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void aRetryAfterDateIsHonoured() {
      String date =
          DateTimeFormatter.RFC_1123_DATE_TIME.format(
              clock.instant().plusSeconds(5).atOffset(ZoneOffset.UTC));
      server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", date).build());
      enqueue(200, AGENT_JSON);
      client.getAgent(AGENT_ID);
      assertThat(waits).containsExactly(Duration.ofSeconds(5));
    }

    @Test
    void a429OnAPostIsNotRetriedAndCarriesItsRetryAfter() {
      server.enqueue(
          new MockResponse.Builder()
              .code(429)
              .setHeader("Retry-After", "3")
              .body("{\"detail\":\"Request was throttled.\"}")
              .build());
      ProviderException e =
          catchThrowableOfType(
              ProviderException.class,
              () -> client.startAgentCall(AGENT_ID, StartCallRequest.builder().build()));
      assertThat(e.httpStatus()).isEqualTo(429);
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
      assertThat(e.getMessage()).contains("start agent call", "rate limited", "3000 ms");
      assertThat(server.getRequestCount()).isEqualTo(1);
      assertThat(waits).isEmpty();
    }

    @Test
    void a503IsRetriedWithBackoffThenSucceeds() {
      enqueue(503, "{\"detail\":\"Service unavailable\"}");
      enqueue(503, "");
      enqueue(200, CALL_JSON);
      assertThat(client.getCall(CALL_ID).callId()).isEqualTo(CALL_ID);
      assertThat(server.getRequestCount()).isEqualTo(3);
      assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void aPostWhoseConnectionDropsIsSentOnceButAGetIsRetried() {
      server.enqueue(
          new MockResponse.Builder()
              .onResponseStart(SocketEffect.ShutdownConnection.INSTANCE)
              .build());
      ProviderException e =
          catchThrowableOfType(
              ProviderException.class, () -> client.createCall(StartCallRequest.builder().build()));
      assertThat(e.httpStatus()).isZero();
      assertThat(e.getMessage()).contains("create call", "may have been carried out");
      assertThat(server.getRequestCount()).isEqualTo(1);

      server.enqueue(
          new MockResponse.Builder()
              .onResponseStart(SocketEffect.ShutdownConnection.INSTANCE)
              .build());
      enqueue(200, CALL_JSON);
      assertThat(client.getCall(CALL_ID).callId()).isEqualTo(CALL_ID);
      assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void theBreakerOpensAfterRepeatedFailuresAndThenFailsFast() {
      for (int i = 0; i < 6; i++) {
        enqueue(500, "{\"detail\":\"boom\"}");
      }
      assertThatThrownBy(() -> client.getCall(CALL_ID)).isInstanceOf(ProviderException.class);
      assertThatThrownBy(() -> client.getCall(CALL_ID)).isInstanceOf(ProviderException.class);
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
      int sent = server.getRequestCount();

      assertThatThrownBy(() -> client.getCall(CALL_ID))
          .isInstanceOf(CircuitOpenException.class)
          .hasMessageContaining("ultravox");
      assertThatThrownBy(() -> client.createAgent(AgentSpec.builder().name("x").build()))
          .isInstanceOf(CircuitOpenException.class);
      assertThat(server.getRequestCount()).as("nothing sent while open").isEqualTo(sent);

      HealthStatus health = client.health();
      assertThat(health.state()).isEqualTo(HealthStatus.State.UNHEALTHY);
      assertThat(server.getRequestCount()).as("no probe while open").isEqualTo(sent);

      clock.advance(Duration.ofSeconds(31));
      enqueue(200, CALL_JSON);
      assertThat(client.getCall(CALL_ID).callId()).isEqualTo(CALL_ID);
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aRefusedConnectionIsStatusZeroAndRetryable() throws Exception {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        port = s.getLocalPort();
      }
      client.close();
      client = client(URI.create("http://127.0.0.1:" + port));
      ProviderException e =
          catchThrowableOfType(ProviderException.class, () -> client.getAgent(AGENT_ID));
      assertThat(e.httpStatus()).isZero();
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.getMessage()).contains("could not connect").doesNotContain(KEY);
      assertThat(waits).hasSize(2);

      // A refused connection proves the request never left, so core's policy may repeat even a
      // create: no duplicate is possible.
      ProviderException create =
          catchThrowableOfType(
              ProviderException.class,
              () -> client.createAgent(AgentSpec.builder().name("x").build()));
      assertThat(create.httpStatus()).isZero();
      assertThat(waits).hasSize(4);
    }

    @Test
    void anUnreadableSuccessIsAnErrorNamingTheOperation() {
      enqueue(200, "{\"name\":\"no id\"}");
      ProviderException e =
          catchThrowableOfType(ProviderException.class, () -> client.getAgent(AGENT_ID));
      assertThat(e.httpStatus()).isEqualTo(200);
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.getMessage()).contains("get agent", "cannot be read");
    }
  }

  @Nested
  class BadArguments {
    @Test
    void areRefusedBeforeAnyRequest() {
      assertThatThrownBy(() -> client.getAgent(" "))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("agentId");
      assertThatThrownBy(() -> client.deleteWebhook(""))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("webhookId");
      assertThatThrownBy(() -> client.createAgent(AgentSpec.builder().build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("name");
      assertThatThrownBy(() -> client.updateAgent(AGENT_ID, AgentSpec.builder().build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("patch");
      assertThatThrownBy(
              () ->
                  client.startAgentCall(
                      AGENT_ID, StartCallRequest.builder().systemPrompt("x").build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("systemPrompt");
      assertThatThrownBy(() -> StartCallRequest.builder().metadata("ultravox.secret", "x").build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("ultravox.secret");
      assertThatThrownBy(() -> client.sendDataMessage(CALL_ID, Map.of("text", "hi")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("type");
      assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void theBuilderNamesTheMissingOrBadSetting() {
      assertThatThrownBy(() -> UltravoxClient.builder().build())
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("apiKey");
      assertThatThrownBy(() -> UltravoxClient.builder().apiKey("  ").build())
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("apiKey");
      assertThatThrownBy(
              () ->
                  UltravoxClient.builder()
                      .apiKey(KEY)
                      .baseUrl(URI.create("ftp://example.com"))
                      .build())
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("baseUrl");
    }
  }

  @Nested
  class HealthAndLifecycle {
    @Test
    void healthyWhenTheProbeSucceeds() throws Exception {
      enqueue(200, pageJson(null, agent("a1", "one")));
      HealthStatus health = client.health();
      assertThat(health.state()).isEqualTo(HealthStatus.State.HEALTHY);
      assertThat(health.checks())
          .extracting(HealthStatus.Check::name)
          .containsExactly("credentials", "api", "ultravox");
      RecordedRequest r = take();
      assertThat(r.getUrl().encodedPath()).isEqualTo("/api/agents");
      assertThat(r.getUrl().queryParameter("pageSize")).isEqualTo("1");
    }

    @Test
    void unhealthyCredentialsWhenTheKeyIsRejected() {
      enqueue(401, "{\"detail\":\"Invalid API key.\"}");
      HealthStatus health = client.health();
      assertThat(health.state()).isEqualTo(HealthStatus.State.UNHEALTHY);
      assertThat(health.checks().get(0))
          .isEqualTo(
              HealthStatus.Check.unhealthy(
                  "credentials", "Ultravox rejected the API key (HTTP 401)"));
    }

    @Test
    void degradedWhenRateLimitedAndUnhealthyOnServerErrors() {
      enqueue(429, "");
      assertThat(client.health().state()).isEqualTo(HealthStatus.State.DEGRADED);
      enqueue(503, "");
      HealthStatus health = client.health();
      assertThat(health.state()).isEqualTo(HealthStatus.State.UNHEALTHY);
      assertThat(health.checks().get(0).detail()).contains("503");
      assertThat(server.getRequestCount()).as("the probe is not retried").isEqualTo(2);
    }

    @Test
    void aBasePathPrefixIsKept() throws Exception {
      client.close();
      client = client(base("/proxy/ultravox/"));
      enqueue(200, AGENT_JSON);
      client.getAgent(AGENT_ID);
      assertThat(take().getUrl().encodedPath()).isEqualTo("/proxy/ultravox/api/agents/" + AGENT_ID);
    }

    @Test
    void nothingOfAClientOutlivesItsClose() throws Exception {
      client.close();
      Set<Thread> before = Thread.getAllStackTraces().keySet();
      UltravoxClient own = UltravoxClient.builder().apiKey(KEY).baseUrl(base("/")).build();
      for (int i = 0; i < 3; i++) {
        enqueue(200, AGENT_JSON);
        own.getAgent(AGENT_ID);
      }
      own.close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      List<Thread> leaked;
      do {
        leaked =
            Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive())
                // OkHttp's and MockWebServer's task runners and Okio's timeout watchdog are
                // process-wide and idle out on their own.
                .filter(t -> !t.getName().contains("TaskRunner"))
                .filter(t -> !t.getName().equals("Okio Watchdog"))
                .filter(t -> !t.getName().startsWith("MockWebServer"))
                .toList();
        for (Thread t : leaked) {
          long left = deadline - System.nanoTime();
          if (left > 0) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          }
        }
      } while (leaked.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline);
      assertThat(leaked.stream().filter(Thread::isAlive).map(Thread::getName)).isEmpty();
    }

    @Test
    void aClosedClientRefusesCallsAndASharedOkHttpClientSurvivesClose() throws Exception {
      OkHttpClient shared = new OkHttpClient();
      try {
        UltravoxClient sharing =
            UltravoxClient.builder().apiKey(KEY).baseUrl(base("/")).okHttpClient(shared).build();
        enqueue(200, AGENT_JSON);
        sharing.getAgent(AGENT_ID);
        sharing.close();
        sharing.close(); // idempotent
        assertThatThrownBy(() -> sharing.getAgent(AGENT_ID))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("closed");
        assertThat(shared.dispatcher().executorService().isShutdown()).isFalse();

        enqueue(200, AGENT_JSON);
        client.getAgent(AGENT_ID);
        client.close();
        assertThatThrownBy(() -> client.health()).isInstanceOf(IllegalStateException.class);
      } finally {
        shared.dispatcher().executorService().shutdown();
        shared.connectionPool().evictAll();
      }
    }
  }
}
