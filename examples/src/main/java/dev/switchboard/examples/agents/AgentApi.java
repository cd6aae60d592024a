package dev.switchboard.examples.agents;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agent.ultravox.UltravoxClient;
import dev.switchboard.agent.ultravox.model.Agent;
import dev.switchboard.agent.ultravox.model.AgentSpec;
import dev.switchboard.agent.ultravox.model.CallTemplate;
import dev.switchboard.agent.ultravox.model.FirstSpeakerSettings;
import dev.switchboard.agent.ultravox.model.Medium;
import dev.switchboard.agent.ultravox.model.Page;
import dev.switchboard.agent.ultravox.model.PageRequest;
import dev.switchboard.agent.ultravox.model.ProtoDuration;
import dev.switchboard.agent.ultravox.model.StartCallRequest;
import dev.switchboard.agent.ultravox.model.UltravoxCall;
import dev.switchboard.core.ProviderException;
import dev.switchboard.core.resilience.CircuitOpenException;
import dev.switchboard.core.telemetry.LogContext;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.CallRequest;
import dev.switchboard.core.webhook.WebhookHandler;
import dev.switchboard.core.webhook.WebhookRequest;
import dev.switchboard.core.webhook.WebhookResponse;
import dev.switchboard.voice.twilio.TwilioVoiceBackend;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's REST API, mounted on {@code /agents}, {@code /agents/*} and {@code /calls/*}:
 * routing, request ids, validation, the calls to Ultravox and Twilio, and the mapping of every
 * failure to a JSON error. Thread-safe (the server calls it concurrently). Not API.
 */
final class AgentApi implements WebhookHandler {
  private static final Logger log = LoggerFactory.getLogger(AgentApi.class);

  /** The metadata key that carries our request id on every Ultravox call we start. */
  static final String REQUEST_ID_METADATA = "switchboard_request_id";

  /** The largest page of agents a caller may ask for. */
  static final int MAX_PAGE_SIZE = 100;

  /** Ultravox's documented defaults, sent by a PUT for fields it leaves out. */
  static final Duration ULTRAVOX_DEFAULT_MAX_DURATION = Duration.ofHours(1);

  /** How long the callee may stay silent before the agent says its first message anyway. */
  static final Duration FIRST_MESSAGE_FALLBACK = Duration.ofSeconds(3);

  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final int MAX_CURSOR_LENGTH = 1024;

  private final UltravoxClient ultravox;
  private final Supplier<@Nullable TwilioVoiceBackend> twilio;
  private final CallRegistry calls;
  private final String basePath;
  private final Duration ringTimeout;
  private final Duration joinTimeout;
  private final Duration twilioTimeout;

  AgentApi(
      UltravoxClient ultravox,
      Supplier<@Nullable TwilioVoiceBackend> twilio,
      CallRegistry calls,
      String basePath,
      Duration ringTimeout,
      Duration joinTimeout,
      Duration twilioTimeout) {
    this.ultravox = ultravox;
    this.twilio = twilio;
    this.calls = calls;
    this.basePath = basePath;
    this.ringTimeout = ringTimeout;
    this.joinTimeout = joinTimeout;
    this.twilioTimeout = twilioTimeout;
  }

