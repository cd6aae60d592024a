package dev.switchboard.agent.ultravox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.agent.ultravox.model.Agent;
import dev.switchboard.agent.ultravox.model.AgentSpec;
import dev.switchboard.agent.ultravox.model.CallMessage;
import dev.switchboard.agent.ultravox.model.CallTemplate;
import dev.switchboard.agent.ultravox.model.FirstSpeakerSettings;
import dev.switchboard.agent.ultravox.model.Medium;
import dev.switchboard.agent.ultravox.model.Page;
import dev.switchboard.agent.ultravox.model.PageRequest;
import dev.switchboard.agent.ultravox.model.StartCallRequest;
import dev.switchboard.agent.ultravox.model.UltravoxCall;
import dev.switchboard.agent.ultravox.model.Webhook;
import dev.switchboard.agent.ultravox.model.WebhookSpec;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.ProviderException;
import dev.switchboard.core.resilience.RetryPolicy;
import dev.switchboard.testing.ControllableClock;
import dev.switchboard.testing.ultravox.AgentReply;
import dev.switchboard.testing.ultravox.FakeUltravox;
import dev.switchboard.testing.ultravox.FakeUltravoxCall;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link UltravoxClient} against {@link FakeUltravox} over a real socket: the client and the fake
 * were written from the same protocol notes by different hands, so this is where their readings of
 * pagination, errors and the call shapes meet.
 */
class UltravoxClientAgainstFakeTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final ControllableClock clock =
      ControllableClock.at(Instant.parse("2026-11-21T10:00:00Z"));
  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private FakeUltravox fake;
  private UltravoxClient client;

  @BeforeEach
  void start() {
    fake = FakeUltravox.builder().greeting(AgentReply.say("Hello from the clinic.")).build();
    fake.start();
    client =
        UltravoxClient.builder()
            .apiKey(fake.apiKey())
            .baseUrl(fake.baseUrl())
            .clock(clock)
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

  @AfterEach
  void stop() {
    client.close();
    fake.close();
  }

  private Agent createAgent(String name, String prompt) {
    return client.createAgent(
        AgentSpec.builder()
            .name(name)
            .callTemplate(CallTemplate.builder().systemPrompt(prompt).voice("Mark").build())
            .build());
  }

  @Test
  void agentsArePagedWithTheFakesCursorsAndAllAgentsFollowsThemToTheEnd() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(createAgent("agent-" + i, "You are agent {{n}}.").agentId());
    }

    List<String> seen = new ArrayList<>();
    PageRequest request = PageRequest.ofSize(2);
    int pages = 0;
    while (true) {
      Page<Agent> page = client.listAgents(request);
      pages++;
      assertThat(page.results()).hasSizeLessThanOrEqualTo(2);
      page.results().forEach(a -> seen.add(a.agentId()));
      if (!page.hasNext()) {
        break;
      }
      request = page.nextRequest(request).orElseThrow();
    }

    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(created).doesNotHaveDuplicates();
    List<String> all = new ArrayList<>();
    client.allAgents().forEach(a -> all.add(a.agentId()));
    assertThat(all).containsExactlyInAnyOrderElementsOf(created);
  }

  @Test
  void anAgentIsReadPatchedAndDeleted() {
    Agent agent = createAgent("front-desk", "You greet {{customer}}.");
    assertThat(agent.callTemplate().templateVariables()).containsExactly("customer");

    Agent patched =
        client.updateAgent(
            agent.agentId(),
            AgentSpec.builder()
                .callTemplate(CallTemplate.builder().systemPrompt("You greet {{name}}.").build())
                .build());

    assertThat(patched.name()).isEqualTo("front-desk");
    assertThat(client.getAgent(agent.agentId()).callTemplate().systemPrompt())
        .isEqualTo("You greet {{name}}.");
    client.deleteAgent(agent.agentId());
    ProviderException gone =
        catchThrowableOfType(ProviderException.class, () -> client.getAgent(agent.agentId()));
    assertThat(gone.httpStatus()).isEqualTo(404);
    assertThat(gone.getMessage()).contains("404").doesNotContain(fake.apiKey());
  }

  @Test
  void ultravoxsOwnValidationErrorsAreNamedAndNotRetried() {
    Agent agent = createAgent("needs-a-name", "You greet {{name}}.");
    int postsBefore = countPosts();

    ProviderException e =
        catchThrowableOfType(
            ProviderException.class,
            () -> client.startAgentCall(agent.agentId(), StartCallRequest.builder().build()));

    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.getMessage()).contains("name").doesNotContain(fake.apiKey());
    assertThat(e.isRetryable()).isFalse();
    assertThat(countPosts()).isEqualTo(postsBefore + 1);
  }

  @Test
  void aRateLimitedGetWaitsItsRetryAfterAndARateLimitedPostIsNotRepeated() {
    Agent agent = createAgent("paced", "You are paced.");
    fake.failNext(
        "GET", "/api/agents/", FakeUltravox.Fault.status(429).retryAfter(Duration.ofSeconds(2)));

    assertThat(client.getAgent(agent.agentId()).name()).isEqualTo("paced");
    assertThat(waits).containsExactly(Duration.ofSeconds(2));

    fake.failNext(
        "POST", "/api/agents", FakeUltravox.Fault.status(429).retryAfter(Duration.ofSeconds(2)));
    int postsBefore = countPosts();
    ProviderException limited =
        catchThrowableOfType(ProviderException.class, () -> createAgent("again", "x"));
    assertThat(limited.httpStatus()).isEqualTo(429);
    assertThat(limited.retryAfter()).contains(Duration.ofSeconds(2));
    assertThat(countPosts()).isEqualTo(postsBefore + 1);
  }

  private int countPosts() {
    return (int) fake.requests().stream().filter(r -> r.method().equals("POST")).count();
  }

  @Test
  void aCallStartedFromAnAgentCarriesItsContextAndItsTranscriptCanBeListed() {
    Agent agent = createAgent("clinic", "You are the front desk. The caller is {{name}}.");

    UltravoxCall call =
        client.startAgentCall(
            agent.agentId(),
            StartCallRequest.builder()
                .templateContext(Map.of("name", "Ada"))
                .metadata("switchboard_call_id", "CA123")
                .medium(Medium.twilio())
                .firstSpeakerSettings(FirstSpeakerSettings.user())
                .maxDuration(Duration.ofMinutes(10))
                .build());

    assertThat(call.callId()).isNotBlank();
    assertThat(call.joinUrl()).isNotNull();
    assertThat(call.metadata()).containsEntry("switchboard_call_id", "CA123");
    FakeUltravoxCall record = fake.call(call.callId());
    assertThat(record.systemPrompt()).contains("You are the front desk. The caller is Ada.");
    assertThat(record.medium()).isEqualTo("twilio");
    assertThat(client.getCall(call.callId()).callId()).isEqualTo(call.callId());

    // A direct call over serverWebSocket: joined by a bare WebSocket client, it greets; the
    // greeting is then in the call's messages.
    UltravoxCall direct =
        client.createCall(
            StartCallRequest.builder()
                .systemPrompt("You are brief.")
                .medium(Medium.serverWebSocket(8000, 8000, 60))
                .build());
    JoinedSocket socket = JoinedSocket.open(direct.joinUrl());
    try {
      FakeUltravoxCall directRecord = fake.call(direct.callId());
      directRecord.awaitMessage(
          m -> "Hello from the clinic.".equals(m.path("text").asText()), TIMEOUT);
      Page<CallMessage> messages = client.listCallMessages(direct.callId(), PageRequest.first());
      assertThat(messages.results())
          .anySatisfy(
              m -> {
                assertThat(m.role()).isEqualTo(CallMessage.ROLE_AGENT);
                assertThat(m.text()).isEqualTo("Hello from the clinic.");
              });

      client.sendDataMessage(direct.callId(), Map.of("type", "hang_up", "message", "Bye."));
      assertThat(directRecord.awaitEnded(TIMEOUT)).isNotBlank();
    } finally {
      socket.close();
    }
    ProviderException over =
        catchThrowableOfType(
            ProviderException.class,
            () -> client.sendDataMessage(direct.callId(), Map.of("type", "hang_up")));
    assertThat(over.httpStatus()).isEqualTo(422);
  }

  @Test
  void webhooksAreCreatedListedAndDeleted() {
    Webhook hook =
        client.createWebhook(
            WebhookSpec.builder(URI.create("https://example.com/ultravox"))
                .events(WebhookSpec.CALL_ENDED)
                .secret("a-rotating-secret-1")
                .build());

    assertThat(hook.webhookId()).isNotBlank();
    assertThat(hook.toString()).doesNotContain("a-rotating-secret-1");
    assertThat(client.listWebhooks(PageRequest.first()).results())
        .extracting(Webhook::webhookId)
        .containsExactly(hook.webhookId());
    client.deleteWebhook(hook.webhookId());
    assertThat(client.listWebhooks(PageRequest.first()).results()).isEmpty();
  }

  @Test
  void healthIsHealthyWithTheRightKeyAndUnhealthyWithAWrongOne() {
    assertThat(client.health().state()).isEqualTo(HealthStatus.State.HEALTHY);
    try (UltravoxClient wrong =
        UltravoxClient.builder()
            .apiKey("Wr0ngKey.0123456789abcdef0123456789abcdef")
            .baseUrl(fake.baseUrl())
            .build()) {
      HealthStatus health = wrong.health();
      assertThat(health.state()).isEqualTo(HealthStatus.State.UNHEALTHY);
      assertThat(health.toString()).doesNotContain("Wr0ngKey");
      ProviderException rejected =
          catchThrowableOfType(
              ProviderException.class,
              () -> wrong.getAgent("5a1e3a0e-7a35-4f4e-9a51-4e2fb8a6c0aa"));
      assertThat(rejected.httpStatus()).isEqualTo(403);
      assertThat(rejected.getMessage()).contains("API key").doesNotContain("Wr0ngKey");
    }
  }

  /** A bare WebSocket client on a join URL: joins the call and ignores what it hears. */
  private static final class JoinedSocket {
    private static final okhttp3.OkHttpClient HTTP = new okhttp3.OkHttpClient();
    private final okhttp3.WebSocket socket;

    private JoinedSocket(okhttp3.WebSocket socket) {
      this.socket = socket;
    }

    static JoinedSocket open(URI joinUrl) {
      java.util.concurrent.CompletableFuture<Void> opened =
          new java.util.concurrent.CompletableFuture<>();
      okhttp3.WebSocket ws =
          HTTP.newWebSocket(
              new okhttp3.Request.Builder().url(joinUrl.toString()).build(),
              new okhttp3.WebSocketListener() {
                @Override
                public void onOpen(okhttp3.WebSocket webSocket, okhttp3.Response response) {
                  opened.complete(null);
                }

                @Override
                public void onFailure(
                    okhttp3.WebSocket webSocket, Throwable t, okhttp3.Response response) {
                  opened.completeExceptionally(t);
                }
              });
      assertThat(opened).succeedsWithin(TIMEOUT);
      return new JoinedSocket(ws);
    }

    void close() {
      socket.close(1000, "done");
    }
  }
}
