package dev.switchboard.testing.twilio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.testing.twilio.FakeTwilioApi.Fault;
import dev.switchboard.testing.twilio.FakeTwilioApi.RecordedRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * Serves {@link FakeTwilioApi}'s REST resources on MockWebServer's threads: Basic auth, routing,
 * validation, call state changes under the fake's lock, Twilio-shaped JSON, and the queued faults.
 */
final class FakeTwilioApiDispatcher extends Dispatcher {
  private static final String PREFIX = "/" + FakeTwilioApi.API_VERSION + "/Accounts/";
  private static final Pattern ACCOUNT = Pattern.compile(Pattern.quote(PREFIX) + "([^/]+)\\.json");
  private static final Pattern CALLS =
      Pattern.compile(Pattern.quote(PREFIX) + "([^/]+)/Calls\\.json");
  private static final Pattern CALL =
      Pattern.compile(Pattern.quote(PREFIX) + "([^/]+)/Calls/([^/]+)\\.json");
  private static final Pattern NANP = Pattern.compile("\\+1(\\d{3})(\\d{3})(\\d{4})");
  private static final int MAX_TWIML_CHARS = 4000;

  private final FakeTwilioApi api;
  private final ObjectMapper json = new ObjectMapper();

  FakeTwilioApiDispatcher(FakeTwilioApi api) {
    this.api = api;
  }

  @Override
  public MockResponse dispatch(mockwebserver3.RecordedRequest raw) {
    RecordedRequest request = convert(raw);
    Fault fault = api.takeFault(request.method(), request.path());
    MockResponse response;
    try {
      if (fault == null) {
        response = handle(request).toMockResponse();
      } else {
        response =
            switch (fault.kind) {
              case STATUS ->
                  error(fault.status, fault.code, fault.message, fault.retryAfter).toMockResponse();
              case NO_RESPONSE ->
                  new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build();
              case DISCONNECT_AFTER_REQUEST -> {
                handle(request); // act first, as Twilio may have before the connection broke
                yield new MockResponse.Builder()
                    .onResponseStart(new SocketEffect.CloseSocket())
                    .build();
              }
            };
      }
    } catch (RuntimeException e) {
      response = error(500, 20500, "FakeTwilioApi failed: " + e, null).toMockResponse();
    }
    // Recorded after acting, so a test that sees the request also sees its effect.
    api.record(request);
    return response;
  }

  private Reply handle(RecordedRequest request) {
    if (!authenticated(request)) {
      return error(401, 20003, "Authenticate", "Your AccountSid or AuthToken was incorrect.", null)
          .withHeader("WWW-Authenticate", "Basic realm=\"Twilio API\"");
    }
    String path = request.path();
    String method = request.method();
    Matcher call = CALL.matcher(path);
    if (call.matches() && ownAccount(call.group(1))) {
      return switch (method) {
        case "GET" -> fetch(path, call.group(2));
        case "POST" -> update(path, call.group(2), request.params());
        default -> notFound(path);
      };
    }
    Matcher calls = CALLS.matcher(path);
    if (calls.matches() && ownAccount(calls.group(1)) && method.equals("POST")) {
      return create(request.params());
    }
    Matcher account = ACCOUNT.matcher(path);
    if (account.matches() && ownAccount(account.group(1)) && method.equals("GET")) {
      return new Reply(200, write(accountJson()));
    }
    return notFound(path);
  }

  private boolean ownAccount(String sid) {
    return sid.equals(api.accountSid());
  }

