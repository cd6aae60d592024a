package dev.switchboard.agent.ultravox.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.switchboard.agent.ultravox.internal.Json.TimestampFormat;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A webhook registered with Ultravox, as the API returns it. {@code toString()} never shows the
 * secrets. Immutable and thread-safe.
 *
 * @param webhookId its id (a UUID)
 * @param agentId the agent it is scoped to, or null for the whole account
 * @param url where deliveries go
 * @param secrets the signing secrets the API shows (give them to {@code UltravoxWebhooks})
 * @param events the events delivered, e.g. {@code call.ended}
 * @param status {@code normal} or {@code unhealthy}
 * @param created when it was registered
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Webhook(
    String webhookId,
    @Nullable String agentId,
    URI url,
    List<String> secrets,
    List<String> events,
    @Nullable String status,
    @TimestampFormat @Nullable Instant created) {

  /** Validates the components and copies the lists. */
  public Webhook {
    Objects.requireNonNull(webhookId, "webhookId");
    Objects.requireNonNull(url, "url");
    secrets = secrets == null ? List.of() : List.copyOf(secrets);
    events = events == null ? List.of() : List.copyOf(events);
  }

  /** Shows everything but the secrets, of which only the count. */
  @Override
  public String toString() {
    return "Webhook[webhookId="
        + webhookId
        + ", agentId="
        + agentId
        + ", url="
        + url
        + ", secrets="
        + secrets.size()
        + " (hidden), events="
        + events
        + ", status="
        + status
        + ", created="
        + created
        + "]";
  }
}
