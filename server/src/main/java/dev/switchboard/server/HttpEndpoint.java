package dev.switchboard.server;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.switchboard.core.webhook.PublicUrlResolver;
import dev.switchboard.core.webhook.WebhookHandler;
import dev.switchboard.core.webhook.WebhookRequest;
import dev.switchboard.core.webhook.WebhookResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single JDK {@code HttpServer} handler: routes by exact path to webhook handlers and the
 * health endpoint, enforces the body limit, turns malformed requests into 400 and handler failures
 * into 500 JSON errors, and counts requests in flight for a graceful stop. Runs on the server's
 * HTTP executor. Thread-safe. Not API.
 */
final class HttpEndpoint implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);

  static final String HEALTH_PATH = "/health";

  private final Map<String, WebhookHandler> routes;
  private final java.util.List<String> subtrees; // "/agents/" for "/agents/*", longest first
  private final HealthEndpoint health;
  private final PublicUrlResolver resolver;
  private final int maxRequestBytes;

  private final Object lock = new Object();
  private int inFlight; // guarded by lock
  private boolean stopping; // guarded by lock

  HttpEndpoint(
      Map<String, WebhookHandler> routes,
      HealthEndpoint health,
      PublicUrlResolver resolver,
      int maxRequestBytes) {
    this.routes = Map.copyOf(routes);
    this.subtrees =
        routes.keySet().stream()
            .filter(p -> p.endsWith("/*"))
            .map(p -> p.substring(0, p.length() - 1))
            .sorted(java.util.Comparator.comparingInt(String::length).reversed())
            .toList();
    this.health = health;
    this.resolver = resolver;
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public void handle(HttpExchange exchange) {
    try {
      if (!enter()) {
        respond(
            exchange,
            WebhookResponse.error(503, "server_stopping", "the server is stopping"),
            true);
        return;
      }
      try {
        serve(exchange);
      } finally {
        exit();
      }
    } catch (IOException e) {
      log.debug("HTTP exchange failed: {}", e.toString());
    } catch (RuntimeException e) {
      log.error("HTTP exchange failed", e);
    } finally {
      exchange.close();
    }
  }

  private @org.jspecify.annotations.Nullable WebhookHandler route(String path) {
    WebhookHandler exact = routes.get(path);
    if (exact != null) {
      return exact;
    }
    for (String subtree : subtrees) {
      if (path.length() > subtree.length() && path.startsWith(subtree)) {
        return routes.get(subtree + "*");
      }
    }
    return null;
  }

  private void serve(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    URI uri = exchange.getRequestURI();
    String path = uri.getRawPath();
    if (path == null || !path.startsWith("/")) {
      respond(
          exchange, WebhookResponse.error(400, "malformed_request", "bad request target"), true);
      return;
    }
    if (HEALTH_PATH.equals(path)) {
      serveHealth(exchange, method);
      return;
    }
    WebhookHandler handler = route(path);
    if (handler == null) {
      log.debug("{} {} -> 404", method, path);
      respond(exchange, WebhookResponse.error(404, "not_found", "no handler at this path"), false);
      return;
    }
    WebhookResponse tooLarge =
        WebhookResponse.error(
            413,
            "request_too_large",
            "request body exceeds the limit of " + maxRequestBytes + " bytes");
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null && isLongerThan(declared.trim(), maxRequestBytes)) {
      log.debug("{} {} -> 413 (Content-Length)", method, path);
      respond(exchange, tooLarge, true);
      return;
    }
    byte[] body;
    try {
      body = readBody(exchange.getRequestBody());
    } catch (BodyTooLargeException e) {
      log.debug("{} {} -> 413", method, path);
      respond(exchange, tooLarge, true);
      return;
    } catch (IOException e) {
      log.debug("{} {} -> 400: unreadable body ({})", method, path, e.getClass().getSimpleName());
      respond(
          exchange,
          WebhookResponse.error(400, "malformed_request", "the request body could not be read"),
          true);
      return;
    }
    WebhookRequest request;
    try {
      request = toRequest(exchange, method, uri, body);
    } catch (IllegalArgumentException e) {
      log.debug("{} {} -> 400: malformed request", method, path);
      respond(exchange, WebhookResponse.error(400, "malformed_request", e.getMessage()), false);
      return;
    }
    WebhookResponse response;
    try {
      response = handler.handle(request);
      if (response == null) {
        throw new IllegalStateException("webhook handler returned null");
      }
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
        throw (Error) e;
      }
      log.error("webhook handler for {} {} failed", method, path, e);
      response =
          WebhookResponse.error(500, "internal_error", "the server failed to handle the request");
    }
    log.debug("{} {} -> {}", method, path, response.status());
    respond(exchange, response, false);
  }

  private void serveHealth(HttpExchange exchange, String method) throws IOException {
    if (!method.equals("GET") && !method.equals("HEAD")) {
      respond(
          exchange,
          WebhookResponse.error(405, "method_not_allowed", "the health endpoint accepts GET, HEAD")
              .withHeader("Allow", "GET, HEAD"),
          false);
      return;
    }
    respond(exchange, health.respond(), false);
  }

  private WebhookRequest toRequest(HttpExchange exchange, String method, URI uri, byte[] body) {
    String query = uri.getRawQuery();
    String target = uri.getRawPath() + (query == null ? "" : "?" + query);
    Headers headers = exchange.getRequestHeaders();
    URI url = resolver.resolve("http", target, name -> Optional.ofNullable(headers.getFirst(name)));
    WebhookRequest.Builder builder = WebhookRequest.builder(method, url);
    String contentType = "";
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      if (header.getKey().equalsIgnoreCase("Content-Type")) {
        if (!header.getValue().isEmpty()) {
          contentType = header.getValue().get(0);
        }
        continue; // body() adds it, and parses a form body by it
      }
      for (String value : header.getValue()) {
        builder.header(header.getKey(), value);
      }
    }
    builder.body(body, contentType);
    InetSocketAddress remote = exchange.getRemoteAddress();
    if (remote != null && remote.getAddress() != null) {
      builder.remoteAddress(remote.getAddress().getHostAddress());
    }
    return builder.build();
  }

  /** Reads at most the limit, failing as soon as one byte more arrives. */
  private byte[] readBody(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxRequestBytes, 8192));
    byte[] buffer = new byte[8192];
    long total = 0;
    while (true) {
      int want = (int) Math.min(buffer.length, maxRequestBytes + 1L - total);
      int n = in.read(buffer, 0, want);
      if (n < 0) {
        return out.toByteArray();
      }
      total += n;
      if (total > maxRequestBytes) {
        throw new BodyTooLargeException();
      }
      out.write(buffer, 0, n);
    }
  }

  private static boolean isLongerThan(String contentLength, long limit) {
    try {
      return Long.parseLong(contentLength) > limit;
    } catch (NumberFormatException e) {
      return false; // the JDK server has already refused a malformed Content-Length
    }
  }

  private static void respond(HttpExchange exchange, WebhookResponse response, boolean close)
      throws IOException {
    Headers headers = exchange.getResponseHeaders();
    response
        .headers()
        .forEach(
            (name, value) -> {
              if (!name.equalsIgnoreCase("Content-Length")
                  && !name.equalsIgnoreCase("Transfer-Encoding")) {
                headers.set(name, value);
              }
            });
    if (!response.contentType().isEmpty()) {
      headers.set("Content-Type", response.contentType());
    }
    if (close) {
      // The request body was not read to its end: do not reuse the connection.
      headers.set("Connection", "close");
    }
    byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
    int status = response.status();
    boolean noBody =
        body.length == 0
            || exchange.getRequestMethod().equals("HEAD")
            || status < 200
            || status == 204
            || status == 304;
    exchange.sendResponseHeaders(status, noBody ? -1 : body.length);
    if (!noBody) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private boolean enter() {
    synchronized (lock) {
      if (stopping) {
        return false;
      }
      inFlight++;
      return true;
    }
  }

  private void exit() {
    synchronized (lock) {
      inFlight--;
      if (inFlight == 0) {
        lock.notifyAll();
      }
    }
  }

  /** From now on, answers new requests with 503. */
  void beginStopping() {
    synchronized (lock) {
      stopping = true;
    }
  }

  /** Waits until no request is in flight; false if the deadline passed first. */
  boolean awaitIdle(long deadlineNanos) throws InterruptedException {
    synchronized (lock) {
      while (inFlight > 0) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  /** Thrown by {@link #readBody} when the body exceeds the limit. */
  private static final class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException() {
      super("request body too large", null);
    }
  }
}
