package dev.switchboard.testing.ultravox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.testing.ultravox.FakeUltravox.Fault;
import dev.switchboard.testing.ultravox.FakeUltravox.RecordedRequest;
import dev.switchboard.testing.ultravox.FakeUltravox.StoredAgent;
import dev.switchboard.testing.ultravox.FakeUltravox.StoredWebhook;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okio.ByteString;
import org.jspecify.annotations.Nullable;

/**
 * Serves {@link FakeUltravox}'s REST API and join URLs on MockWebServer's threads: faults, auth,
 * routing, validation with Django REST framework-shaped errors, the stores (under the fake's lock),
 * cursor pagination, and WebSocket upgrades handed to a {@link CallSession}.
 */
final class UltravoxApi extends Dispatcher {
  private static final Pattern AGENTS = Pattern.compile("/api/agents/?");
  private static final Pattern AGENT = Pattern.compile("/api/agents/([^/]+)/?");
  private static final Pattern AGENT_CALLS = Pattern.compile("/api/agents/([^/]+)/calls/?");
  private static final Pattern CALLS = Pattern.compile("/api/calls/?");
  private static final Pattern CALL = Pattern.compile("/api/calls/([^/]+)/?");
  private static final Pattern MESSAGES = Pattern.compile("/api/calls/([^/]+)/messages/?");
  private static final Pattern DATA_MESSAGE =
      Pattern.compile("/api/calls/([^/]+)/send_data_message/?");
  private static final Pattern WEBHOOKS = Pattern.compile("/api/webhooks/?");
  private static final Pattern WEBHOOK = Pattern.compile("/api/webhooks/([^/]+)/?");
  private static final Pattern JOIN =
      Pattern.compile("/calls/([^/]+)/(server_web_socket|twilio|web_rtc)/?");
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern DURATION =
      Pattern.compile("-?(?:0|[1-9][0-9]{0,11})(?:\\.[0-9]{1,9})?s");
  private static final Pattern TEMPLATE_VARIABLE =
      Pattern.compile("\\{\\{\\{?\\s*([A-Za-z0-9_.\\-]+)\\s*}?}}");
  private static final Set<String> MEDIA =
      Set.of("webRtc", "twilio", "serverWebSocket", "telnyx", "plivo", "exotel", "sip");
  private static final Set<String> DATA_MESSAGE_TYPES =
      Set.of("forced_agent_message", "hang_up", "user_text_message");

  /** CallTemplate fields a call from an agent takes over. */
  private static final List<String> TEMPLATE_FIELDS =
      List.of(
          "systemPrompt",
          "temperature",
          "model",
          "voice",
          "externalVoice",
          "languageHint",
          "timeExceededMessage",
          "inactivityMessages",
          "medium",
          "initialOutputMedium",
          "joinTimeout",
          "maxDuration",
          "vadSettings",
          "recordingEnabled",
          "firstSpeakerSettings",
          "dataConnection");

  /** StartAgentCallRequest fields that override the template. */
  private static final List<String> OVERRIDE_FIELDS =
      List.of(
          "medium",
          "joinTimeout",
          "maxDuration",
          "recordingEnabled",
          "initialOutputMedium",
          "firstSpeakerSettings",
          "dataConnection",
          "experimentalSettings",
          "metadata",
          "voice",
          "initialMessages");

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final FakeUltravox fake;

  UltravoxApi(FakeUltravox fake) {
    this.fake = fake;
  }

  /** An answer before it becomes a MockResponse, so that its status can be recorded. */
  private record Reply(int status, @Nullable JsonNode body, Map<String, String> headers) {
    static Reply of(int status, @Nullable JsonNode body) {
      return new Reply(status, body, Map.of());
    }

    MockResponse toMockResponse() {
      MockResponse.Builder builder = new MockResponse.Builder().code(status);
      headers.forEach(builder::setHeader);
      if (body != null) {
        try {
          builder.setHeader("Content-Type", "application/json");
          builder.body(FakeUltravox.JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
      }
      return builder.build();
    }
  }

  /** A request that failed validation: the DRF-style body to answer with. */
  private static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Reply reply;

    Invalid(Reply reply) {
      super(null, null, false, false);
      this.reply = reply;
    }
  }

  @Override
  public MockResponse dispatch(mockwebserver3.RecordedRequest raw) {
    HttpUrl url = raw.getUrl();
    String path = url.encodedPath();
    String method = raw.getMethod().toUpperCase(Locale.ROOT);
    ByteString bodyBytes = raw.getBody();
    String body = bodyBytes == null ? "" : bodyBytes.utf8();
    MockResponse response;
    int status;
    if (JOIN.matcher(path).matches()) {
      Object answer = join(raw, url);
      if (answer instanceof Reply reply) {
        response = reply.toMockResponse();
        status = reply.status();
      } else {
        response = (MockResponse) answer;
        status = 101;
      }
    } else {
      Fault fault = fake.takeFault(method, path);
      Reply reply;
      if (fault == null) {
        reply = handleSafely(method, url, raw.getHeaders(), body);
        response = reply.toMockResponse();
        status = reply.status();
      } else {
        switch (fault.kind) {
          case STATUS -> {
            Map<String, String> headers = new LinkedHashMap<>();
            if (fault.retryAfter != null) {
              headers.put("Retry-After", Long.toString(Fault.seconds(fault.retryAfter)));
            }
            reply = new Reply(fault.status, detail(fault.detail), headers);
            response = reply.toMockResponse();
            status = fault.status;
          }
          case NO_RESPONSE -> {
            response =
                new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build();
            status = 0;
          }
          default -> {
            handleSafely(method, url, raw.getHeaders(), body); // act first, as the service may have
            response =
                new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
            status = 0;
          }
        }
      }
    }
    fake.record(record(method, url, raw.getHeaders(), body, status));
    return response;
  }

