package dev.switchboard.testing.kit;

import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.agent.Capability;
import java.util.EnumSet;

/** Runs the agent kit against its reference runtime, proving the kit runs and passes. */
class EchoAgentRuntimeTest extends AgentRuntimeCompatibilityKit {
  @Override
  protected AgentRuntime createRuntime() {
    return new EchoAgentRuntime(EnumSet.of(Capability.TEXT, Capability.AUDIO_STREAMING));
  }
}
