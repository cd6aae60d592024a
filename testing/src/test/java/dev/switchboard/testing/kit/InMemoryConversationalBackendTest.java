package dev.switchboard.testing.kit;

import dev.switchboard.core.messaging.ConversationalBackend;

/** Runs the messaging kit against its reference backend, proving the kit runs and passes. */
class InMemoryConversationalBackendTest extends ConversationalBackendCompatibilityKit {
  @Override
  protected ConversationalBackend createBackend() {
    return new InMemoryConversationalBackend();
  }
}