  private RecordedRequest record(
      String method, HttpUrl url, Headers headers, String body, int status) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    for (int i = 0; i < url.querySize(); i++) {
      String value = url.queryParameterValue(i);
      query
          .computeIfAbsent(url.queryParameterName(i), k -> new ArrayList<>())
          .add(value == null ? "" : value);
    }
    Map<String, List<String>> kept = new LinkedHashMap<>();
    for (String name : headers.names()) {
      if (!name.equalsIgnoreCase("X-API-Key")) {
        kept.put(name, headers.values(name));
      }
    }
    return new RecordedRequest(
        method, url.encodedPath(), query, kept, body, status, fake.clock.instant());
  }

  private Reply handleSafely(String method, HttpUrl url, Headers headers, String body) {
    try {
      return handle(method, url, headers, body);
    } catch (Invalid e) {
      return e.reply;
    } catch (RuntimeException e) {
      CallSession.LOG.warn("FakeUltravox failed on {} {}", method, url.encodedPath(), e);
      return Reply.of(500, detail("A server error occurred."));
    }
  }

  // ------------------------------------------------------------------ routing

  private Reply handle(String method, HttpUrl url, Headers headers, String body) throws Invalid {
    String path = url.encodedPath();
    if (!path.startsWith("/api/")) {
      return notFound();
    }
    String key = headers.get("X-API-Key");
    if (key == null || key.isEmpty()) {
      // UNCERTAIN: Ultravox's exact wording; this is Django REST framework's default
      return Reply.of(403, detail("Authentication credentials were not provided."));
    }
    if (!MessageDigest.isEqual(
        key.getBytes(StandardCharsets.UTF_8), fake.apiKey.getBytes(StandardCharsets.UTF_8))) {
      return Reply.of(403, detail("Invalid API key."));
    }
    Matcher m;
    if (AGENTS.matcher(path).matches()) {
      return switch (method) {
        case "GET" -> listAgents(url);
        case "POST" -> createAgent(object(body));
        default -> notAllowed(method, "GET, POST");
      };
    }
    if ((m = AGENT_CALLS.matcher(path)).matches()) {
      return switch (method) {
        case "GET" -> listCalls(url, uuid(m.group(1)));
        case "POST" -> createAgentCall(uuid(m.group(1)), object(body));
        default -> notAllowed(method, "GET, POST");
      };
    }
    if ((m = AGENT.matcher(path)).matches()) {
      String id = uuid(m.group(1));
      return switch (method) {
        case "GET" -> Reply.of(200, agent(id).json.deepCopy());
        case "PATCH" -> patchAgent(id, object(body));
        case "DELETE" -> deleteAgent(id);
        default -> notAllowed(method, "GET, PATCH, DELETE");
      };
    }
    if (CALLS.matcher(path).matches()) {
      return switch (method) {
        case "GET" -> listCalls(url, null);
        case "POST" -> createDirectCall(object(body));
        default -> notAllowed(method, "GET, POST");
      };
    }
    if ((m = MESSAGES.matcher(path)).matches()) {
      FakeUltravoxCall call = call(uuid(m.group(1)));
      if (!method.equals("GET")) {
        return notAllowed(method, "GET");
      }
      List<ObjectNode> messages = call.messagesForApi();
      List<Keyed> keyed = new ArrayList<>();
      for (int i = 0; i < messages.size(); i++) {
        keyed.add(new Keyed(i, messages.get(i)));
      }
      return Reply.of(200, page(url, keyed, false));
    }
    if ((m = DATA_MESSAGE.matcher(path)).matches()) {
      FakeUltravoxCall call = call(uuid(m.group(1)));
      if (!method.equals("POST")) {
        return notAllowed(method, "POST");
      }
      return sendDataMessage(call, object(body));
    }
    if ((m = CALL.matcher(path)).matches()) {
      FakeUltravoxCall call = call(uuid(m.group(1)));
      if (!method.equals("GET")) {
        return notAllowed(method, "GET");
      }
      return Reply.of(200, call.json());
    }
    if (WEBHOOKS.matcher(path).matches()) {
      return switch (method) {
        case "GET" -> listWebhooks(url);
        case "POST" -> createWebhook(object(body));
        default -> notAllowed(method, "GET, POST");
      };
    }
    if ((m = WEBHOOK.matcher(path)).matches()) {
      String id = uuid(m.group(1));
      return switch (method) {
        case "GET" -> Reply.of(200, webhook(id).json.deepCopy());
        case "DELETE" -> deleteWebhook(id);
        default -> notAllowed(method, "GET, DELETE");
      };
    }
    return notFound();
  }

  // ------------------------------------------------------------------ agents

  private Reply listAgents(HttpUrl url) throws Invalid {
    String search = url.queryParameter("search");
    List<Keyed> items = new ArrayList<>();
    synchronized (fake.lock) {
      for (StoredAgent agent : fake.agents.values()) {
        String name = agent.json.path("name").asText("");
        if (search == null
            || name.toLowerCase(Locale.ROOT).contains(search.toLowerCase(Locale.ROOT))) {
          items.add(0, new Keyed(agent.sequence, agent.json.deepCopy()));
        }
      }
    }
    return Reply.of(200, page(url, items, true));
  }

