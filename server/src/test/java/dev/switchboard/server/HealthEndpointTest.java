package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.HealthStatus;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthEndpointTest {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private SwitchboardServer server;

  @AfterEach
  void stop() {
    server.stop(Duration.ofSeconds(2));
  }

  private void start(UnaryOperator<SwitchboardServer.Builder> config) {
    server =
        config
            .apply(SwitchboardServer.builder().httpAddress(new InetSocketAddress("127.0.0.1", 0)))
            .build();
    server.start();
  }

  private HttpResponse<String> request(String method) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/health"))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthReportsEveryComponentAndTheWorstState() throws Exception {
    start(
        b ->
            b.health("store", () -> HealthStatus.of(HealthStatus.Check.healthy("disk")))
                .health(
                    "twilio",
                    () ->
                        HealthStatus.of(
                            HealthStatus.Check.healthy("credentials"),
                            HealthStatus.Check.degraded("rate-limit", "429 from Twilio 3 s ago"))));

    HttpResponse<String> response = request("GET");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("status").asText()).isEqualTo("DEGRADED");
    assertThat(body.at("/components/store/status").asText()).isEqualTo("HEALTHY");
    JsonNode twilio = body.at("/components/twilio");
    assertThat(twilio.get("status").asText()).isEqualTo("DEGRADED");
    assertThat(twilio.get("checks")).hasSize(2);
    assertThat(twilio.at("/checks/1/name").asText()).isEqualTo("rate-limit");
    assertThat(twilio.at("/checks/1/status").asText()).isEqualTo("DEGRADED");
    assertThat(twilio.at("/checks/1/detail").asText()).isEqualTo("429 from Twilio 3 s ago");
  }

  @Test
  void serverWithoutComponentsIsHealthy() throws Exception {
    start(b -> b);

    HttpResponse<String> response = request("GET");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()))
        .isEqualTo(JSON.readTree("{\"status\":\"HEALTHY\",\"components\":{}}"));
  }

  @Test
  void unhealthyComponentMakesTheAnswer503() throws Exception {
    start(
        b ->
            b.health("store", () -> HealthStatus.of(HealthStatus.Check.healthy("disk")))
                .health(
                    "agent",
                    () -> HealthStatus.of(HealthStatus.Check.unhealthy("api", "unreachable"))));

    HttpResponse<String> response = request("GET");

    assertThat(response.statusCode()).isEqualTo(503);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("status").asText()).isEqualTo("UNHEALTHY");
    assertThat(body.at("/components/agent/checks/0/detail").asText()).isEqualTo("unreachable");
  }

  @Test
  void supplierThatThrowsCountsAsUnhealthyWithItsMessageButNotItsStack() throws Exception {
    start(
        b ->
            b.health(
                "twilio",
                () -> {
                  throw new IllegalStateException("cannot reach api.twilio.com");
                }));

    HttpResponse<String> response = request("GET");

    assertThat(response.statusCode()).isEqualTo(503);
    JsonNode twilio = JSON.readTree(response.body()).at("/components/twilio");
    assertThat(twilio.get("status").asText()).isEqualTo("UNHEALTHY");
    assertThat(twilio.at("/checks/0/status").asText()).isEqualTo("UNHEALTHY");
    assertThat(twilio.at("/checks/0/detail").asText()).isEqualTo("cannot reach api.twilio.com");
    assertThat(response.body()).doesNotContain("IllegalStateException").doesNotContain("\tat ");
  }

  @Test
  void healthAnswersHeadWithoutBody() throws Exception {
    start(b -> b);

    HttpResponse<String> response = request("HEAD");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
  }

  @Test
  void healthRefusesOtherMethodsWith405() throws Exception {
    start(b -> b);

    HttpResponse<String> response = request("POST");

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(response.body()).contains("\"code\":\"method_not_allowed\"");
  }
}
