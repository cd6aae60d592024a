package dev.switchboard.agent.ultravox.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * What to create an agent with, or what to change in one: for {@code createAgent} the name is
 * required; for {@code updateAgent} (a {@code PATCH}) only the components that are set are sent,
 * and within the call template only its set fields. Immutable and thread-safe.
 *
 * <pre>{@code
 * AgentSpec create = AgentSpec.builder()
 *     .name("front-desk")
 *     .callTemplate(CallTemplate.builder().systemPrompt("You are...").build())
 *     .build();
 * AgentSpec rename = AgentSpec.builder().name("reception").build();   // PATCH {"name": ...}
 * }</pre>
 *
 * @param name the agent's name, 1-64 characters, or null to leave it
 * @param callTemplate the call template (or the template fields to change), or null to leave it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentSpec(@Nullable String name, @Nullable CallTemplate callTemplate) {
  /** The longest agent name Ultravox accepts. */
  public static final int MAX_NAME_LENGTH = 64;

  /**
   * Validates the name.
   *
   * @throws IllegalArgumentException if the name is blank or longer than {@value #MAX_NAME_LENGTH}
   */
  public AgentSpec {
    Checks.notBlank(name, "name");
    if (name != null && name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "name must be at most " + MAX_NAME_LENGTH + " characters, got " + name.length());
    }
  }

  /**
   * Starts an empty spec.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Tells whether nothing is set.
   *
   * @return true when both components are null
   */
  @JsonIgnore
  public boolean isEmpty() {
    return name == null && callTemplate == null;
  }

  /** Builds an {@link AgentSpec}. Not thread-safe. */
  public static final class Builder {
    private @Nullable String name;
    private @Nullable CallTemplate callTemplate;

    private Builder() {}

    /**
     * Sets the name.
     *
     * @param name 1-64 characters; null to leave it
     * @return this builder
     */
    public Builder name(@Nullable String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets the call template.
     *
     * @param callTemplate the template; null to leave it
     * @return this builder
     */
    public Builder callTemplate(@Nullable CallTemplate callTemplate) {
      this.callTemplate = callTemplate;
      return this;
    }

    /**
     * Builds the spec.
     *
     * @return the spec
     * @throws IllegalArgumentException naming a bad value
     */
    public AgentSpec build() {
      return new AgentSpec(name, callTemplate);
    }
  }
}