  private Reply createAgent(ObjectNode body) throws Invalid {
    ObjectNode errors = FakeUltravox.JSON.createObjectNode();
    String name = validateName(body, true, errors);
    ObjectNode template = validateTemplate(body.get("callTemplate"), errors);
    if (!errors.isEmpty()) {
      throw new Invalid(Reply.of(400, errors));
    }
    Instant now = fake.clock.instant();
    ObjectNode agent = FakeUltravox.JSON.createObjectNode();
    agent.put("agentId", UUID.randomUUID().toString());
    agent.put("publishedRevisionId", UUID.randomUUID().toString());
    agent.put("name", name);
    agent.put("created", timestamp(now));
    template.put("created", timestamp(now)).put("updated", timestamp(now));
    agent.set("callTemplate", template);
    agent.putObject("statistics").put("calls", 0);
    synchronized (fake.lock) {
      fake.agents.put(agent.path("agentId").asText(), new StoredAgent(fake.nextSequence(), agent));
    }
    return Reply.of(201, agent.deepCopy());
  }

  private Reply patchAgent(String id, ObjectNode body) throws Invalid {
    agent(id); // 404 first, as the service checks the object before the body
    ObjectNode errors = FakeUltravox.JSON.createObjectNode();
    String name = body.has("name") ? validateName(body, false, errors) : null;
    ObjectNode template = null;
    if (body.has("callTemplate")) {
      template = validateTemplate(body.get("callTemplate"), errors);
    }
    if (!errors.isEmpty()) {
      throw new Invalid(Reply.of(400, errors));
    }
    Instant now = fake.clock.instant();
    synchronized (fake.lock) {
      StoredAgent agent = fake.agents.get(id);
      if (agent == null) {
        throw new Invalid(notFound());
      }
      if (name != null) {
        agent.json.put("name", name);
      }
      if (template != null) {
        ObjectNode stored = (ObjectNode) agent.json.path("callTemplate");
        if (body.get("callTemplate").isNull()) {
          stored.removeAll();
          stored.put("created", timestamp(now));
        }
        template.fields().forEachRemaining(f -> stored.set(f.getKey(), f.getValue()));
        stored.put("updated", timestamp(now));
      }
      agent.json.put("publishedRevisionId", UUID.randomUUID().toString());
      return Reply.of(200, agent.json.deepCopy());
    }
  }

  private Reply deleteAgent(String id) throws Invalid {
    synchronized (fake.lock) {
      if (fake.agents.remove(id) == null) {
        throw new Invalid(notFound());
      }
    }
    return Reply.of(204, null);
  }

  private static @Nullable String validateName(
      ObjectNode body, boolean required, ObjectNode errors) {
    JsonNode name = body.get("name");
    if (name == null || name.isNull()) {
      if (required || name != null) {
        errors
            .putArray("name")
            .add(name == null ? "This field is required." : "This field may not be null.");
      }
      return null;
    }
    if (!name.isTextual()) {
      errors.putArray("name").add("Not a valid string.");
      return null;
    }
    String text = name.asText();
    if (text.isBlank()) {
      errors.putArray("name").add("This field may not be blank.");
      return null;
    }
    if (text.length() > 64) {
      errors.putArray("name").add("Ensure this field has no more than 64 characters.");
      return null;
    }
    return text;
  }

  private ObjectNode validateTemplate(@Nullable JsonNode template, ObjectNode errors) {
    if (template == null || template.isNull()) {
      return FakeUltravox.JSON.createObjectNode();
    }
    if (!template.isObject()) {
      errors
          .putArray("callTemplate")
          .add("Expected an object, got " + template.getNodeType() + ".");
      return FakeUltravox.JSON.createObjectNode();
    }
    ObjectNode copy = ((ObjectNode) template).deepCopy();
    List<String> problems = new ArrayList<>();
    JsonNode prompt = copy.get("systemPrompt");
    if (prompt != null && !prompt.isNull() && !prompt.isTextual()) {
      problems.add("systemPrompt: Not a valid string.");
    }
    if (copy.has("medium")) {
      String problem = mediumProblem(copy.get("medium"));
      if (problem != null) {
        problems.add("medium: " + problem);
      }
    }
    for (String field : List.of("joinTimeout", "maxDuration")) {
      if (copy.has(field) && parseDuration(copy.get(field)) == null) {
        problems.add(field + ": " + durationProblem(copy.get(field)));
      }
    }
    if (copy.has("firstSpeakerSettings")) {
      String problem = firstSpeakerProblem(copy.get("firstSpeakerSettings"));
      if (problem != null) {
        problems.add("firstSpeakerSettings: " + problem);
      }
    }
    if (!problems.isEmpty()) {
      ArrayNode list = errors.putArray("callTemplate");
      problems.forEach(list::add);
    }
    copy.remove(List.of("created", "updated"));
    return copy;
  }

  private StoredAgent agent(String id) throws Invalid {
    synchronized (fake.lock) {
      StoredAgent agent = fake.agents.get(id);
      if (agent == null) {
        throw new Invalid(notFound());
      }
      return agent;
    }
  }

  // ------------------------------------------------------------------ calls

