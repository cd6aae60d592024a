package dev.switchboard.agent.ultravox.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.switchboard.agent.ultravox.internal.Json.TimestampFormat;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An Ultravox agent as the API returns it: a named, saved call template that calls can be started
 * from. Read-only fields the API adds (e.g. {@code statistics}) are ignored. Immutable and
 * thread-safe.
 *
 * @param agentId the agent's id (a UUID)
 * @param name its name, at most 64 characters
 * @param created when it was created, if the API said
 * @param publishedRevisionId the id of its published revision, if any
 * @param callTemplate its call template, if the API returned one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Agent(
    String agentId,
    String name,
    @TimestampFormat @Nullable Instant created,
    @Nullable String publishedRevisionId,
    @Nullable CallTemplate callTemplate) {

  /** Validates the components. */
  public Agent {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(name, "name");
  }
}
