/**
 * The agent-management service: a small JSON API on {@link
 * dev.switchboard.server.SwitchboardServer} that creates and manages Ultravox agents and starts
 * phone calls that connect them to Twilio. {@link
 * dev.switchboard.examples.agents.AgentManagementService} is the entry point; run it with {@code
 * mvn -B -q -pl examples -am compile exec:java
 * -Dexample=dev.switchboard.examples.agents.AgentManagementService}.
 */
@NullMarked
package dev.switchboard.examples.agents;

import org.jspecify.annotations.NullMarked;