  private Reply listCalls(HttpUrl url, @Nullable String agentId) throws Invalid {
    if (agentId != null) {
      agent(agentId);
    }
    List<Keyed> items = new ArrayList<>();
    for (FakeUltravoxCall call : fake.calls()) {
      if (agentId == null || call.agentId().orElse("").equals(agentId)) {
        items.add(0, new Keyed(call.sequence, call.json()));
      }
    }
    return Reply.of(200, page(url, items, true));
  }

  private Reply createAgentCall(String agentId, ObjectNode body) throws Invalid {
    ObjectNode agentJson;
    synchronized (fake.lock) {
      agentJson = agent(agentId).json.deepCopy();
    }
    ObjectNode errors = FakeUltravox.JSON.createObjectNode();
    JsonNode context = body.path("templateContext");
    if (body.has("templateContext") && !context.isObject() && !context.isNull()) {
      errors.putArray("templateContext").add("Expected an object.");
    }
    ObjectNode fields = FakeUltravox.JSON.createObjectNode();
    JsonNode template = agentJson.path("callTemplate");
    for (String field : TEMPLATE_FIELDS) {
      if (template.has(field)) {
        fields.set(field, template.get(field).deepCopy());
      }
    }
    for (String field : OVERRIDE_FIELDS) {
      if (body.has(field)) {
        fields.set(field, body.get(field).deepCopy());
      }
    }
    JsonNode contextObject = context.isObject() ? context : FakeUltravox.JSON.createObjectNode();
    if (fields.path("systemPrompt").isTextual() && errors.isEmpty()) {
      List<String> missing = new ArrayList<>();
      String rendered = render(fields.path("systemPrompt").asText(), contextObject, missing);
      if (!missing.isEmpty()) {
        ArrayNode list = errors.putArray("templateContext");
        for (String variable : missing) {
          // UNCERTAIN: Ultravox validates against the agent's contextSchema; wording is ours
          list.add(
              "Missing value for template variable '"
                  + variable
                  + "' used by the agent's systemPrompt.");
        }
      }
      fields.put("systemPrompt", rendered);
    }
    ObjectNode agentRef = FakeUltravox.JSON.createObjectNode();
    agentRef.put("agentId", agentId).put("name", agentJson.path("name").asText());
    Reply reply = createCall(fields, errors, agentId, agentRef, contextObject);
    if (reply.status() == 201) {
      synchronized (fake.lock) {
        StoredAgent stored = fake.agents.get(agentId);
        if (stored != null) {
          ObjectNode statistics = (ObjectNode) stored.json.path("statistics");
          statistics.put("calls", statistics.path("calls").asInt() + 1);
        }
      }
    }
    return reply;
  }

  private Reply createDirectCall(ObjectNode body) throws Invalid {
    ObjectNode errors = FakeUltravox.JSON.createObjectNode();
    JsonNode prompt = body.get("systemPrompt");
    if (prompt != null && !prompt.isNull() && !prompt.isTextual()) {
      errors.putArray("systemPrompt").add("Not a valid string.");
    }
    JsonNode firstSpeaker = body.get("firstSpeaker");
    ObjectNode fields = body.deepCopy();
    if (firstSpeaker != null && !body.has("firstSpeakerSettings")) {
      String value = firstSpeaker.asText("");
      if (value.equals("FIRST_SPEAKER_USER")) {
        fields.putObject("firstSpeakerSettings").putObject("user");
      } else if (!value.equals("FIRST_SPEAKER_AGENT")
          && !value.equals("FIRST_SPEAKER_UNSPECIFIED")) {
        errors.putArray("firstSpeaker").add("\"" + value + "\" is not a valid choice.");
      }
    }
    return createCall(fields, errors, null, null, FakeUltravox.JSON.createObjectNode());
  }

