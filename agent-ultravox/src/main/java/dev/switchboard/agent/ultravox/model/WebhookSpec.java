package dev.switchboard.agent.ultravox.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What to register a webhook with. Without secrets Ultravox generates one (read it from the
 * returned {@link Webhook}). {@code toString()} never shows the secrets. Immutable and thread-safe.
 *
 * <pre>{@code
 * WebhookSpec spec = WebhookSpec.builder(URI.create("https://voice.example.com/ultravox/events"))
 *     .events(WebhookSpec.CALL_ENDED, WebhookSpec.CALL_BILLED)
 *     .secret(System.getenv("ULTRAVOX_WEBHOOK_SECRET"))
 *     .build();
 * }</pre>
 *
 * @param url where deliveries go: an absolute http(s) URL of at most 200 characters
 * @param events the events to deliver, at least one
 * @param secrets the signing secrets, each at most 120 characters; empty to let Ultravox generate
 *     one (then not sent)
 * @param agentId the agent to scope it to, or null for the whole account
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookSpec(
    URI url,
    List<String> events,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> secrets,
    @Nullable String agentId) {

  /** A call was created. */
  public static final String CALL_STARTED = "call.started";

  /** A call's media joined. */
  public static final String CALL_JOINED = "call.joined";

  /** A call ended (also sent for calls never joined). */
  public static final String CALL_ENDED = "call.ended";

  /** A call was billed. */
  public static final String CALL_BILLED = "call.billed";

  private static final int MAX_URL = 200;
  private static final int MAX_SECRET = 120;

  /**
   * Validates the components and copies the lists.
   *
   * @throws IllegalArgumentException naming a URL that is not absolute http(s) or is too long, an
   *     empty event list, a blank event, or a secret that is blank or too long (by position, never
   *     by value)
   */
  public WebhookSpec {
    Objects.requireNonNull(url, "url");
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!url.isAbsolute() || !(scheme.equals("https") || scheme.equals("http"))) {
      throw new IllegalArgumentException("url must be an absolute http(s) URL, got " + url);
    }
    if (url.toString().length() > MAX_URL) {
      throw new IllegalArgumentException(
          "url must be at most " + MAX_URL + " characters, got " + url.toString().length());
    }
    events = List.copyOf(Objects.requireNonNull(events, "events"));
    if (events.isEmpty()) {
      throw new IllegalArgumentException("events must name at least one event, e.g. call.ended");
    }
    for (String e : events) {
      Checks.notBlank(e, "event");
    }
    secrets = List.copyOf(secrets == null ? List.of() : secrets);
    for (int i = 0; i < secrets.size(); i++) {
      String s = secrets.get(i);
      if (s.isBlank() || s.length() > MAX_SECRET) {
        throw new IllegalArgumentException(
            "secrets[" + i + "] must be 1-" + MAX_SECRET + " characters and not blank");
      }
    }
    Checks.notBlank(agentId, "agentId");
  }

  /**
   * Starts a spec for a URL.
   *
   * @param url where deliveries go
   * @return a builder
   */
  public static Builder builder(URI url) {
    return new Builder(url);
  }

  /** Shows everything but the secrets, of which only the count. */
  @Override
  public String toString() {
    return "WebhookSpec[url="
        + url
        + ", events="
        + events
        + ", secrets="
        + secrets.size()
        + " (hidden), agentId="
        + agentId
        + "]";
  }

  /** Builds a {@link WebhookSpec}. Not thread-safe. */
  public static final class Builder {
    private final URI url;
    private final List<String> events = new ArrayList<>();
    private final List<String> secrets = new ArrayList<>();
    private @Nullable String agentId;

    private Builder(URI url) {
      this.url = Objects.requireNonNull(url, "url");
    }

    /**
     * Adds events to deliver.
     *
     * @param events e.g. {@link #CALL_ENDED}
     * @return this builder
     */
    public Builder events(String... events) {
      for (String e : events) {
        this.events.add(Objects.requireNonNull(e, "event"));
      }
      return this;
    }

    /**
     * Adds a signing secret (several, for rotation).
     *
     * @param secret 1-120 characters
     * @return this builder
     */
    public Builder secret(String secret) {
      secrets.add(Objects.requireNonNull(secret, "secret"));
      return this;
    }

    /**
     * Scopes the webhook to one agent's calls.
     *
     * @param agentId the agent's id; null for the whole account
     * @return this builder
     */
    public Builder agentId(@Nullable String agentId) {
      this.agentId = agentId;
      return this;
    }

    /**
     * Builds the spec.
     *
     * @return the spec
     * @throws IllegalArgumentException naming a bad value
     */
    public WebhookSpec build() {
      return new WebhookSpec(url, events, secrets, agentId);
    }
  }
}
