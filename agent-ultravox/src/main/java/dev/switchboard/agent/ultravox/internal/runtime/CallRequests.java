package dev.switchboard.agent.ultravox.internal.runtime;

import dev.switchboard.agent.ultravox.model.FirstSpeakerSettings;
import dev.switchboard.agent.ultravox.model.Medium;
import dev.switchboard.agent.ultravox.model.SelectedTool;
import dev.switchboard.agent.ultravox.model.StartCallRequest;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.ToolDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Not API. Turns a session's options into the body of the call-creation request: the same shape for
 * both media, for agent calls ({@code templateContext}) and direct calls (prompt, voice, model,
 * temporary client tools). Stateless.
 */
final class CallRequests {
  /** The metadata key carrying the telephony call's id, read back by the webhook handler. */
  static final String CALL_ID_METADATA = "switchboard_call_id";

  private CallRequests() {}

  /**
   * Returns the request for a session.
   *
   * @param settings the runtime's settings
   * @param options the session's options
   * @param medium the call's medium
   * @return the request
   */
  static StartCallRequest build(RuntimeSettings settings, SessionOptions options, Medium medium) {
    StartCallRequest.Builder b = StartCallRequest.builder().medium(medium);
    b.firstSpeakerSettings(firstSpeaker(options));
    String callId = options.callId();
    if (callId != null) {
      b.metadata(Map.of(CALL_ID_METADATA, callId));
    }
    if (settings.agentId() != null) {
      // The agent holds the prompt, the tools and the defaults; the call fills its template.
      if (!options.context().isEmpty()) {
        b.templateContext(new LinkedHashMap<>(options.context()));
      }
      if (options.voice() != null) {
        b.voice(options.voice());
      }
      return b.build();
    }
    String prompt =
        substitute(
            options.instructions() != null ? options.instructions() : settings.instructions(),
            options.context());
    if (prompt != null) {
      b.systemPrompt(prompt);
    }
    String voice = options.voice() != null ? options.voice() : settings.voice();
    if (voice != null) {
      b.voice(voice);
    }
    if (settings.model() != null) {
      b.model(settings.model());
    }
    if (!options.tools().isEmpty()) {
      List<SelectedTool> tools = new ArrayList<>(options.tools().size());
      for (ToolDefinition tool : options.tools()) {
        tools.add(SelectedTool.clientTool(tool));
      }
      b.selectedTools(tools);
    }
    return b.build();
  }

  /**
   * Returns who speaks first: the agent (saying the greeting when there is one) or the user (the
   * default of an outbound call's options).
   */
  static FirstSpeakerSettings firstSpeaker(SessionOptions options) {
    if (options.firstSpeaker() == SessionOptions.FirstSpeaker.USER) {
      return FirstSpeakerSettings.user();
    }
    String greeting = options.greeting();
    return greeting == null
        ? FirstSpeakerSettings.agent()
        : FirstSpeakerSettings.agent(greeting, false, null);
  }

  /**
   * Fills {@code {{name}}} placeholders of a direct call's prompt from the context (agent calls let
   * Ultravox do it with {@code templateContext}).
   */
  static @Nullable String substitute(@Nullable String prompt, Map<String, String> context) {
    if (prompt == null || context.isEmpty()) {
      return prompt;
    }
    String out = prompt;
    for (Map.Entry<String, String> e : context.entrySet()) {
      out = out.replace("{{" + e.getKey() + "}}", e.getValue());
    }
    return out;
  }
}