  private Reply createCall(
      ObjectNode fields,
      ObjectNode errors,
      @Nullable String agentId,
      @Nullable ObjectNode agentRef,
      JsonNode context)
      throws Invalid {
    JsonNode medium = fields.get("medium");
    if (medium != null && !medium.isNull()) {
      String problem = mediumProblem(medium);
      if (problem != null) {
        errors.putArray("medium").add(problem);
      }
    }
    JsonNode metadata = fields.get("metadata");
    if (metadata != null && !metadata.isNull()) {
      if (!metadata.isObject()) {
        errors.putArray("metadata").add("Expected an object of strings.");
      } else {
        ArrayNode problems = FakeUltravox.JSON.createArrayNode();
        metadata
            .fields()
            .forEachRemaining(
                f -> {
                  if (f.getKey().startsWith("ultravox.")) {
                    problems.add(
                        "Metadata keys may not start with \"ultravox.\" (reserved for system-provided"
                            + " metadata), got \""
                            + f.getKey()
                            + "\".");
                  } else if (!f.getValue().isTextual()) {
                    problems.add("Metadata values must be strings; \"" + f.getKey() + "\" is not.");
                  }
                });
        if (!problems.isEmpty()) {
          errors.set("metadata", problems);
        }
      }
    }
    for (String field : List.of("joinTimeout", "maxDuration")) {
      JsonNode value = fields.get(field);
      if (value != null && !value.isNull() && parseDuration(value) == null) {
        errors.putArray(field).add(durationProblem(value));
      }
    }
    JsonNode firstSpeaker = fields.get("firstSpeakerSettings");
    if (firstSpeaker != null && !firstSpeaker.isNull()) {
      String problem = firstSpeakerProblem(firstSpeaker);
      if (problem != null) {
        errors.putArray("firstSpeakerSettings").add(problem);
      }
    }
    if (!errors.isEmpty()) {
      throw new Invalid(Reply.of(400, errors));
    }
    Instant now = fake.clock.instant();
    String callId = UUID.randomUUID().toString();
    ObjectNode effectiveMedium =
        medium == null || medium.isNull() || medium.isEmpty()
            ? FakeUltravox.JSON
                .createObjectNode()
                .set("webRtc", FakeUltravox.JSON.createObjectNode())
            : (ObjectNode) medium.deepCopy();
    String kind = effectiveMedium.fieldNames().next();
    String base = "ws://127.0.0.1:" + fake.port() + "/calls/" + callId;
    String token = null;
    String joinUrl;
    switch (kind) {
      case "serverWebSocket" -> joinUrl = base + "/server_web_socket";
      case "twilio" -> {
        token = HexFormat.of().formatHex(randomBytes(16));
        joinUrl = base + "/twilio?token=" + token + "&v=1";
      }
      default -> joinUrl = base + "/web_rtc";
    }
    ObjectNode settings =
        firstSpeaker == null || firstSpeaker.isNull() || firstSpeaker.isEmpty()
            ? FakeUltravox.JSON
                .createObjectNode()
                .set("agent", FakeUltravox.JSON.createObjectNode())
            : (ObjectNode) firstSpeaker.deepCopy();
    Duration joinTimeout = parseDuration(fields.path("joinTimeout"));
    Duration maxDuration = parseDuration(fields.path("maxDuration"));
    ObjectNode call = FakeUltravox.JSON.createObjectNode();
    call.put("callId", callId);
    call.putNull("clientVersion");
    call.put("created", timestamp(now));
    call.putNull("joined").putNull("ended").putNull("endReason").putNull("billedDuration");
    call.put("billingStatus", "BILLING_STATUS_PENDING");
    call.put("firstSpeaker", settings.has("user") ? "FIRST_SPEAKER_USER" : "FIRST_SPEAKER_AGENT");
    call.set("firstSpeakerSettings", settings);
    call.set(
        "inactivityMessages",
        fields.path("inactivityMessages").isArray()
            ? fields.get("inactivityMessages")
            : FakeUltravox.JSON.createArrayNode());
    call.put(
        "initialOutputMedium", fields.path("initialOutputMedium").asText("MESSAGE_MEDIUM_VOICE"));
    call.put("joinTimeout", joinTimeout == null ? "30s" : fields.path("joinTimeout").asText());
    call.put("joinUrl", joinUrl);
    call.set("languageHint", textOrNull(fields, "languageHint"));
    call.put("maxDuration", maxDuration == null ? "3600s" : fields.path("maxDuration").asText());
    call.set("medium", effectiveMedium);
    call.put("model", fields.path("model").asText("fixie-ai/ultravox"));
    call.put("recordingEnabled", fields.path("recordingEnabled").asBoolean(false));
    call.set("systemPrompt", textOrNull(fields, "systemPrompt"));
    call.put("temperature", fields.path("temperature").asDouble(0));
    call.set("timeExceededMessage", textOrNull(fields, "timeExceededMessage"));
    call.set("voice", textOrNull(fields, "voice"));
    call.put("transcriptOptional", true);
    call.put("errorCount", 0);
    call.set(
        "vadSettings",
        fields.has("vadSettings") ? fields.get("vadSettings") : FakeUltravox.JSON.nullNode());
    call.putNull("shortSummary").putNull("summary");
    call.set("agent", agentRef == null ? FakeUltravox.JSON.nullNode() : agentRef);
    call.put("agentId", agentId);
    call.set(
        "experimentalSettings",
        fields.has("experimentalSettings")
            ? fields.get("experimentalSettings")
            : FakeUltravox.JSON.nullNode());
    call.set(
        "metadata",
        metadata != null && metadata.isObject() ? metadata : FakeUltravox.JSON.createObjectNode());
    call.set(
        "initialState",
        fields.path("initialState").isObject()
            ? fields.get("initialState")
            : FakeUltravox.JSON.createObjectNode());
    call.putNull("requestContext");
    call.set(
        "dataConnectionConfig",
        fields.has("dataConnection") ? fields.get("dataConnection") : FakeUltravox.JSON.nullNode());
    FakeUltravoxCall record =
        new FakeUltravoxCall(
            fake,
            fake.nextSequence(),
            call,
            agentId,
            context.deepCopy(),
            token,
            joinTimeout == null ? Duration.ofSeconds(30) : joinTimeout,
            maxDuration == null ? Duration.ofHours(1) : maxDuration);
    fake.callCreated(record);
    return Reply.of(201, record.json());
  }