  @Override
  public WebhookResponse handle(WebhookRequest request) {
    long started = System.nanoTime();
    String given = request.header(RequestIds.HEADER).orElse("");
    String requestId = RequestIds.isValid(given) ? given : RequestIds.generate();
    String method = request.method();
    String path = relativePath(request.url().getRawPath());
    LogContext mdc = LogContext.put(RequestIds.MDC_KEY, requestId);
    try {
      WebhookResponse response;
      try {
        if (!given.isEmpty() && !given.equals(requestId)) {
          throw new ApiException(
              400,
              "invalid_request_id",
              RequestIds.HEADER
                  + " must be 1 to "
                  + RequestIds.MAX_LENGTH
                  + " characters of A-Z, a-z, 0-9, '.', '_', ':', '-', starting with a letter or"
                  + " digit; leave it out to get a generated one",
              RequestIds.HEADER);
        }
        response = route(method, path, request, requestId);
      } catch (ApiException e) {
        response = error(e, requestId);
      } catch (RuntimeException e) {
        log.error("{} {} failed [{}]", method, path, requestId, e);
        response =
            error(
                new ApiException(
                    500,
                    "internal_error",
                    "the service failed to handle the request; its log has the details under"
                        + " this request id",
                    null),
                requestId);
      }
      response = response.withHeader(RequestIds.HEADER, requestId);
      log.info(
          "{} {} -> {} in {} ms [{}]",
          method,
          path,
          response.status(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
          requestId);
      return response;
    } finally {
      mdc.close();
    }
  }

  // ------------------------------------------------------------------------------------ routing

  private WebhookResponse route(
      String method, String path, WebhookRequest request, String requestId) {
    if (path.equals("/agents")) {
      return switch (method) {
        case "GET" -> listAgents(request);
        case "POST" -> createAgent(request);
        default -> throw ApiException.methodNotAllowed(method, "/agents", "GET, POST");
      };
    }
    if (path.startsWith("/agents/")) {
      String id = singleSegment(path.substring("/agents/".length()));
      return switch (method) {
        case "GET" -> getAgent(requireAgentId(id));
        case "PUT" -> replaceAgent(requireAgentId(id), request);
        case "DELETE" -> deleteAgent(requireAgentId(id));
        default -> throw ApiException.methodNotAllowed(method, "/agents/{id}", "GET, PUT, DELETE");
      };
    }
    if (path.startsWith("/calls/")) {
      String id = singleSegment(path.substring("/calls/".length()));
      if (!method.equals("POST")) {
        throw ApiException.methodNotAllowed(method, "/calls/{agent_id}", "POST");
      }
      return startCall(requireAgentId(id), request, requestId);
    }
    throw notFound();
  }

  private String relativePath(String rawPath) {
    if (!basePath.isEmpty() && rawPath.startsWith(basePath + "/")) {
      return rawPath.substring(basePath.length());
    }
    return rawPath;
  }

  private static String singleSegment(String rest) {
    if (rest.isEmpty() || rest.contains("/")) {
      throw notFound();
    }
    return rest;
  }

  private static ApiException notFound() {
    return new ApiException(
        404,
        "not_found",
        "no such endpoint; the service has /agents, /agents/{id}, /calls/{agent_id} and /health",
        null);
  }

  /** Ultravox agent ids are UUIDs; anything else cannot name an agent (and never reaches it). */
  private static String requireAgentId(String id) {
    if (!UUID.matcher(id).matches()) {
      throw agentNotFound(id);
    }
    return id.toLowerCase(Locale.ROOT);
  }

  private static ApiException agentNotFound(String id) {
    return new ApiException(
        404, "agent_not_found", "no agent with id '" + JsonBodies.abbreviate(id) + "'", null);
  }

  // ------------------------------------------------------------------------------------- agents

  private WebhookResponse listAgents(WebhookRequest request) {
    String cursor = null;
    Integer pageSize = null;
    for (Map.Entry<String, List<String>> p : request.parameters().entrySet()) {
      String name = p.getKey();
      String value = p.getValue().isEmpty() ? "" : p.getValue().get(0);
      if (p.getValue().size() > 1) {
        throw new ApiException(400, "invalid_parameter", name + " is given more than once", name);
      }
      switch (name) {
        case "cursor" -> {
          if (value.length() > MAX_CURSOR_LENGTH) {
            throw new ApiException(
                400, "invalid_parameter", "cursor is too long to be one this service gave", name);
          }
          cursor = value.isEmpty() ? null : value;
        }
        case "pageSize" -> {
          if (!value.isEmpty()) {
            pageSize = pageSize(value);
          }
        }
        default ->
            throw new ApiException(
                400,
                "unknown_parameter",
                "unknown query parameter '"
                    + JsonBodies.abbreviate(name)
                    + "'; /agents takes cursor and pageSize",
                JsonBodies.abbreviate(name));
      }
    }
    PageRequest pageRequest = new PageRequest(cursor, pageSize, null);
    Page<Agent> page = ultravox("list agents", null, () -> ultravox.listAgents(pageRequest));
    ObjectNode body = JsonBodies.JSON.createObjectNode();
    ArrayNode agents = body.putArray("agents");
    page.results().forEach(agent -> agents.add(view(agent)));
    body.put("nextCursor", page.next());
    return WebhookResponse.json(200, body.toString());
  }

  private static int pageSize(String value) {
    int size;
    try {
      size = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      size = -1;
    }
    if (size < 1 || size > MAX_PAGE_SIZE) {
      throw new ApiException(
          400,
          "invalid_parameter",
          "pageSize must be a whole number from 1 to " + MAX_PAGE_SIZE,
          "pageSize");
    }
    return size;
  }

  private WebhookResponse createAgent(WebhookRequest request) {
    AgentInput in = AgentInput.from(JsonBodies.object(request, AgentInput.FIELDS));
    CallTemplate template = applyTo(CallTemplate.builder(), in, false).build();
    Agent agent =
        ultravox(
            "create the agent",
            null,
            () ->
                ultravox.createAgent(
                    AgentSpec.builder().name(in.name()).callTemplate(template).build()));
    log.info("created agent {}", agent.agentId());
    return WebhookResponse.json(201, view(agent).toString())
        .withHeader("Location", basePath + "/agents/" + agent.agentId());
  }

  private WebhookResponse getAgent(String id) {
    Agent agent = ultravox("get the agent", id, () -> ultravox.getAgent(id));
    return WebhookResponse.json(200, view(agent).toString());
  }

  /**
   * A full replacement on an API that only has PATCH: read the agent, then send its whole call
   * template back with every field this service manages set from the request (Ultravox's documented
   * default where the request leaves one out), and the fields it does not manage (tools, medium,
   * VAD settings...) as they were.
   */
  private WebhookResponse replaceAgent(String id, WebhookRequest request) {
    AgentInput in = AgentInput.from(JsonBodies.object(request, AgentInput.FIELDS));
    Agent current = ultravox("get the agent", id, () -> ultravox.getAgent(id));
    CallTemplate.Builder base =
        current.callTemplate() == null
            ? CallTemplate.builder()
            : current.callTemplate().toBuilder();
    CallTemplate template = applyTo(base, in, true).build();
    Agent updated =
        ultravox(
            "update the agent",
            id,
            () ->
                ultravox.updateAgent(
                    id, AgentSpec.builder().name(in.name()).callTemplate(template).build()));
    log.info("replaced agent {}", id);
    return WebhookResponse.json(200, view(updated).toString());
  }

  private WebhookResponse deleteAgent(String id) {
    ultravox(
        "delete the agent",
        id,
        () -> {
          ultravox.deleteAgent(id);
          return null;
        });
    log.info("deleted agent {}", id);
    return WebhookResponse.empty(204);
  }

  /**
   * Sets the managed fields. For a replacement, a field left out gets Ultravox's documented
   * default: temperature 0, a one-hour maximum duration, the agent speaking first. Voice and
   * language hint have no default value that could be sent: left out, they are not sent, and
   * whether Ultravox then keeps the old values depends on whether its PATCH merges the nested call
   * template or replaces it (UNCERTAIN; the response shows what Ultravox kept).
   */
  private static CallTemplate.Builder applyTo(
      CallTemplate.Builder b, AgentInput in, boolean replacing) {
    b.systemPrompt(in.prompt()).voice(in.voice()).languageHint(in.languageHint());
    if (in.temperature() != null) {
      b.temperature(in.temperature());
    } else if (replacing) {
      b.temperature(0.0);
    }
    if (in.maxDuration() != null) {
      b.maxDuration(in.maxDuration());
    } else if (replacing) {
      b.maxDuration(ULTRAVOX_DEFAULT_MAX_DURATION);
    }
    if (in.firstMessage() != null) {
      b.firstSpeakerSettings(FirstSpeakerSettings.agent(in.firstMessage(), false, null));
    } else if (replacing) {
      b.firstSpeakerSettings(FirstSpeakerSettings.agent());
    }
    return b;
  }

  /** The agent as this API shows it. */
  static ObjectNode view(Agent agent) {
    ObjectNode view = JsonBodies.JSON.createObjectNode();
    CallTemplate t = agent.callTemplate();
    view.put("id", agent.agentId());
    view.put("name", agent.name());
    view.put("prompt", t == null ? null : t.systemPrompt());
    view.put("voice", t == null ? null : t.voice());
    view.put("temperature", t == null ? null : t.temperature());
    view.put("languageHint", t == null ? null : t.languageHint());
    view.put("firstMessage", t == null ? null : firstMessage(t.firstSpeakerSettings()));
    view.put(
        "maxDuration",
        t == null || t.maxDuration() == null ? null : ProtoDuration.format(t.maxDuration()));
    ArrayNode variables = view.putArray("templateVariables");
    if (t != null) {
      t.templateVariables().forEach(variables::add);
    }
    view.put("created", agent.created() == null ? null : agent.created().toString());
    return view;
  }

  private static @Nullable String firstMessage(@Nullable FirstSpeakerSettings settings) {
    if (settings == null) {
      return null;
    }
    Object under = settings.toJson().get(settings.speaker());
    if (FirstSpeakerSettings.AGENT.equals(settings.speaker())
        && under instanceof Map<?, ?> agent
        && agent.get("text") instanceof String text) {
      return text;
    }
    return null;
  }

  // -------------------------------------------------------------------------------------- calls

  private WebhookResponse startCall(String agentId, WebhookRequest request, String requestId) {
    CallInput in = CallInput.from(JsonBodies.object(request, CallInput.FIELDS));
    Agent agent = ultravox("look up the agent", agentId, () -> ultravox.getAgent(agentId));
    CallTemplate template = agent.callTemplate();
    in.checkAgainst(template == null ? Set.of() : template.templateVariables());
    TwilioVoiceBackend backend = twilio.get();
    if (backend == null) {
      throw new ApiException(
          503, "twilio_unavailable", "the Twilio backend is not running yet; try again", null);
    }
    String firstMessage = template == null ? null : firstMessage(template.firstSpeakerSettings());
    StartCallRequest start =
        StartCallRequest.builder()
            .templateContext(in.templateContext())
            .metadata(REQUEST_ID_METADATA, requestId)
            .medium(Medium.twilio())
            // An outbound call: the callee answers with "hello?" first. An agent with a first
            // message says it if the callee stays silent.
            .firstSpeakerSettings(
                firstMessage == null
                    ? FirstSpeakerSettings.user()
                    : FirstSpeakerSettings.user(FIRST_MESSAGE_FALLBACK, firstMessage))
            // The call is joined only once the callee answers: wait at least as long as it rings.
            .joinTimeout(joinTimeout)
            .build();
    UltravoxCall call =
        ultravox("start the Ultravox call", agentId, () -> ultravox.startAgentCall(agentId, start));
    calls.started(call.callId(), agentId, requestId);
    URI joinUrl = call.joinUrl();
    if (joinUrl == null) {
      String outcome = endUltravoxCall(call.callId());
      throw new ApiException(
          502,
          "ultravox_error",
          "Ultravox started call " + call.callId() + " without a joinUrl; " + outcome,
          null);
    }
    log.info("started Ultravox call {} for agent {}", call.callId(), agentId);
    Call placed;
    try {
      placed =
          backend
              .placeCall(
                  CallRequest.builder(in.phoneNumber())
                      .streamUrl(joinUrl)
                      .timeout(ringTimeout)
                      .build())
              .get(twilioTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      String outcome = endUltravoxCall(call.callId());
      throw new ApiException(
          503, "interrupted", "the service is stopping; the call was not placed; " + outcome, null);
    } catch (TimeoutException e) {
      // Twilio may still create it; its stream would then find the Ultravox call ended and stop.
      String outcome = endUltravoxCall(call.callId());
      throw new ApiException(
          504,
          "twilio_timeout",
          "Twilio did not answer within " + twilioTimeout.toSeconds() + " s; " + outcome,
          null);
    } catch (ExecutionException | RuntimeException e) {
      Throwable cause =
          (e instanceof ExecutionException || e instanceof CompletionException)
                  && e.getCause() != null
              ? e.getCause()
              : e;
      String outcome = endUltravoxCall(call.callId());
      throw twilioFailure(cause, outcome);
    }
    calls.placed(call.callId(), placed.id());
    log.info("placed Twilio call {} streaming to Ultravox call {}", placed.id(), call.callId());
    ObjectNode body = JsonBodies.JSON.createObjectNode();
    body.put("callSid", placed.id());
    body.put("ultravoxCallId", call.callId());
    body.put("joinUrl", joinUrl.toString());
    body.put("status", placed.state().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    body.put("agentId", agentId);
    return WebhookResponse.json(201, body.toString());
  }

  /**
   * Ends an Ultravox call that will not be joined, best effort: a {@code hang_up} data message.
   * Ultravox answers 422 for a call that is not active (never joined); such a call ends by itself
   * at its join timeout, with end reason {@code unjoined}.
   *
   * @return what happened, for the caller's error message
   */
  private String endUltravoxCall(String callId) {
    try {
      ultravox.sendDataMessage(callId, Map.of("type", "hang_up"));
      log.warn("ended Ultravox call {} (hang_up sent)", callId);
      return "the Ultravox call " + callId + " was ended (hang_up sent)";
    } catch (RuntimeException e) {
      log.warn("could not end Ultravox call {}: {}", callId, e.getMessage());
      return "the Ultravox call "
          + callId
          + " could not be ended at once ("
          + (e instanceof ProviderException p && p.httpStatus() > 0
              ? "Ultravox answered HTTP " + p.httpStatus()
              : e.getClass().getSimpleName())
          + "); Ultravox ends it when its join timeout of "
          + joinTimeout.toSeconds()
          + " s passes unjoined";
    }
  }

  private static ApiException twilioFailure(Throwable cause, String outcome) {
    if (cause instanceof ProviderException p) {
      int status = p.httpStatus();
      String message = "Twilio refused the call: " + p.getMessage() + "; " + outcome;
      if (status == 400) {
        // e.g. 21211 (not a valid number), 21215 (no permission to call that region)
        return new ApiException(400, "twilio_rejected", message, "phoneNumber");
      }
      if (status == 401 || status == 403) {
        return new ApiException(
            502,
            "twilio_auth_failed",
            "Twilio rejected this service's credentials; " + outcome,
            null);
      }
      if (status == 429) {
        ApiException e = new ApiException(503, "twilio_rate_limited", message, null);
        return p.retryAfter().isPresent()
            ? e.withHeader("Retry-After", retryAfterSeconds(p.retryAfter().get()))
            : e;
      }
      return new ApiException(502, "twilio_unavailable", message, null);
    }
    if (cause instanceof CircuitOpenException open) {
      ApiException e =
          new ApiException(
              503,
              "twilio_unavailable",
              "Twilio is failing; calls are refused for a while: "
                  + open.getMessage()
                  + "; "
                  + outcome,
              null);
      return open.retryAfter().isPresent()
          ? e.withHeader("Retry-After", retryAfterSeconds(open.retryAfter().get()))
          : e;
    }
    log.error("placing the Twilio call failed", cause);
    return new ApiException(
        500, "internal_error", "placing the Twilio call failed; " + outcome, null);
  }

  // ------------------------------------------------------------------------------------- errors

  /**
   * Calls Ultravox and maps its failures: 404 is an unknown agent (when one is named), 400/409/422
   * are passed on (the request was wrong), a rejected API key is our fault (502), a rate limit is
   * 503 with {@code Retry-After}, 5xx and transport failures 502, an open circuit 503.
   */
  private static <T> T ultravox(String action, @Nullable String agentId, Supplier<T> call) {
    try {
      return call.get();
    } catch (ProviderException e) {
      int status = e.httpStatus();
      String message = "Ultravox could not " + action + ": " + e.getMessage();
      if (status == 404 && agentId != null) {
        throw agentNotFound(agentId);
      }
      if (status == 400 || status == 409 || status == 422) {
        throw new ApiException(status, "ultravox_rejected", message, null);
      }
      if (status == 401 || status == 403) {
        throw new ApiException(
            502,
            "ultravox_auth_failed",
            "Ultravox rejected this service's API key (HTTP " + status + ")",
            null);
      }
      if (status == 429) {
        ApiException mapped = new ApiException(503, "ultravox_rate_limited", message, null);
        throw e.retryAfter().isPresent()
            ? mapped.withHeader("Retry-After", retryAfterSeconds(e.retryAfter().get()))
            : mapped;
      }
      throw new ApiException(502, "ultravox_unavailable", message, null);
    } catch (CircuitOpenException e) {
      ApiException mapped =
          new ApiException(
              503,
              "ultravox_unavailable",
              "Ultravox is failing; requests are refused for a while: " + e.getMessage(),
              null);
      throw e.retryAfter().isPresent()
          ? mapped.withHeader("Retry-After", retryAfterSeconds(e.retryAfter().get()))
          : mapped;
    }
  }

  private static String retryAfterSeconds(Duration delay) {
    long seconds = (delay.toMillis() + 999) / 1000;
    return Long.toString(Math.max(1, seconds));
  }

  private static WebhookResponse error(ApiException e, String requestId) {
    ObjectNode root = JsonBodies.JSON.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("status", e.status());
    error.put("code", e.code());
    error.put("message", e.getMessage());
    if (e.field() != null) {
      error.put("field", e.field());
    }
    error.put("requestId", requestId);
    WebhookResponse response = WebhookResponse.json(e.status(), root.toString());
    for (Map.Entry<String, String> h : e.headers().entrySet()) {
      response = response.withHeader(h.getKey(), h.getValue());
    }
    return response;
  }
}
