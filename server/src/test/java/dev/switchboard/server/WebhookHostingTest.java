package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.webhook.WebhookRequest;
import dev.switchboard.core.webhook.WebhookResponse;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookHostingTest {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final CompletableFuture<WebhookRequest> received = new CompletableFuture<>();
  private final CompletableFuture<String> handlerThread = new CompletableFuture<>();
  private SwitchboardServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(Duration.ofSeconds(2));
    }
  }

  private void start(UnaryOperator<SwitchboardServer.Builder> config) {
    SwitchboardServer.Builder builder =
        SwitchboardServer.builder()
            .httpAddress(new InetSocketAddress("127.0.0.1", 0))
            .maxRequestBytes(4096)
            .webhook(
                "/twilio/voice",
                request -> {
                  received.complete(request);
                  handlerThread.complete(Thread.currentThread().getName());
                  return WebhookResponse.xml("<Response/>");
                })
            .webhook(
                "/fail",
                request -> {
                  throw new IllegalStateException("database password is hunter2");
                });
    server = config.apply(builder).build();
    server.start();
  }

  private URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.httpPort() + pathAndQuery);
  }

  private HttpResponse<String> post(String pathAndQuery, String form, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(pathAndQuery))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private WebhookRequest receivedRequest() throws Exception {
    return received.get(10, TimeUnit.SECONDS);
  }

  @Test
  void webhookReceivesMethodUrlHeadersParametersBodyAndRemoteAddress() throws Exception {
    start(b -> b);

    HttpResponse<String> response =
        post(
            "/twilio/voice?From=%2B15550001111",
            "CallSid=CA123&Digits=1+2", "X-Twilio-Signature", "c2lnbmF0dXJl");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/xml");
    assertThat(response.body()).isEqualTo("<Response/>");
    WebhookRequest request = receivedRequest();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.url()).isEqualTo(uri("/twilio/voice?From=%2B15550001111"));
    assertThat(request.header("x-twilio-signature")).hasValue("c2lnbmF0dXJl");
    assertThat(request.header("Content-Type")).hasValue("application/x-www-form-urlencoded");
    assertThat(request.headers().get("Content-Type")).hasSize(1);
    assertThat(request.parameter("From")).hasValue("+15550001111");
    assertThat(request.parameter("CallSid")).hasValue("CA123");
    assertThat(request.parameter("Digits")).hasValue("1 2");
    assertThat(request.bodyText()).isEqualTo("CallSid=CA123&Digits=1+2");
    assertThat(request.remoteAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void aSubtreeRouteServesEveryPathBelowItAndExactRoutesWin() throws Exception {
    start(
        b ->
            b.webhook("/agents/*", request -> WebhookResponse.json(200, "{\"route\":\"agents\"}"))
                .webhook(
                    "/agents/special",
                    request -> WebhookResponse.json(200, "{\"route\":\"special\"}"))
                .webhook(
                    "/agents/42/calls/*",
                    request -> WebhookResponse.json(200, "{\"route\":\"calls\"}")));

    assertThat(post("/agents/42", "").body()).contains("\"agents\"");
    assertThat(post("/agents/42/transcript", "").body()).contains("\"agents\"");
    assertThat(post("/agents/special", "").body()).contains("\"special\"");
    assertThat(post("/agents/42/calls/7", "").body()).contains("\"calls\"");
    HttpResponse<String> bare = post("/agents", "");
    assertThat(bare.statusCode()).isEqualTo(404);
    assertThat(post("/agents/", "").statusCode()).isEqualTo(404);
  }

  @Test
  void aStarAnywhereButAtTheEndIsRefused() {
    assertThatThrownBy(() -> SwitchboardServer.builder().webhook("/a*/b", request -> null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'/a*/b'");
    assertThatThrownBy(() -> SwitchboardServer.builder().webhook("/a/b*", request -> null).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> SwitchboardServer.builder().webSocket("/media/*", (c, r) -> null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exactly");
  }

  @Test
  void handlersRunOnTheHttpExecutorNotTheDispatcherThread() throws Exception {
    start(b -> b);

    post("/twilio/voice", "a=b");

    assertThat(handlerThread.get(10, TimeUnit.SECONDS)).startsWith("switchboard-http-");
  }

  @Test
  void everyMethodIsPassedToTheHandler() throws Exception {
    start(b -> b);

    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(uri("/twilio/voice"))
                .method("DELETE", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(receivedRequest().method()).isEqualTo("DELETE");
  }

  @Test
  void publicUrlIsRebuiltOnTheConfiguredBaseUrl() throws Exception {
    start(b -> b.publicBaseUrl(URI.create("https://voice.example.com/base")));

    post("/twilio/voice?x=1", "a=b", "X-Forwarded-Host", "evil.example.com");

    assertThat(receivedRequest().url())
        .isEqualTo(URI.create("https://voice.example.com/base/twilio/voice?x=1"));
  }

  @Test
  void trustedForwardedHeadersRebuildThePublicUrl() throws Exception {
    start(b -> b.trustForwardedHeaders(true));

    post(
        "/twilio/voice?x=1",
        "a=b",
        "X-Forwarded-Proto",
        "https",
        "X-Forwarded-Host",
        "public.example.com");

    assertThat(receivedRequest().url())
        .isEqualTo(URI.create("https://public.example.com/twilio/voice?x=1"));
  }

  @Test
  void untrustedForwardedHeadersAreIgnored() throws Exception {
    start(b -> b);

    post(
        "/twilio/voice",
        "a=b",
        "X-Forwarded-Proto",
        "https",
        "X-Forwarded-Host",
        "public.example.com");

    assertThat(receivedRequest().url()).isEqualTo(uri("/twilio/voice"));
  }

  @Test
  void unknownPathGets404JsonError() throws Exception {
    start(b -> b);

    HttpResponse<String> response = post("/twilio/voice/", "a=b");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.body()).contains("\"code\":\"not_found\"");
    assertThat(received).isNotDone();
  }

  @Test
  void bodyAtTheLimitIsAccepted() throws Exception {
    start(b -> b);

    HttpResponse<String> response = post("/twilio/voice", "a=" + "x".repeat(4094));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(receivedRequest().body().remaining()).isEqualTo(4096);
  }

  @Test
  void contentLengthOverTheLimitGets413BeforeAnyBodyIsSent() throws Exception {
    start(b -> b);

    // Only the head is sent: the answer must come without waiting for the 10 MB body.
    RawHttp.Response response =
        RawHttp.exchange(
            server.httpPort(),
            "POST /twilio/voice HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 10000000\r\n\r\n",
            new byte[0]);

    assertThat(response.status()).isEqualTo(413);
    assertThat(response.header("Content-Type")).isEqualTo("application/json");
    assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
    assertThat(response.body()).contains("\"code\":\"request_too_large\"");
    assertThat(received).isNotDone();
  }

  @Test
  void chunkedBodyOverTheLimitGets413() throws Exception {
    start(b -> b);
    StringBuilder chunks = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      chunks.append("400\r\n").append("a".repeat(1024)).append("\r\n");
    }
    chunks.append("0\r\n\r\n");

    RawHttp.Response response =
        RawHttp.exchange(
            server.httpPort(),
            "POST /twilio/voice HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n",
            chunks.toString().getBytes(StandardCharsets.US_ASCII));

    assertThat(response.status()).isEqualTo(413);
    assertThat(response.body()).contains("\"code\":\"request_too_large\"");
    assertThat(received).isNotDone();
  }

  @Test
  void malformedFormEncodingGets400JsonError() throws Exception {
    start(b -> b);

    HttpResponse<String> response = post("/twilio/voice", "CallSid=%zz");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("\"code\":\"malformed_request\"");
    assertThat(received).isNotDone();
  }

  @Test
  void hostThatCannotFormAUrlGets400JsonError() throws Exception {
    start(b -> b);

    RawHttp.Response response =
        RawHttp.exchange(
            server.httpPort(),
            "GET /twilio/voice HTTP/1.1\r\nHost: bad host^\r\n\r\n",
            new byte[0]);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.body()).contains("\"code\":\"malformed_request\"");
    assertThat(received).isNotDone();
  }

  @Test
  void throwingHandlerGets500JsonErrorWithoutDetailsAndTheServerKeepsServing() throws Exception {
    start(b -> b);

    HttpResponse<String> failed = post("/fail", "a=b");
    HttpResponse<String> next = post("/twilio/voice", "a=b");

    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(failed.body())
        .contains("\"code\":\"internal_error\"")
        .doesNotContain("hunter2")
        .doesNotContain("IllegalStateException");
    assertThat(next.statusCode()).isEqualTo(200);
  }

  @Test
  void headRequestGetsStatusAndHeadersWithoutBody() throws Exception {
    start(b -> b);

    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(uri("/twilio/voice"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
    assertThat(receivedRequest().method()).isEqualTo("HEAD");
  }

  @Test
  void responseHeadersOfTheHandlerAreSent() throws Exception {
    server =
        SwitchboardServer.builder()
            .httpAddress(new InetSocketAddress("127.0.0.1", 0))
            .webhook(
                "/hook",
                request -> WebhookResponse.json(202, "{}").withHeader("X-Request-Id", "r-1"))
            .build();
    server.start();

    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(uri("/hook")).GET().build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(response.headers().allValues("X-Request-Id")).isEqualTo(List.of("r-1"));
    assertThat(response.body()).isEqualTo("{}");
  }
}