  private String mediumProblem(JsonNode medium) {
    if (!medium.isObject()) {
      return "Expected an object with one medium.";
    }
    if (medium.size() > 1) {
      List<String> names = new ArrayList<>();
      medium.fieldNames().forEachRemaining(names::add);
      return "At most one call medium may be set, got " + String.join(", ", names) + ".";
    }
    if (medium.isEmpty()) {
      return null;
    }
    String kind = medium.fieldNames().next();
    if (!MEDIA.contains(kind)) {
      return "Unknown call medium \""
          + kind
          + "\"; use one of "
          + String.join(", ", new java.util.TreeSet<>(MEDIA))
          + ".";
    }
    JsonNode settings = medium.get(kind);
    if (!settings.isObject()) {
      return kind + ": Expected an object.";
    }
    if (kind.equals("serverWebSocket")) {
      JsonNode input = settings.get("inputSampleRate");
      if (input == null || input.isNull()) {
        return "serverWebSocket.inputSampleRate is required.";
      }
      for (String field : List.of("inputSampleRate", "outputSampleRate")) {
        JsonNode rate = settings.get(field);
        if (rate == null || rate.isNull()) {
          continue;
        }
        if (!rate.canConvertToInt() || !rate.isIntegralNumber()) {
          return "serverWebSocket." + field + " must be an integer, got " + rate + ".";
        }
        if (!fake.sampleRates.contains(rate.asInt())) {
          return "serverWebSocket."
              + field
              + " "
              + rate.asInt()
              + " is not supported; supported sample rates: "
              + fake.sampleRates
              + ".";
        }
      }
      JsonNode buffer = settings.get("clientBufferSizeMs");
      if (buffer != null
          && !buffer.isNull()
          && (!buffer.isIntegralNumber() || buffer.asLong() < 1)) {
        return "serverWebSocket.clientBufferSizeMs must be a positive integer, got " + buffer + ".";
      }
    }
    return null;
  }

  private static @Nullable String firstSpeakerProblem(JsonNode settings) {
    if (!settings.isObject()) {
      return "Expected an object.";
    }
    if (settings.has("user") && settings.has("agent")) {
      return "Exactly one of user or agent should be set.";
    }
    for (String path : List.of("/agent/delay", "/user/fallback/delay")) {
      JsonNode delay = settings.at(path);
      if (!delay.isMissingNode() && !delay.isNull() && parseDuration(delay) == null) {
        return path.substring(1).replace('/', '.') + ": " + durationProblem(delay);
      }
    }
    return null;
  }

  private static String durationProblem(JsonNode value) {
    return "Invalid duration "
        + value
        + ": expected seconds with an \"s\" suffix, e.g. \"30s\" or \"0.5s\".";
  }

  private static JsonNode textOrNull(ObjectNode fields, String name) {
    JsonNode value = fields.get(name);
    return value != null && value.isTextual() ? value : FakeUltravox.JSON.nullNode();
  }

  private FakeUltravoxCall call(String id) throws Invalid {
    synchronized (fake.lock) {
      FakeUltravoxCall call = fake.calls.get(id);
      if (call == null) {
        throw new Invalid(notFound());
      }
      return call;
    }
  }

  private Reply sendDataMessage(FakeUltravoxCall call, ObjectNode body) throws Invalid {
    JsonNode type = body.get("type");
    if (type == null || !type.isTextual()) {
      throw new Invalid(Reply.of(400, field("type", "This field is required.")));
    }
    if (!DATA_MESSAGE_TYPES.contains(type.asText())) {
      throw new Invalid(
          Reply.of(
              400,
              field(
                  "type",
                  "Unsupported data message type \""
                      + type.asText()
                      + "\"; send one of forced_agent_message, hang_up, user_text_message.")));
    }
    String required =
        switch (type.asText()) {
          case "forced_agent_message" -> "content";
          case "user_text_message" -> "text";
          default -> null;
        };
    if (required != null && !body.path(required).isTextual()) {
      throw new Invalid(Reply.of(400, field(required, "This field is required.")));
    }
    CallSession session = call.session();
    boolean delivered = false;
    if (session != null && call.isLive()) {
      try {
        delivered = fake.control(() -> session.deliver(body));
      } catch (IllegalStateException e) {
        delivered = false;
      }
    }
    if (!delivered) {
      // UNCERTAIN: the detail's wording
      return Reply.of(422, detail("Call " + call.callId() + " is not active."));
    }
    return Reply.of(204, null);
  }

  // ------------------------------------------------------------------ webhooks

  private Reply listWebhooks(HttpUrl url) throws Invalid {
    String agentId = url.queryParameter("agentId");
    List<Keyed> items = new ArrayList<>();
    synchronized (fake.lock) {
      for (StoredWebhook hook : fake.webhooks.values()) {
        if (agentId == null || hook.json.path("agentId").asText("").equals(agentId)) {
          items.add(0, new Keyed(hook.sequence, hook.json.deepCopy()));
        }
      }
    }
    return Reply.of(200, page(url, items, true));
  }

