package dev.switchboard.agent.ultravox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.agent.ultravox.internal.Json;
import dev.switchboard.agent.ultravox.internal.UltravoxErrors;
import dev.switchboard.agent.ultravox.model.Agent;
import dev.switchboard.agent.ultravox.model.AgentSpec;
import dev.switchboard.agent.ultravox.model.CallMessage;
import dev.switchboard.agent.ultravox.model.Page;
import dev.switchboard.agent.ultravox.model.PageRequest;
import dev.switchboard.agent.ultravox.model.StartCallRequest;
import dev.switchboard.agent.ultravox.model.UltravoxCall;
import dev.switchboard.agent.ultravox.model.Webhook;
import dev.switchboard.agent.ultravox.model.WebhookSpec;
import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.ProviderException;
import dev.switchboard.core.Secret;
import dev.switchboard.core.resilience.CircuitBreaker;
import dev.switchboard.core.resilience.CircuitOpenException;
import dev.switchboard.core.resilience.Operation;
import dev.switchboard.core.resilience.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A blocking client of the Ultravox REST API: agents (create, list, get, update, delete), calls
 * (start from an agent, create directly, get, list messages, send a data message) and webhooks
 * (create, list, delete). Thread-safe: share one per API key.
 *
 * <pre>{@code
 * UltravoxClient ultravox = UltravoxClient.builder()
 *     .apiKey(System.getenv("ULTRAVOX_API_KEY"))
 *     .build();
 * Agent agent = ultravox.createAgent(AgentSpec.builder()
 *     .name("front-desk")
 *     .callTemplate(CallTemplate.builder().systemPrompt("You are the front desk of {{clinic}}.").build())
 *     .build());
 * UltravoxCall call = ultravox.startAgentCall(agent.agentId(), StartCallRequest.builder()
 *     .templateContext(Map.of("clinic", "Smile Dental"))
 *     .medium(Medium.twilio())
 *     .build());
 * String twiml = "<Response><Connect><Stream url=\"" + xmlEscape(call.joinUrl()) + "\"/></Connect></Response>";
 * ...
 * ultravox.close();
 * }</pre>
 *
 * <p><b>Retries.</b> Requests that cannot repeat a side effect are retried by the {@link
 * RetryPolicy} on 408, 429, 5xx and transport failures, waiting at least a {@code Retry-After}
 * (seconds or HTTP date; capped by the policy's {@code maxBackoff}): {@code GET}, {@code DELETE} (a
 * retried delete that finds the resource gone counts as done), and the agent {@code PATCH}, which
 * sets fields to given values, so repeating it leaves the agent as one application would. {@code
 * POST}s that create something or act on a live call (agents, calls, webhooks, data messages) are
 * {@linkplain Operation#nonIdempotent non-idempotent}: they are sent once, retried only when the
 * failure proves the request never left (a refused connection), never after a status or a timeout;
 * OkHttp's own silent retry on a stale connection is turned off for every request.
 *
 * <p><b>Circuit breaker.</b> One {@link CircuitBreaker} guards the whole retry sequence of each
 * operation (as in the Twilio backend): while it is open, calls fail fast with a {@link
 * CircuitOpenException} instead of waiting out the retries. Its state is part of {@link #health()}.
 *
 * <p><b>Errors.</b> Every failure of the service is a {@link ProviderException} whose message names
 * the operation, the HTTP method and path, the status and Ultravox's own message ({@code detail},
 * or validation errors as {@code field: message}), with {@link ProviderException#httpStatus()},
 * {@link ProviderException#retryAfter()} and {@link ProviderException#isRetryable()} set (401 and
 * 403 say the API key was rejected). Bad arguments (a blank id, a reserved metadata key, an agent
 * call with a system prompt) are {@link IllegalArgumentException}s thrown before any request. The
 * API key is never logged, never in an exception message and never in {@code toString()}.
 *
 * <p><b>Closing.</b> {@link #close()} releases the connections and threads of the OkHttp client the
 * builder created; a client given to {@link Builder#okHttpClient} is left to its owner. Calls after
 * close throw {@link IllegalStateException}.
 */
public final class UltravoxClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UltravoxClient.class);

  /** Where the client sends requests unless told otherwise. */
  public static final URI DEFAULT_BASE_URL = URI.create("https://api.ultravox.ai");

  private static final String API_KEY_HEADER = "X-API-Key";
  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  private static final String USER_AGENT = "switchboard-agent-ultravox";
  private static final long MAX_ERROR_BODY = 64 * 1024;
  private static final String REDACTED = "****";

  private final Secret apiKey;
  private final HttpUrl base;
  private final OkHttpClient http;
  private final boolean ownsHttp;
  private final RetryPolicy retry;
  private final CircuitBreaker breaker;
  private final Clock clock;
  private final AtomicBoolean closed = new AtomicBoolean();

  private UltravoxClient(Builder b, Secret apiKey, HttpUrl base) {
    this.apiKey = apiKey;
    this.base = base;
    this.clock = b.clock;
    this.ownsHttp = b.okHttpClient == null;
    OkHttpClient root = b.okHttpClient != null ? b.okHttpClient : defaultOkHttp();
    // Derived clients share the root's pool and dispatcher; only the settings differ.
    this.http = root.newBuilder().retryOnConnectionFailure(false).followRedirects(false).build();
    this.retry =
        b.retryPolicy != null ? b.retryPolicy : RetryPolicy.builder().clock(b.clock).build();
    this.breaker =
        b.circuitBreaker != null
            ? b.circuitBreaker
            : CircuitBreaker.builder().name(UltravoxErrors.PROVIDER).clock(b.clock).build();
  }

  /**
   * Starts a client configuration. {@link Builder#apiKey} is required.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- agents

  /**
   * Creates an agent ({@code POST /api/agents}). Not retried (see the class description).
   *
   * @param spec the agent; its name is required
   * @return the agent as created, with its id
   * @throws IllegalArgumentException if the spec has no name
   * @throws ProviderException if Ultravox refuses it (e.g. 400 with the invalid fields)
   */
  public Agent createAgent(AgentSpec spec) {
    Objects.requireNonNull(spec, "spec");
    if (spec.name() == null) {
      throw new IllegalArgumentException("spec.name is required to create an agent");
    }
    return send(
        Operation.nonIdempotent("create agent"), "POST", url("agents"), spec, json(Agent.class));
  }

  /**
   * Lists one page of agents ({@code GET /api/agents?cursor=&pageSize=&search=}).
   *
   * @param request the page to fetch
   * @return the page
   */
  public Page<Agent> listAgents(PageRequest request) {
    Objects.requireNonNull(request, "request");
    return send(
        Operation.idempotent("list agents"),
        "GET",
        paged(url("agents"), request, true),
        null,
        page(Agent.class));
  }

  /**
   * Returns every agent, fetching pages lazily as the iteration advances (each {@code iterator()}
   * starts again from the first page).
   *
   * @return the agents
   */
  public Iterable<Agent> allAgents() {
    return () -> new PagingIterator<>(PageRequest.first(), this::listAgents);
  }

  /**
   * Returns an agent ({@code GET /api/agents/{id}}).
   *
   * @param agentId the agent's id
   * @return the agent
   * @throws IllegalArgumentException if the id is blank
   * @throws ProviderException with status 404 if there is no such agent
   */
  public Agent getAgent(String agentId) {
    return send(
        Operation.idempotent("get agent"),
        "GET",
        url("agents", id(agentId, "agentId")),
        null,
        json(Agent.class));
  }

  /**
   * Changes an agent ({@code PATCH /api/agents/{id}}): only the spec's set components are sent, and
   * within its call template only the set fields. How Ultravox merges a partial call template into
   * the agent's is its own (the fields sent replace the agent's).
   *
   * @param agentId the agent's id
   * @param patch what to change; at least one component set
   * @return the agent after the change
   * @throws IllegalArgumentException if the id is blank or the patch changes nothing
   * @throws ProviderException with status 404 if there is no such agent, 400 for invalid fields
   */
  public Agent updateAgent(String agentId, AgentSpec patch) {
    String id = id(agentId, "agentId");
    Objects.requireNonNull(patch, "patch");
    if (patch.isEmpty()) {
      throw new IllegalArgumentException("patch sets nothing: set name or callTemplate");
    }
    // Idempotent: a PATCH sets fields to given values, so sending it twice leaves the same agent.
    return send(
        Operation.idempotent("update agent"), "PATCH", url("agents", id), patch, json(Agent.class));
  }

  /**
   * Deletes an agent ({@code DELETE /api/agents/{id}}).
   *
   * @param agentId the agent's id
   * @throws IllegalArgumentException if the id is blank
   * @throws ProviderException with status 404 if there is no such agent
   */
  public void deleteAgent(String agentId) {
    delete("delete agent", url("agents", id(agentId, "agentId")));
  }

  // ---------------------------------------------------------------- calls

  /**
   * Starts a call from an agent ({@code POST /api/agents/{id}/calls}). Not retried.
   *
   * @param agentId the agent's id
   * @param request template context, metadata, medium, first speaker, durations; the agent's
   *     template decides the prompt, model, temperature and tools
   * @return the created call, with its {@code joinUrl}
   * @throws IllegalArgumentException if the id is blank, or the request sets {@code systemPrompt},
   *     {@code model}, {@code temperature} or {@code selectedTools} (direct calls only)
   * @throws ProviderException if Ultravox refuses it (404 unknown agent, 400 invalid fields, 429)
   */
  public UltravoxCall startAgentCall(String agentId, StartCallRequest request) {
    String id = id(agentId, "agentId");
    Objects.requireNonNull(request, "request");
    List<String> directOnly = new ArrayList<>();
    if (request.systemPrompt() != null) {
      directOnly.add("systemPrompt");
    }
    if (request.model() != null) {
      directOnly.add("model");
    }
    if (request.temperature() != null) {
      directOnly.add("temperature");
    }
    if (request.selectedTools() != null) {
      directOnly.add("selectedTools");
    }
    if (!directOnly.isEmpty()) {
      throw new IllegalArgumentException(
          "request sets "
              + directOnly
              + ", which a call started from an agent takes from the agent's call template;"
              + " update the agent, or use createCall for a direct call");
    }
    return send(
        Operation.nonIdempotent("start agent call"),
        "POST",
        url("agents", id, "calls"),
        request,
        json(UltravoxCall.class));
  }

  /**
   * Creates a call directly, without an agent ({@code POST /api/calls}). Not retried.
   *
   * @param request the call's prompt, voice, tools, medium...
   * @return the created call, with its {@code joinUrl}
   * @throws ProviderException if Ultravox refuses it
   */
  public UltravoxCall createCall(StartCallRequest request) {
    Objects.requireNonNull(request, "request");
    return send(
        Operation.nonIdempotent("create call"),
        "POST",
        url("calls"),
        request,
        json(UltravoxCall.class));
  }

  /**
   * Returns a call ({@code GET /api/calls/{id}}).
   *
   * @param callId the call's id
   * @return the call
   * @throws IllegalArgumentException if the id is blank
   * @throws ProviderException with status 404 if there is no such call
   */
  public UltravoxCall getCall(String callId) {
    return send(
        Operation.idempotent("get call"),
        "GET",
        url("calls", id(callId, "callId")),
        null,
        json(UltravoxCall.class));
  }

  /**
   * Lists one page of a call's messages, its transcript ({@code GET /api/calls/{id}/messages}).
   *
   * @param callId the call's id
   * @param request the page to fetch (its search is ignored)
   * @return the page
   * @throws IllegalArgumentException if the id is blank
   */
  public Page<CallMessage> listCallMessages(String callId, PageRequest request) {
    String id = id(callId, "callId");
    Objects.requireNonNull(request, "request");
    return send(
        Operation.idempotent("list call messages"),
        "GET",
        paged(url("calls", id, "messages"), request, false),
        null,
        page(CallMessage.class));
  }

  /**
   * Sends a data message to a live call ({@code POST /api/calls/{id}/send_data_message}), e.g.
   * {@code {"type": "hang_up", "message": "Goodbye"}}, {@code {"type": "forced_agent_message",
   * "content": "..."}} or {@code {"type": "user_text_message", "text": "..."}}. Not retried: the
   * agent would speak twice.
   *
   * @param callId the call's id
   * @param message the message, with a non-blank string {@code type}
   * @throws IllegalArgumentException if the id is blank or the message has no {@code type}
   * @throws ProviderException e.g. with status 422 when the call is not active
   */
  public void sendDataMessage(String callId, Map<String, ?> message) {
    String id = id(callId, "callId");
    Objects.requireNonNull(message, "message");
    if (!(message.get("type") instanceof String type) || type.isBlank()) {
      throw new IllegalArgumentException(
          "message needs a string \"type\", e.g. hang_up, forced_agent_message or"
              + " user_text_message");
    }
    send(
        Operation.nonIdempotent("send data message"),
        "POST",
        url("calls", id, "send_data_message"),
        message,
        (status, body) -> null);
  }

  // ---------------------------------------------------------------- webhooks

  /**
   * Registers a webhook ({@code POST /api/webhooks}). Not retried.
   *
   * @param spec the URL, events, secrets and optional agent scope
   * @return the webhook, with its secrets (generated ones included)
   * @throws ProviderException if Ultravox refuses it
   */
  public Webhook createWebhook(WebhookSpec spec) {
    Objects.requireNonNull(spec, "spec");
    return send(
        Operation.nonIdempotent("create webhook"),
        "POST",
        url("webhooks"),
        spec,
        json(Webhook.class));
  }

  /**
   * Lists one page of webhooks ({@code GET /api/webhooks}).
   *
   * @param request the page to fetch (its search is ignored)
   * @return the page
   */
  public Page<Webhook> listWebhooks(PageRequest request) {
    Objects.requireNonNull(request, "request");
    return send(
        Operation.idempotent("list webhooks"),
        "GET",
        paged(url("webhooks"), request, false),
        null,
        page(Webhook.class));
  }

  /**
   * Deletes a webhook ({@code DELETE /api/webhooks/{id}}).
   *
   * @param webhookId the webhook's id
   * @throws IllegalArgumentException if the id is blank
   * @throws ProviderException with status 404 if there is no such webhook
   */
  public void deleteWebhook(String webhookId) {
    delete("delete webhook", url("webhooks", id(webhookId, "webhookId")));
  }

  // ---------------------------------------------------------------- health and lifecycle

  /**
   * Checks the service with one cheap request ({@code GET /api/agents?pageSize=1}, through the
   * circuit breaker, not retried) and reports: {@code credentials} (UNHEALTHY when Ultravox rejects
   * the key), {@code api} (HEALTHY when it answered, DEGRADED when rate limited, UNHEALTHY when
   * unreachable, failing or the breaker refused the probe), and the breaker's own check (named
   * after it, {@code ultravox} by default). Blocks for at most the HTTP client's call timeout.
   *
   * @return the health
   */
  public HealthStatus health() {
    requireOpen();
    List<HealthStatus.Check> checks = new ArrayList<>();
    HttpUrl probe = url("agents").newBuilder().addQueryParameter("pageSize", "1").build();
    Operation op = Operation.idempotent("health check");
    try {
      breaker.call(() -> once(op, "GET", probe, null, (status, body) -> null));
      checks.add(HealthStatus.Check.healthy("credentials"));
      checks.add(HealthStatus.Check.healthy("api"));
    } catch (CircuitOpenException e) {
      checks.add(HealthStatus.Check.unhealthy("api", "not probed: " + e.getMessage()));
    } catch (ProviderException e) {
      int status = e.httpStatus();
      if (status == 401 || status == 403) {
        checks.add(
            HealthStatus.Check.unhealthy(
                "credentials", "Ultravox rejected the API key (HTTP " + status + ")"));
        checks.add(HealthStatus.Check.healthy("api"));
      } else if (status == 429) {
        checks.add(HealthStatus.Check.degraded("api", "rate limited by Ultravox (HTTP 429)"));
      } else if (status == 0) {
        checks.add(HealthStatus.Check.unhealthy("api", "Ultravox unreachable: " + e.getMessage()));
      } else {
        checks.add(
            HealthStatus.Check.unhealthy(
                "api", "Ultravox answered HTTP " + status + " to the health probe"));
      }
    }
    checks.add(breaker.health());
    return HealthStatus.of(checks);
  }

  /**
   * Returns the circuit breaker guarding this client's requests.
   *
   * @return the breaker
   */
  public CircuitBreaker circuitBreaker() {
    return breaker;
  }

  /**
   * Returns the base URL requests go to.
   *
   * @return e.g. {@code https://api.ultravox.ai}
   */
  public URI baseUrl() {
    return base.uri();
  }

  /**
   * Releases the connections and threads of the OkHttp client the builder created (a client given
   * to {@link Builder#okHttpClient} is left alone). Idempotent; requests in progress may fail.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (ownsHttp) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  @Override
  public String toString() {
    return "UltravoxClient{baseUrl=" + base + ", apiKey=" + REDACTED + "}";
  }

  // ---------------------------------------------------------------- internals

  /** Reads a 2xx answer's body into the operation's result. */
  @FunctionalInterface
  private interface Reader<T> {
    @Nullable T read(int status, String body) throws IOException;
  }

  private <T> Reader<T> json(Class<T> type) {
    return (status, body) -> Json.MAPPER.readValue(body, type);
  }

  private <T> Reader<Page<T>> page(Class<T> type) {
    return (status, body) -> {
      JsonNode root = Json.MAPPER.readTree(body);
      if (root == null || !root.isObject() || !root.path("results").isArray()) {
        throw new IOException("expected an object with a \"results\" array");
      }
      List<T> results = new ArrayList<>();
      for (JsonNode item : root.get("results")) {
        results.add(Json.MAPPER.treeToValue(item, type));
      }
      JsonNode total = root.get("total");
      return new Page<>(
          results,
          cursor(root.get("next"), "next"),
          cursor(root.get("previous"), "previous"),
          total != null && total.canConvertToInt() ? total.intValue() : null);
    };
  }

  /**
   * The {@code cursor} parameter of a {@code next}/{@code previous} link (absolute or relative).
   */
  private @Nullable String cursor(@Nullable JsonNode link, String which) throws IOException {
    if (link == null || link.isNull()) {
      return null;
    }
    if (!link.isTextual() || link.asText().isBlank()) {
      throw new IOException("\"" + which + "\" is not a URL");
    }
    HttpUrl resolved = base.resolve(link.asText());
    String cursor = resolved == null ? null : resolved.queryParameter("cursor");
    if (cursor == null || cursor.isBlank()) {
      throw new IOException("\"" + which + "\" link has no cursor parameter");
    }
    return cursor;
  }

  /** Deletes, counting a 404 on a retry as done: the earlier attempt's delete went through. */
  private void delete(String name, HttpUrl url) {
    AtomicInteger attempts = new AtomicInteger();
    Operation op = Operation.idempotent(name);
    send(
        op,
        "DELETE",
        url,
        null,
        (status, body) -> null,
        () -> attempts.incrementAndGet(),
        e -> attempts.get() > 1 && e.httpStatus() == 404);
  }

  private <T> T send(
      Operation op, String method, HttpUrl url, @Nullable Object body, Reader<T> reader) {
    return send(op, method, url, body, reader, () -> 0, e -> false);
  }

  /**
   * Runs one operation: the whole retry sequence inside one breaker permission, so an open breaker
   * fails fast instead of being waited out by the retry policy.
   */
  private <T> T send(
      Operation op,
      String method,
      HttpUrl url,
      @Nullable Object body,
      Reader<T> reader,
      java.util.function.IntSupplier onAttempt,
      java.util.function.Predicate<ProviderException> doneAnyway) {
    requireOpen();
    byte[] json = body == null ? null : serialize(op, body);
    return breaker.call(
        () ->
            retry.call(
                op,
                () -> {
                  onAttempt.getAsInt();
                  try {
                    return once(op, method, url, json, reader);
                  } catch (ProviderException e) {
                    if (doneAnyway.test(e)) {
                      log.debug(
                          "ultravox {}: HTTP {} on a retry; the earlier attempt went through",
                          op.name(),
                          e.httpStatus());
                      return null;
                    }
                    throw e;
                  }
                }));
  }

  /** Sends the request once and maps the outcome. */
  private <T> T once(
      Operation op, String method, HttpUrl url, byte @Nullable [] json, Reader<T> reader) {
    Request.Builder rb =
        new Request.Builder()
            .url(url)
            .header(API_KEY_HEADER, apiKey.reveal())
            .header("Accept", "application/json")
            .header("User-Agent", USER_AGENT);
    RequestBody requestBody = null;
    if (json != null) {
      requestBody = RequestBody.create(json, JSON_TYPE);
    } else if (method.equals("POST") || method.equals("PATCH") || method.equals("PUT")) {
      requestBody = RequestBody.create(new byte[0], JSON_TYPE);
    }
    rb.method(method, requestBody);
    String path = url.encodedPath();
    long start = System.nanoTime();
    try (Response response = http.newCall(rb.build()).execute()) {
      int status = response.code();
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      if (status >= 200 && status < 300) {
        String text = response.body().string();
        log.debug("ultravox {}: {} {} -> {} in {} ms", op.name(), method, path, status, ms);
        try {
          return reader.read(status, text);
        } catch (IOException | IllegalArgumentException e) {
          String problem =
              e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
          throw UltravoxErrors.unreadable(
              op.name(), method, path, status, String.valueOf(problem), e);
        }
      }
      String text = response.peekBody(MAX_ERROR_BODY).string();
      log.info("ultravox {}: {} {} -> HTTP {} in {} ms", op.name(), method, path, status, ms);
      throw UltravoxErrors.fromResponse(
          op.name(),
          method,
          path,
          status,
          text.replace(apiKey.reveal(), REDACTED),
          response.header("Retry-After"),
          clock);
    } catch (IOException e) {
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      log.info(
          "ultravox {}: {} {} failed after {} ms: {}", op.name(), method, path, ms, e.toString());
      throw UltravoxErrors.fromTransport(op.name(), method, path, e);
    }
  }

  private byte[] serialize(Operation op, Object body) {
    try {
      return Json.MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          op.name() + ": the request cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
  }

  private HttpUrl url(String... segments) {
    HttpUrl.Builder b = base.newBuilder().addPathSegment("api");
    for (String s : segments) {
      b.addPathSegment(s);
    }
    return b.build();
  }

  private static HttpUrl paged(HttpUrl url, PageRequest request, boolean searchable) {
    HttpUrl.Builder b = url.newBuilder();
    if (request.cursor() != null) {
      b.addQueryParameter("cursor", request.cursor());
    }
    if (request.pageSize() != null) {
      b.addQueryParameter("pageSize", String.valueOf(request.pageSize()));
    }
    if (searchable && request.search() != null) {
      b.addQueryParameter("search", request.search());
    }
    return b.build();
  }

  private static String id(@Nullable String id, String name) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return id.strip();
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the Ultravox client is closed");
    }
  }

  private static OkHttpClient defaultOkHttp() {
    return new OkHttpClient.Builder()
        .connectTimeout(Duration.ofSeconds(10))
        .readTimeout(Duration.ofSeconds(30))
        .writeTimeout(Duration.ofSeconds(30))
        .callTimeout(Duration.ofSeconds(45))
        .build();
  }

  /** Walks the pages of a list lazily; refuses a cursor it has already followed (a loop). */
  private static final class PagingIterator<T> implements Iterator<T> {
    private final Function<PageRequest, Page<T>> fetch;
    private final Set<String> seen = new HashSet<>();
    private @Nullable PageRequest nextRequest;
    private Iterator<T> current = List.<T>of().iterator();
    private @Nullable ProviderException loop;

    PagingIterator(PageRequest first, Function<PageRequest, Page<T>> fetch) {
      this.nextRequest = first;
      this.fetch = fetch;
    }

    @Override
    public boolean hasNext() {
      while (!current.hasNext()) {
        if (loop != null) {
          throw loop;
        }
        if (nextRequest == null) {
          return false;
        }
        PageRequest request = nextRequest;
        Page<T> page = fetch.apply(request);
        current = page.results().iterator();
        nextRequest = null;
        if (page.next() != null) {
          if (seen.add(page.next())) {
            nextRequest = request.withCursor(page.next());
          } else {
            // Hand out this page's items, then stop: following the cursor would loop forever.
            loop =
                new ProviderException(
                    UltravoxErrors.PROVIDER,
                    "listing stopped: Ultravox's pagination returned a next cursor it had already"
                        + " returned",
                    200,
                    null,
                    null,
                    false,
                    null);
          }
        }
      }
      return true;
    }

    @Override
    public T next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }
  }

  /**
   * Builds an {@link UltravoxClient}. Setters check only for null; {@link #build()} validates. Not
   * thread-safe.
   */
  public static final class Builder {
    private @Nullable Secret apiKey;
    private URI baseUrl = DEFAULT_BASE_URL;
    private @Nullable OkHttpClient okHttpClient;
    private @Nullable RetryPolicy retryPolicy;
    private @Nullable CircuitBreaker circuitBreaker;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Sets the API key, sent as {@code X-API-Key} (required). Never logged or printed.
     *
     * @param apiKey the key
     * @return this builder
     */
    public Builder apiKey(String apiKey) {
      Objects.requireNonNull(apiKey, "apiKey");
      this.apiKey = apiKey.isBlank() ? null : Secret.of(apiKey.strip());
      return this;
    }

    /**
     * Sets the API key, sent as {@code X-API-Key} (required).
     *
     * @param apiKey the key
     * @return this builder
     */
    public Builder apiKey(Secret apiKey) {
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
      return this;
    }

    /**
     * Sets where requests go; tests point it at a fake. Default {@link #DEFAULT_BASE_URL}. A path
     * prefix is kept ({@code http://127.0.0.1:8080/ultravox} sends to {@code /ultravox/api/...}).
     *
     * @param baseUrl an absolute http(s) URL
     * @return this builder
     */
    public Builder baseUrl(URI baseUrl) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
      return this;
    }

    /**
     * Shares an OkHttp client (its connection pool, dispatcher, timeouts, interceptors). The client
     * derives its own from it with retry on connection failure and redirects turned off; {@link
     * UltravoxClient#close()} leaves the shared one's resources alone. Default: a client of its own
     * (10 s connect, 30 s read and write, 45 s per call).
     *
     * @param okHttpClient the client to derive from
     * @return this builder
     */
    public Builder okHttpClient(OkHttpClient okHttpClient) {
      this.okHttpClient = Objects.requireNonNull(okHttpClient, "okHttpClient");
      return this;
    }

    /**
     * Sets the retry policy for idempotent requests. Default {@code RetryPolicy.builder()} with
     * this builder's clock: 3 attempts, 200 ms doubling up to 10 s, ±20 % jitter.
     *
     * @param retryPolicy the policy
     * @return this builder
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /**
     * Sets the circuit breaker around every request; share one per Ultravox account. Default: one
     * named {@code ultravox} with the core defaults (opens after 5 consecutive failures for 30 s)
     * and this builder's clock.
     *
     * @param circuitBreaker the breaker
     * @return this builder
     */
    public Builder circuitBreaker(CircuitBreaker circuitBreaker) {
      this.circuitBreaker = Objects.requireNonNull(circuitBreaker, "circuitBreaker");
      return this;
    }

    /**
     * Sets the clock for {@code Retry-After} dates and the default retry policy and breaker.
     * Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the client.
     *
     * @return the client
     * @throws ConfigurationException naming a missing API key or a bad base URL
     */
    public UltravoxClient build() {
      if (apiKey == null) {
        throw new ConfigurationException(
            "apiKey is required (an Ultravox API key, sent as X-API-Key)");
      }
      String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme();
      HttpUrl parsed =
          scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")
              ? HttpUrl.parse(baseUrl.toString())
              : null;
      if (parsed == null || baseUrl.getRawQuery() != null) {
        throw new ConfigurationException(
            "baseUrl must be an absolute http(s) URL without a query, got " + baseUrl);
      }
      // Drop a trailing empty segment so "http://h/prefix/" and "http://h/prefix" both work.
      List<String> segments = new ArrayList<>(parsed.pathSegments());
      if (!segments.isEmpty() && segments.get(segments.size() - 1).isEmpty()) {
        segments.remove(segments.size() - 1);
      }
      HttpUrl.Builder b = parsed.newBuilder().encodedPath("/");
      for (String s : segments) {
        b.addPathSegment(s);
      }
      return new UltravoxClient(this, apiKey, b.build());
    }
  }
}