  private boolean authenticated(RecordedRequest request) {
    String header = request.header("Authorization").orElse("");
    if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return false;
    }
    int colon = decoded.indexOf(':');
    return colon > 0 && api.authorized(decoded.substring(0, colon), decoded.substring(colon + 1));
  }

  // ---------------------------------------------------------------- resources

  private Reply create(Map<String, List<String>> params) {
    String to = first(params, "To");
    String from = first(params, "From");
    if (to == null) {
      return error(400, 21201, "No 'To' number is specified", null);
    }
    if (from == null) {
      return error(400, 21213, "No 'From' number is specified", null);
    }
    List<String> sources = new ArrayList<>();
    for (String name : List.of("Url", "Twiml", "ApplicationSid")) {
      if (first(params, name) != null) {
        sources.add(name);
      }
    }
    if (sources.isEmpty()) {
      return error(
          400,
          21205,
          "Url parameter is required. For more information, see http://www.twilio.com/docs/api/twiml",
          null);
    }
    if (sources.size() > 1) {
      return error(
          400, 21205, "Give exactly one of Url, Twiml or ApplicationSid, not " + sources, null);
    }
    Reply invalid = invalidTwimlOrUrl(params);
    if (invalid != null) {
      return invalid;
    }
    FakeCall created;
    synchronized (api.lock) {
      String sid = FakeTwilioApi.newSid("CA");
      FakeCallState state =
          new FakeCallState(sid, api.accountSid(), "outbound-api", "queued", params, api.now());
      String twiml = first(params, "Twiml");
      String url = first(params, "Url");
      if (twiml != null) {
        state.twiml.add(twiml);
      }
      if (url != null) {
        state.urls.add(url);
      }
      api.calls.put(sid, state);
      api.lock.notifyAll();
      created = state.snapshot();
    }
    return new Reply(201, write(callJson(created)));
  }

  private Reply fetch(String path, String sid) {
    FakeCall call;
    synchronized (api.lock) {
      FakeCallState state = api.calls.get(sid);
      if (state == null) {
        return notFound(path);
      }
      call = state.snapshot();
    }
    return new Reply(200, write(callJson(call)));
  }

  private Reply update(String path, String sid, Map<String, List<String>> params) {
    String status = first(params, "Status");
    String twiml = first(params, "Twiml");
    String url = first(params, "Url");
    if (status != null && !status.equals("completed") && !status.equals("canceled")) {
      return error(
          400, 20001, "Invalid Status: " + status + "; expected completed or canceled", null);
    }
    if (twiml != null && url != null) {
      return error(400, 21205, "Give either Url or Twiml, not both", null);
    }
    Reply invalid = invalidTwimlOrUrl(params);
    if (invalid != null) {
      return invalid;
    }
    FakeCall updated;
    synchronized (api.lock) {
      FakeCallState state = api.calls.get(sid);
      if (state == null) {
        return notFound(path);
      }
      boolean changesTheCall = status != null || twiml != null || url != null;
      if (changesTheCall && state.ended()) {
        return error(404, 20404, "Call is not in-progress. Cannot redirect.", null);
      }
      Instant now = api.now();
      state.updates.add(params);
      if (twiml != null) {
        state.twiml.add(twiml);
      }
      if (url != null) {
        state.urls.add(url);
      }
      String statusCallback = first(params, "StatusCallback");
      if (statusCallback != null) {
        state.statusCallback = statusCallback;
      }
      if ("completed".equals(status)) {
        state.moveTo("completed", now);
      } else if ("canceled".equals(status)
          && (state.status.equals("queued") || state.status.equals("ringing"))) {
        state.moveTo("canceled", now);
      }
      state.dateUpdated = now;
      api.lock.notifyAll();
      updated = state.snapshot();
    }
    return new Reply(200, write(callJson(updated)));
  }

  private @Nullable Reply invalidTwimlOrUrl(Map<String, List<String>> params) {
    String twiml = first(params, "Twiml");
    if (twiml != null && twiml.length() > MAX_TWIML_CHARS) {
      return error(
          400, 32018, "Twiml size exceeded maximum allowed value of 4000 characters", null);
    }
    String url = first(params, "Url");
    if (url != null && !isAbsoluteHttpUrl(url)) {
      return error(400, 21205, "Url is not a valid URL: " + url, null);
    }
    return null;
  }

  private static boolean isAbsoluteHttpUrl(String url) {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private Reply notFound(String path) {
    return error(404, 20404, "The requested resource " + path + " was not found", null);
  }

  // ---------------------------------------------------------------- JSON

  private Map<String, Object> callJson(FakeCall call) {
    String uri = PREFIX + call.accountSid() + "/Calls/" + call.sid();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sid", call.sid());
    out.put("date_created", rfc2822(call.dateCreated()));
    out.put("date_updated", rfc2822(call.dateUpdated()));
    out.put("parent_call_sid", null);
    out.put("account_sid", call.accountSid());
    out.put("to", call.to());
    out.put("to_formatted", formatted(call.to()));
    out.put("from", call.from());
    out.put("from_formatted", formatted(call.from()));
    out.put("phone_number_sid", null);
    out.put("status", call.status());
    out.put("start_time", call.startTime().map(FakeTwilioApiDispatcher::rfc2822).orElse(null));
    out.put("end_time", call.endTime().map(FakeTwilioApiDispatcher::rfc2822).orElse(null));
    out.put(
        "duration",
        call.durationSeconds().isPresent()
            ? Long.toString(call.durationSeconds().getAsLong())
            : null);
    out.put("price", null);
    out.put("price_unit", "USD");
    out.put("direction", call.direction());
    out.put("answered_by", call.answeredBy().orElse(null));
    out.put("api_version", FakeTwilioApi.API_VERSION);
    out.put("forwarded_from", null);
    out.put("group_sid", null);
    out.put("caller_name", null);
    out.put("queue_time", "0");
    out.put("trunk_sid", null);
    out.put("uri", uri + ".json");
    Map<String, String> subresources = new LinkedHashMap<>();
    subresources.put("notifications", uri + "/Notifications.json");
    subresources.put("recordings", uri + "/Recordings.json");
    subresources.put("streams", uri + "/Streams.json");
    subresources.put("payments", uri + "/Payments.json");
    subresources.put("events", uri + "/Events.json");
    subresources.put("siprec", uri + "/Siprec.json");
    subresources.put("user_defined_messages", uri + "/UserDefinedMessages.json");
    subresources.put(
        "user_defined_message_subscriptions", uri + "/UserDefinedMessageSubscriptions.json");
    out.put("subresource_uris", subresources);
    return out;
  }

  private Map<String, Object> accountJson() {
    String sid = api.accountSid();
    String uri = PREFIX + sid;
    // A fixed creation date: the fake's account exists before any test starts.
    String created = rfc2822(Instant.parse("2020-01-01T00:00:00Z"));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("auth_token", api.authToken());
    out.put("date_created", created);
    out.put("date_updated", rfc2822(api.now()));
    out.put("friendly_name", "FakeTwilioApi test account");
    out.put("owner_account_sid", sid);
    out.put("sid", sid);
    out.put("status", "active");
    Map<String, String> subresources = new LinkedHashMap<>();
    subresources.put("calls", uri + "/Calls.json");
    subresources.put("incoming_phone_numbers", uri + "/IncomingPhoneNumbers.json");
    subresources.put("messages", uri + "/Messages.json");
    subresources.put("applications", uri + "/Applications.json");
    subresources.put("keys", uri + "/Keys.json");
    out.put("subresource_uris", subresources);
    out.put("type", "Full");
    out.put("uri", uri + ".json");
    return out;
  }

  private static String rfc2822(Instant instant) {
    return FakeTwilioApi.RFC_2822.format(instant);
  }

  /** Twilio shows North American numbers as (415) 555-0100 and others as given. */
  private static String formatted(String number) {
    Matcher m = NANP.matcher(number);
    return m.matches() ? "(" + m.group(1) + ") " + m.group(2) + "-" + m.group(3) : number;
  }

  private String write(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  private Reply error(int status, int code, String message, @Nullable Duration retryAfter) {
    return error(status, code, message, null, retryAfter);
  }

  private Reply error(
      int status,
      int code,
      String message,
      @Nullable String detail,
      @Nullable Duration retryAfter) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("code", code);
    if (detail != null) {
      body.put("detail", detail);
    }
    body.put("message", message);
    body.put("more_info", "https://www.twilio.com/docs/errors/" + code);
    body.put("status", status);
    Reply reply = new Reply(status, write(body));
    if (retryAfter != null) {
      long seconds = retryAfter.toSeconds() + (retryAfter.toNanosPart() > 0 ? 1 : 0);
      reply = reply.withHeader("Retry-After", Long.toString(seconds));
    }
    return reply;
  }

  // ---------------------------------------------------------------- requests

  private RecordedRequest convert(mockwebserver3.RecordedRequest raw) {
    HttpUrl url = raw.getUrl();
    Map<String, List<String>> query = new LinkedHashMap<>();
    for (int i = 0; i < url.querySize(); i++) {
      String value = url.queryParameterValue(i);
      query
          .computeIfAbsent(url.queryParameterName(i), k -> new ArrayList<>())
          .add(value == null ? "" : value);
    }
    Headers headers = raw.getHeaders();
    ByteString bodyBytes = raw.getBody();
    String body = bodyBytes == null ? "" : bodyBytes.utf8();
    String contentType = headers.get("Content-Type");
    boolean json = contentType != null && contentType.toLowerCase(Locale.ROOT).contains("json");
    Map<String, List<String>> params = json ? Map.of() : parseForm(body);
    return new RecordedRequest(
        raw.getMethod().toUpperCase(Locale.ROOT),
        url.encodedPath(),
        query,
        params,
        headers.toMultimap(),
        body,
        api.now());
  }

  private static Map<String, List<String>> parseForm(String body) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.computeIfAbsent(decode(name), k -> new ArrayList<>()).add(decode(value));
    }
    return params;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text; // a malformed escape is kept as sent
    }
  }

  private static @Nullable String first(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    if (values == null || values.isEmpty() || values.get(0).isBlank()) {
      return null;
    }
    return values.get(0);
  }

  /** A response before it becomes a MockResponse. */
  private record Reply(int status, String body, Map<String, String> headers) {
    Reply(int status, String body) {
      this(status, body, Map.of());
    }

    Reply withHeader(String name, String value) {
      Map<String, String> more = new LinkedHashMap<>(headers);
      more.put(name, value);
      return new Reply(status, body, more);
    }

    MockResponse toMockResponse() {
      MockResponse.Builder builder =
          new MockResponse.Builder()
              .code(status)
              .setHeader("Content-Type", "application/json; charset=utf-8")
              .setHeader("Twilio-Request-Id", FakeTwilioApi.newSid("RQ"));
      headers.forEach(builder::setHeader);
      return builder.body(body).build();
    }
  }
}