  private Reply createWebhook(ObjectNode body) throws Invalid {
    ObjectNode errors = FakeUltravox.JSON.createObjectNode();
    JsonNode url = body.get("url");
    if (url == null || url.isNull()) {
      errors.putArray("url").add("This field is required.");
    } else if (!url.isTextual()
        || !(url.asText().startsWith("http://") || url.asText().startsWith("https://"))
        || HttpUrl.parse(url.asText()) == null) {
      errors.putArray("url").add("Enter a valid URL.");
    } else if (url.asText().length() > 200) {
      errors.putArray("url").add("Ensure this field has no more than 200 characters.");
    }
    JsonNode events = body.get("events");
    if (events == null || events.isNull()) {
      errors.putArray("events").add("This field is required.");
    } else if (!events.isArray()) {
      errors
          .putArray("events")
          .add(
              "Expected a list of items but got type \""
                  + events.getNodeType().name().toLowerCase(Locale.ROOT)
                  + "\".");
    } else {
      ObjectNode problems = FakeUltravox.JSON.createObjectNode();
      for (int i = 0; i < events.size(); i++) {
        if (!FakeUltravox.EVENTS.contains(events.get(i).asText(""))) {
          problems
              .putArray(Integer.toString(i))
              .add("\"" + events.get(i).asText() + "\" is not a valid choice.");
        }
      }
      if (!problems.isEmpty()) {
        errors.set("events", problems);
      }
    }
    JsonNode secrets = body.get("secrets");
    List<String> secretList = new ArrayList<>();
    if (secrets != null && !secrets.isNull()) {
      if (!secrets.isArray()) {
        errors.putArray("secrets").add("Expected a list of items.");
      } else {
        for (JsonNode secret : secrets) {
          if (!secret.isTextual() || secret.asText().isEmpty() || secret.asText().length() > 120) {
            errors.putArray("secrets").add("Each secret must be a string of 1 to 120 characters.");
            break;
          }
          secretList.add(secret.asText());
        }
      }
    }
    JsonNode agentId = body.get("agentId");
    if (agentId != null
        && !agentId.isNull()
        && !(agentId.isTextual() && UUID_TEXT.matcher(agentId.asText()).matches())) {
      errors.putArray("agentId").add("Must be a valid UUID.");
    }
    if (!errors.isEmpty()) {
      throw new Invalid(Reply.of(400, errors));
    }
    if (secretList.isEmpty()) {
      secretList.add(Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32)));
    }
    ObjectNode hook = FakeUltravox.JSON.createObjectNode();
    hook.put("webhookId", UUID.randomUUID().toString());
    hook.set("agentId", agentId == null ? FakeUltravox.JSON.nullNode() : agentId);
    hook.put("created", timestamp(fake.clock.instant()));
    hook.put("url", url.asText());
    ArrayNode secretArray = hook.putArray("secrets");
    secretList.forEach(secretArray::add);
    ArrayNode eventArray = hook.putArray("events");
    new LinkedHashSet<>(toStrings(events)).forEach(eventArray::add);
    hook.put("status", "normal");
    hook.putNull("lastStatusChange");
    hook.putArray("recentFailures");
    synchronized (fake.lock) {
      fake.webhooks.put(
          hook.path("webhookId").asText(), new StoredWebhook(fake.nextSequence(), hook));
    }
    return Reply.of(201, hook.deepCopy());
  }

  private StoredWebhook webhook(String id) throws Invalid {
    synchronized (fake.lock) {
      StoredWebhook hook = fake.webhooks.get(id);
      if (hook == null) {
        throw new Invalid(notFound());
      }
      return hook;
    }
  }

  private Reply deleteWebhook(String id) throws Invalid {
    synchronized (fake.lock) {
      if (fake.webhooks.remove(id) == null) {
        throw new Invalid(notFound());
      }
    }
    return Reply.of(204, null);
  }

  // ------------------------------------------------------------------ joining a call

  /** Returns a refusal Reply or the upgrade MockResponse. */
  private Object join(mockwebserver3.RecordedRequest raw, HttpUrl url) {
    Matcher m = JOIN.matcher(url.encodedPath());
    m.matches();
    String id = m.group(1);
    String kind = m.group(2);
    FakeUltravoxCall call;
    synchronized (fake.lock) {
      call = fake.calls.get(id);
    }
    if (call == null) {
      return Reply.of(404, detail("Not found."));
    }
    boolean matches =
        switch (kind) {
          case "server_web_socket" -> call.medium().equals("serverWebSocket");
          case "twilio" -> call.medium().equals("twilio");
          default -> !call.medium().equals("serverWebSocket") && !call.medium().equals("twilio");
        };
    if (!matches) {
      return Reply.of(404, detail("Not found."));
    }
    if (kind.equals("web_rtc")) {
      return Reply.of(
          501,
          detail(
              "FakeUltravox does not implement WebRTC; use the serverWebSocket or twilio medium."));
    }
    if (kind.equals("twilio")) {
      String expected = call.twilioToken();
      String token = url.queryParameter("token");
      if (expected == null
          || token == null
          || !MessageDigest.isEqual(
              expected.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
        return Reply.of(403, detail("Invalid join URL."));
      }
    }
    String upgrade = raw.getHeaders().get("Upgrade");
    if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
      return Reply.of(400, detail("The join URL needs a WebSocket upgrade."));
    }
    if (!call.joinable()) {
      return Reply.of(409, detail("Call " + id + " was already joined or has ended."));
    }
    CallSession session =
        kind.equals("twilio")
            ? new TwilioStreamSession(fake, call, fake.sockets.accepted(raw.getConnectionIndex()))
            : new ServerWebSocketSession(
                fake, call, fake.sockets.accepted(raw.getConnectionIndex()));
    if (!call.attach(session)) {
      return Reply.of(409, detail("Call " + id + " was already joined or has ended."));
    }
    return new MockResponse.Builder().webSocketUpgrade(session).build();
  }

  // ------------------------------------------------------------------ pagination

  /** An item with its key in the list's order. */
  private record Keyed(long key, JsonNode json) {}

  /**
   * One page of a list ordered by key, descending or ascending. Cursors are opaque: base64 of
   * "n:key" (the items after that key) or "p:key" (the page before it).
   */
  private static ObjectNode page(HttpUrl url, List<Keyed> items, boolean descending)
      throws Invalid {
    int size = pageSize(url.queryParameter("pageSize"));
    String cursor = url.queryParameter("cursor");
    int start = 0;
    int end;
    if (cursor == null || cursor.isEmpty()) {
      end = Math.min(items.size(), size);
    } else {
      String decoded;
      long key;
      try {
        decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        key = Long.parseLong(decoded.substring(2));
      } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
        throw new Invalid(Reply.of(404, detail("Invalid cursor")));
      }
      int split = 0; // the number of items at or before the key in list order
      while (split < items.size()
          && (descending ? items.get(split).key() >= key : items.get(split).key() <= key)) {
        split++;
      }
      if (decoded.startsWith("n:")) {
        start = split;
        end = Math.min(items.size(), start + size);
      } else if (decoded.startsWith("p:")) {
        int before = split;
        if (before > 0 && items.get(before - 1).key() == key) {
          before--; // the cursor's own item starts the page after
        }
        end = before;
        start = Math.max(0, end - size);
      } else {
        throw new Invalid(Reply.of(404, detail("Invalid cursor")));
      }
    }
    ObjectNode page = FakeUltravox.JSON.createObjectNode();
    ArrayNode results = page.putArray("results");
    for (Keyed item : items.subList(start, end)) {
      results.add(item.json());
    }
    if (end < items.size() && end > start) {
      page.put("next", link(url, "n:" + items.get(end - 1).key()));
    } else {
      page.putNull("next");
    }
    if (start > 0) {
      page.put("previous", link(url, "p:" + items.get(start).key()));
    } else {
      page.putNull("previous");
    }
    page.put("total", items.size());
    return page;
  }

  private static int pageSize(@Nullable String value) {
    if (value == null) {
      return FakeUltravox.DEFAULT_PAGE_SIZE;
    }
    try {
      int size = Integer.parseInt(value.trim());
      if (size < 1) {
        return FakeUltravox.DEFAULT_PAGE_SIZE;
      }
      return Math.min(size, FakeUltravox.MAX_PAGE_SIZE);
    } catch (NumberFormatException e) {
      return FakeUltravox.DEFAULT_PAGE_SIZE;
    }
  }

  private static String link(HttpUrl url, String cursor) {
    String encoded =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(cursor.getBytes(StandardCharsets.UTF_8));
    return url.newBuilder().setQueryParameter("cursor", encoded).build().toString();
  }

  // ------------------------------------------------------------------ helpers

  private static ObjectNode object(String body) throws Invalid {
    if (body.isBlank()) {
      return FakeUltravox.JSON.createObjectNode();
    }
    JsonNode json;
    try {
      json = FakeUltravox.JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new Invalid(Reply.of(400, detail("JSON parse error - " + e.getOriginalMessage())));
    }
    if (json == null || !json.isObject()) {
      throw new Invalid(
          Reply.of(
              400,
              field(
                  "non_field_errors",
                  "Invalid data. Expected a dictionary, but got "
                      + (json == null
                          ? "nothing"
                          : json.getNodeType().name().toLowerCase(Locale.ROOT))
                      + ".")));
    }
    return (ObjectNode) json;
  }

  private static String uuid(String text) throws Invalid {
    if (!UUID_TEXT.matcher(text).matches()) {
      throw new Invalid(notFound());
    }
    return text.toLowerCase(Locale.ROOT);
  }

  private static Reply notFound() {
    return Reply.of(404, detail("Not found."));
  }

  private static Reply notAllowed(String method, String allowed) {
    return new Reply(
        405, detail("Method \"" + method + "\" not allowed."), Map.of("Allow", allowed));
  }

  private static ObjectNode detail(String detail) {
    return FakeUltravox.JSON.createObjectNode().put("detail", detail);
  }

  private static ObjectNode field(String name, String message) {
    ObjectNode error = FakeUltravox.JSON.createObjectNode();
    error.putArray(name).add(message);
    return error;
  }

  private static List<String> toStrings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(e -> list.add(e.asText()));
    return list;
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** Renders mustache variables ({@code {{name}}}, {@code {{a.b}}}); missing ones are listed. */
  static String render(String template, JsonNode context, List<String> missing) {
    Matcher m = TEMPLATE_VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      JsonNode value = context;
      for (String part : name.split("\\.")) {
        value = value.path(part);
      }
      String text;
      if (value.isMissingNode() || value.isNull()) {
        if (!missing.contains(name)) {
          missing.add(name);
        }
        text = "";
      } else {
        text = value.isValueNode() ? value.asText() : value.toString();
      }
      m.appendReplacement(out, Matcher.quoteReplacement(text));
    }
    m.appendTail(out);
    return out.toString();
  }

  static String timestamp(Instant instant) {
    return TIMESTAMP.format(instant);
  }

  /** Formats a duration as Ultravox does: decimal seconds with an {@code s} suffix. */
  static String duration(Duration duration) {
    BigDecimal seconds = BigDecimal.valueOf(duration.toNanos(), 9).stripTrailingZeros();
    return (seconds.signum() == 0 ? "0" : seconds.toPlainString()) + "s";
  }

  /** Parses {@code "30s"}, {@code "0.384s"}; null if absent or malformed. */
  static @Nullable Duration parseDuration(@Nullable JsonNode value) {
    if (value == null || !value.isTextual() || !DURATION.matcher(value.asText()).matches()) {
      return null;
    }
    String text = value.asText();
    BigDecimal seconds = new BigDecimal(text.substring(0, text.length() - 1));
    return Duration.ofNanos(seconds.movePointRight(9).longValueExact());
  }
}
